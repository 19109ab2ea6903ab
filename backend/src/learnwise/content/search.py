"""The course catalog: listing with filters, sorting and full-text search.

Full-text search runs over ``courses.search_document`` (title, summary, tags and instructor
names, kept by the content service): FTS5 on SQLite, a tsvector index on PostgreSQL. The
migration ``course_search`` builds the index: on SQLite an external-content FTS5 table
``course_fts`` kept in sync by triggers; on PostgreSQL the migration
``http_course_search_vector`` stores ``to_tsvector('simple', search_document)`` as the generated
column ``courses.search_vector`` with a GIN index, which the query below matches and ranks on
(ranking on the expression recomputed it for every match).

The document and the queries are cut into words the same way here (letters and digits, case
and accents folded), so that both databases see the same plain words and agree on what matches
(PostgreSQL's own parser would, say, read "owen-42" as "owen" and the number "-42"). Users'
queries never reach either query language as written: only these words, each quoted, so quotes,
operators and parentheses are only ever separators. Every word must match; the last may be the
start of a word, so that results follow the typing.
"""

import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.models import User
from learnwise.auth.service import Principal
from learnwise.content.models import Course, CourseInstructor, CourseStatus, Enrollment
from learnwise.content.schemas import CourseSort, CourseSummary, InstructorRead, Level

MAX_TERMS = 16
ACTIVE = "active"
_WORD = re.compile(r"[^\W_]+")

_course_fts = table("course_fts", column("rowid"), column("search_document"))
_SIMPLE = literal_column("'simple'::regconfig")
# PostgreSQL only, and not in the model (see the module's docstring).
_search_vector = literal_column("courses.search_vector")


def words(text: str) -> list[str]:
    """The searchable words of a text: runs of letters and digits, case and accents folded."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(folded)


def search_terms(query: str | None) -> list[str]:
    """The words of a user's query, at most MAX_TERMS of them."""
    return words(query)[:MAX_TERMS] if query else []


def search_document(
    *, title: str, summary: str, tags: Iterable[str], instructor_names: Iterable[str]
) -> str:
    """What a course is found by: the words of its title, summary, tags and instructors' names."""
    return " ".join(words(" ".join([title, summary, *tags, *instructor_names])))


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def text_match(
    statement: Select, *, dialect: str, terms: list[str]
) -> tuple[Select, ColumnElement]:
    """``statement`` narrowed to the courses matching ``terms`` (non-empty), and the expression
    that orders them best first (ascending)."""
    if dialect == "postgresql":
        query = " & ".join([*terms[:-1], f"{terms[-1]}:*"])
        tsquery = func.to_tsquery(_SIMPLE, query)
        return (
            statement.where(_search_vector.op("@@")(tsquery)),
            -func.ts_rank(_search_vector, tsquery),
        )
    query = " ".join([*(f'"{t}"' for t in terms[:-1]), f'"{terms[-1]}"*'])
    narrowed = statement.join(
        _course_fts, _course_fts.c.rowid == literal_column("courses.rowid")
    ).where(_course_fts.c.search_document.op("MATCH")(query))
    return narrowed, func.bm25(literal_column("course_fts"))


def _has_tag(*, dialect: str, tag: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return type_coerce(Course.tags, JSONB).contains([tag])
    tags = func.json_each(Course.tags).table_valued("value")
    return select(tags.c.value).where(tags.c.value == tag).exists()


def taught_by(user_id: uuid.UUID) -> ColumnElement[bool]:
    """Whether the user owns or co-teaches a course."""
    return or_(
        Course.owner_id == user_id,
        select(CourseInstructor.user_id)
        .where(CourseInstructor.course_id == Course.course_id, CourseInstructor.user_id == user_id)
        .exists(),
    )


@dataclass(frozen=True)
class CatalogQuery:
    q: str | None = None
    level: Level | None = None
    tag: str | None = None
    language: str | None = None
    instructor_id: uuid.UUID | None = None
    status: CourseStatus | None = None
    mine: bool = False
    sort: CourseSort | None = None


def is_public_listing(query: CatalogQuery) -> bool:
    """Whether the query lists published courses only, the same for every caller (no ``mine``,
    no other status), so that one cached page serves everyone."""
    return not query.mine and query.status in (None, CourseStatus.PUBLISHED)


def listing_key(query: CatalogQuery, *, offset: int, limit: int) -> str:
    """A short key for a public listing: queries with the same key list the same courses (the
    query's words as searched, not as typed)."""
    assert is_public_listing(query)
    parts = {
        "terms": search_terms(query.q),
        "level": query.level,
        "tag": query.tag,
        "language": query.language,
        "instructor_id": str(query.instructor_id) if query.instructor_id else None,
        "sort": query.sort,
        "offset": offset,
        "limit": limit,
    }
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


async def list_courses(
    *,
    session: AsyncSession,
    principal: Principal | None,
    query: CatalogQuery,
    offset: int,
    limit: int,
) -> tuple[list[CourseSummary], int]:
    """A page of the catalog and the number of courses matching in all.

    Without ``mine`` only published courses are listed (any status for admins who ask for one);
    with ``mine``, the caller's own and co-taught courses in any status. The caller's rights to
    ask (``mine`` needs a caller, ``status`` an admin or ``mine``) are checked by the service.
    """
    dialect = _dialect(session)
    statement = select(Course)
    if query.mine:
        assert principal is not None
        statement = statement.where(taught_by(principal.user_id))
    if query.status is not None:
        statement = statement.where(Course.status == query.status)
    elif not query.mine:
        statement = statement.where(Course.status == CourseStatus.PUBLISHED)
    if query.level is not None:
        statement = statement.where(Course.level == query.level)
    if query.language is not None:
        statement = statement.where(
            or_(Course.language == query.language, Course.language.startswith(query.language + "-"))
        )
    if query.tag is not None:
        statement = statement.where(_has_tag(dialect=dialect, tag=query.tag))
    if query.instructor_id is not None:
        statement = statement.where(taught_by(query.instructor_id))

    terms = search_terms(query.q)
    rank: ColumnElement | None = None
    if terms:
        statement, rank = text_match(statement, dialect=dialect, terms=terms)

    total = await session.scalar(select(func.count()).select_from(statement.subquery())) or 0

    newest = (func.coalesce(Course.published_at, Course.created_at).desc(), Course.course_id)
    sort = query.sort or (CourseSort.RELEVANCE if rank is not None else CourseSort.NEWEST)
    if sort == CourseSort.RELEVANCE and rank is not None:
        statement = statement.order_by(rank, *newest)
    elif sort == CourseSort.TITLE:
        statement = statement.order_by(func.lower(Course.title), Course.course_id)
    elif sort == CourseSort.POPULARITY:
        enrolled = (
            select(func.count())
            .where(Enrollment.course_id == Course.course_id, Enrollment.status == ACTIVE)
            .scalar_subquery()
        )
        statement = statement.order_by(enrolled.desc(), *newest)
    else:
        statement = statement.order_by(*newest)

    courses = list(await session.scalars(statement.offset(offset).limit(limit)))
    return await summaries(session=session, courses=courses), total


async def display_names(
    *, session: AsyncSession, user_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Users' display names, read-only, in one query (what the catalog shows of instructors)."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(User.user_id, User.display_name).where(User.user_id.in_(ids))
    )
    return {user_id: name for user_id, name in rows}


async def instructors_of(
    *, session: AsyncSession, courses: Sequence[Course]
) -> dict[uuid.UUID, list[InstructorRead]]:
    """Each course's owner then co-instructors (in the order they were added)."""
    ids = [c.course_id for c in courses]
    co_rows = (
        await session.execute(
            select(CourseInstructor.course_id, CourseInstructor.user_id)
            .where(CourseInstructor.course_id.in_(ids))
            .order_by(CourseInstructor.added_at, CourseInstructor.user_id)
        )
        if ids
        else []
    )
    co_instructors: dict[uuid.UUID, list[uuid.UUID]] = {}
    for course_id, user_id in co_rows:
        co_instructors.setdefault(course_id, []).append(user_id)
    names = await display_names(
        session=session,
        user_ids=[c.owner_id for c in courses] + [u for us in co_instructors.values() for u in us],
    )
    return {
        course.course_id: [
            InstructorRead(
                user_id=course.owner_id, display_name=names.get(course.owner_id, ""), role="owner"
            ),
            *(
                InstructorRead(user_id=u, display_name=names.get(u, ""), role="co_instructor")
                for u in co_instructors.get(course.course_id, [])
            ),
        ]
        for course in courses
    }


async def enrollment_counts(
    *, session: AsyncSession, course_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not course_ids:
        return {}
    rows = await session.execute(
        select(Enrollment.course_id, func.count())
        .where(Enrollment.course_id.in_(course_ids), Enrollment.status == ACTIVE)
        .group_by(Enrollment.course_id)
    )
    return {course_id: count for course_id, count in rows}


async def summaries(*, session: AsyncSession, courses: Sequence[Course]) -> list[CourseSummary]:
    """The catalog entries of ``courses``, in their order, in three queries in all."""
    instructors = await instructors_of(session=session, courses=courses)
    counts = await enrollment_counts(session=session, course_ids=[c.course_id for c in courses])
    return [
        CourseSummary(
            course_id=course.course_id,
            slug=course.slug,
            title=course.title,
            summary=course.summary,
            level=Level(course.level),
            language=course.language,
            tags=list(course.tags),
            cover_media_id=course.cover_media_id,
            estimated_minutes=course.estimated_minutes,
            status=CourseStatus(course.status),
            owner_id=course.owner_id,
            instructors=instructors[course.course_id],
            enrollment_count=counts.get(course.course_id, 0),
            published_at=course.published_at,
            created_at=course.created_at,
        )
        for course in courses
    ]
