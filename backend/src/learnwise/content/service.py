"""Courses and modules: who may see and change them, and the changes themselves.

Other domains reach courses through the access checks here (``get_course_for_read``,
``get_course_for_write``, ``can_see_content``) and tell the course it changed with
``bump_revision``, whose number is the course's ETag and the key of its cached outline.

Course pages and catalog listings are read through the cache (``course_document``,
``catalog_document``), under generation tokens (``platform.cache``): every change to a course
(``bump_revision``, enrollments, deletion) gives it, and when it is or was in the catalog the
catalog too, a new generation once the transaction commits, in every cache of the process. The
keys:

- ``content:course:<id>:generation`` and ``content:catalog:generation``: the tokens;
- ``content:course:<id>:<token>:page:<format>``: the course as non-teaching viewers see it (its
  revision, status, teachers, and the JSON of the published view without ``viewer``);
- ``content:course:<id>:<token>:enrolled:<user id>``: whether that learner is enrolled;
- ``content:catalog:<token>:<format>:<query key>``: a page of the public catalog;
- ``content:outline:<format>:<id>:<revision>:<view>``: outlines, by revision (never stale).
"""

import copy
import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Literal

from pydantic import TypeAdapter
from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from learnwise.auth import service as auth_service
from learnwise.auth.models import User
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.content import search
from learnwise.content.exceptions import (
    CourseAccessDenied,
    CourseInUse,
    CourseNotFound,
    InvalidCoInstructor,
    InvalidPrerequisite,
    InvalidStatusChange,
    ModuleNotFound,
    NotEnrollable,
    PreconditionFailed,
    PrerequisiteCycle,
    ReorderMismatch,
    SlugTaken,
    StatusFilterDenied,
    UnknownMedia,
)
from learnwise.content.graph import ensure_acyclic
from learnwise.content.models import (
    ContentItem,
    ContentItemSkill,
    ContentVersion,
    Course,
    CourseInstructor,
    CourseStatus,
    Enrollment,
    Module,
    ModulePrerequisite,
)
from learnwise.content.render import render_markdown
from learnwise.content.schemas import (
    CourseCreate,
    CourseDuplicate,
    CourseRead,
    CourseSettings,
    CourseUpdate,
    EnrollmentRead,
    LearnerRead,
    ModuleCreate,
    ModuleRead,
    ModuleStatus,
    ModuleUpdate,
    MyCourse,
    OutlineItem,
    OutlineModule,
    Viewer,
)
from learnwise.db import after_commit, utcnow
from learnwise.errors import NotFound, Unauthorized
from learnwise.media.models import Media
from learnwise.pagination import Page
from learnwise.platform import events
from learnwise.platform.cache import (
    Cache,
    count_lookup,
    new_generation,
    open_caches,
    start_generation,
)
from learnwise.platform.http_cache import digest, etag_of

ACTIVE = "active"
DROPPED = "dropped"
OUTLINE_CACHE_SECONDS = 3600
# Part of the outline's cache key: bumped whenever OutlineModule changes shape.
OUTLINE_FORMAT = 1
# Part of the keys of cached course pages and catalog pages: bumped whenever CourseRead,
# CourseSummary or the entries' layout change shape.
PAGE_FORMAT = 1
# Generation tokens outlive the entries stored under them (whose lifetimes are settings).
GENERATION_SECONDS = 24 * 3600
CATALOG_GENERATION_KEY = "content:catalog:generation"

OutlineView = Literal["full", "published"]
_outline_adapter = TypeAdapter(list[OutlineModule])


# ---------------------------------------------------------------------------------------------
# Revisions and preconditions


def etag(revision: int) -> str:
    """The ETag of a course and of everything in it: its revision."""
    return f'W/"{revision}"'


@dataclass(frozen=True, slots=True)
class Precondition:
    """An If-Match header: the revisions it accepts, or None for ``*`` (any)."""

    revisions: frozenset[int] | None

    def check(self, course: Course) -> None:
        if self.revisions is not None and course.revision not in self.revisions:
            raise PreconditionFailed(
                "The course changed since you read it; fetch it again and retry.",
                current_etag=etag(course.revision),
            )


async def bump_revision(
    *, session: AsyncSession, course: Course, expected: int | None = None
) -> int:
    """Records that the course or something in it changed; returns the new revision.

    With ``expected`` (the revision an If-Match named), raises PreconditionFailed unless the
    course is still at that revision. The increment is one conditional UPDATE, so of two
    concurrent writers holding the same revision exactly one succeeds.
    """
    condition = [Course.course_id == course.course_id]
    if expected is not None:
        condition.append(Course.revision == expected)
    now = utcnow()
    revision = await session.scalar(
        update(Course)
        .where(*condition)
        .values(revision=Course.revision + 1, updated_at=now)
        .returning(Course.revision)
        .execution_options(synchronize_session=False)
    )
    if revision is None:
        raise PreconditionFailed("The course changed since you read it; fetch it again and retry.")
    set_committed_value(course, "revision", revision)
    set_committed_value(course, "updated_at", now)
    retire_cached_after_commit(
        session, course_ids=[course.course_id], catalog=course.published_at is not None
    )
    return revision


def _course_generation_key(course_id: uuid.UUID) -> str:
    return f"content:course:{course_id}:generation"


_RETIRED_KEYS = "learnwise.content.retired_generations"


def retire_cached_after_commit(
    session: AsyncSession, *, course_ids: list[uuid.UUID], catalog: bool
) -> None:
    """Once the transaction commits, gives these courses (and the catalog, with ``catalog``) new
    cache generations in every cache of this process: no instance serves what it cached before.

    For every change that shows in a course page (``bump_revision`` calls this) or in the
    catalog: ``catalog`` when the course is or was published (archived and restored courses
    keep their publication date), since the catalog lists published courses only.
    """
    keys: set[str] | None = session.info.get(_RETIRED_KEYS)
    if keys is None:
        keys = session.info[_RETIRED_KEYS] = set()

        async def retire() -> None:
            retired = session.info.pop(_RETIRED_KEYS, set())
            for cache in open_caches():
                for key in retired:
                    await new_generation(cache, key, ttl_seconds=GENERATION_SECONDS)

        after_commit(session, retire)
    keys.update(_course_generation_key(course_id) for course_id in course_ids)
    if catalog:
        keys.add(CATALOG_GENERATION_KEY)


async def _changed(
    *, session: AsyncSession, course: Course, precondition: Precondition | None
) -> None:
    """Checks the precondition (if any) and bumps the revision, conditionally on it."""
    if precondition is not None:
        precondition.check(course)
    await bump_revision(
        session=session,
        course=course,
        expected=course.revision if precondition is not None else None,
    )


# ---------------------------------------------------------------------------------------------
# Access


def is_admin(principal: Principal | None) -> bool:
    return principal is not None and principal.can(Permission.COURSE_WRITE_ANY)


async def is_instructor(*, session: AsyncSession, user_id: uuid.UUID, course: Course) -> bool:
    """Whether the user owns or co-teaches the course."""
    if course.owner_id == user_id:
        return True
    return bool(
        await session.scalar(
            select(
                exists().where(
                    CourseInstructor.course_id == course.course_id,
                    CourseInstructor.user_id == user_id,
                )
            )
        )
    )


async def is_enrolled(*, session: AsyncSession, user_id: uuid.UUID, course: Course) -> bool:
    """Whether the user holds an active enrollment in the course."""
    return await _is_enrolled_in(session=session, user_id=user_id, course_id=course.course_id)


async def _is_enrolled_in(
    *, session: AsyncSession, user_id: uuid.UUID, course_id: uuid.UUID
) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Enrollment.course_id == course_id,
                    Enrollment.user_id == user_id,
                    Enrollment.status == ACTIVE,
                )
            )
        )
    )


async def _may_read(*, session: AsyncSession, principal: Principal | None, course: Course) -> bool:
    if course.status == CourseStatus.PUBLISHED:
        return True
    if principal is None:
        return False
    if is_admin(principal) or await is_instructor(
        session=session, user_id=principal.user_id, course=course
    ):
        return True
    return course.status == CourseStatus.ARCHIVED and await is_enrolled(
        session=session, user_id=principal.user_id, course=course
    )


async def get_course_for_read(
    *, session: AsyncSession, principal: Principal | None, course_id: uuid.UUID
) -> Course:
    """The course if the caller may see it: anyone a published course; enrolled learners an
    archived one; its instructors and admins any. Otherwise CourseNotFound, exactly as if it
    did not exist."""
    course = await session.get(Course, course_id)
    if course is None or not await _may_read(session=session, principal=principal, course=course):
        raise CourseNotFound("No such course.")
    return course


async def _teaching_course(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    permission: Permission,
    lock: bool,
) -> Course | None:
    """The course if the caller is an admin or teaches it and holds ``permission``; None if it
    exists but the caller may not; CourseNotFound if missing. With ``lock``, the course row
    stays locked until the transaction ends."""
    query = select(Course).where(Course.course_id == course_id)
    if lock:
        # The row lock (PostgreSQL; SQLite serialises writers anyway) orders concurrent changes
        # to one course, so checks that read the whole course (cycles, orders) hold at commit.
        query = query.with_for_update().execution_options(populate_existing=True)
    course = await session.scalar(query)
    if course is None:
        raise CourseNotFound("No such course.")
    if is_admin(principal):
        return course
    if principal.can(permission) and await is_instructor(
        session=session, user_id=principal.user_id, course=course
    ):
        return course
    return None


async def _refuse(*, session: AsyncSession, principal: Principal, course_id: uuid.UUID) -> None:
    """Raises the refusal for a caller who may not act on the course: 403 if they can see it,
    404 otherwise."""
    course = await session.get(Course, course_id)
    if course is not None and await _may_read(session=session, principal=principal, course=course):
        raise CourseAccessDenied("Only the course's instructors and admins may do this.")
    raise CourseNotFound("No such course.")


async def get_course_for_write(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> Course:
    """The course if the caller may change it (its owner, a co-instructor, or an admin), locked
    until the end of the transaction.

    Others get CourseAccessDenied (403) when they can see the course, CourseNotFound otherwise.
    """
    course = await _teaching_course(
        session=session,
        principal=principal,
        course_id=course_id,
        permission=Permission.COURSE_WRITE,
        lock=True,
    )
    if course is None:
        await _refuse(session=session, principal=principal, course_id=course_id)
    assert course is not None
    return course


async def _get_course_as_owner(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> Course:
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    if not is_admin(principal) and course.owner_id != principal.user_id:
        raise CourseAccessDenied("Only the course's owner and admins may do this.")
    return course


async def can_see_content(
    *, session: AsyncSession, principal: Principal | None, course: Course
) -> bool:
    """Whether the caller may see the content of the course's items: its enrolled learners
    (published or archived course), its instructors and admins."""
    if principal is None:
        return False
    if is_admin(principal) or await is_instructor(
        session=session, user_id=principal.user_id, course=course
    ):
        return True
    return course.status in (CourseStatus.PUBLISHED, CourseStatus.ARCHIVED) and await is_enrolled(
        session=session, user_id=principal.user_id, course=course
    )


async def course_of_module(*, session: AsyncSession, module_id: uuid.UUID) -> Course:
    """The course a module belongs to (no access check: follow with one of the above)."""
    course = await session.scalar(
        select(Course)
        .join(Module, Module.course_id == Course.course_id)
        .where(Module.module_id == module_id)
    )
    if course is None:
        raise ModuleNotFound("No such module.")
    return course


def course_settings(course: Course) -> CourseSettings:
    """The course's rules for learners' work (feedback, attempts, passing score)."""
    return CourseSettings.model_validate(course.settings)


# ---------------------------------------------------------------------------------------------
# Reading a course: its outline (cached per revision) and the caller's relation to it


async def _build_outline(
    *, session: AsyncSession, course: Course, view: OutlineView
) -> list[OutlineModule]:
    modules_query = select(Module).where(Module.course_id == course.course_id)
    if view == "published":
        modules_query = modules_query.where(Module.status == ModuleStatus.PUBLISHED)
    modules = list(
        await session.scalars(
            modules_query.order_by(Module.sequence_number, Module.created_at, Module.module_id)
        )
    )
    module_ids = [m.module_id for m in modules]
    if not module_ids:
        return []
    edges = await session.execute(
        select(ModulePrerequisite.module_id, ModulePrerequisite.requires_id).where(
            ModulePrerequisite.module_id.in_(module_ids),
            ModulePrerequisite.requires_id.in_(module_ids),
        )
    )
    prerequisites: dict[uuid.UUID, list[uuid.UUID]] = {}
    for module_id, requires_id in edges:
        prerequisites.setdefault(module_id, []).append(requires_id)

    if view == "published":
        # Learners see each item as its published version has it; never-published items not.
        items_query = select(
            ContentItem.content_id,
            ContentItem.module_id,
            ContentVersion.title,
            ContentVersion.type,
            ContentItem.sequence_number,
            ContentItem.is_required,
        ).join(
            ContentVersion,
            and_(
                ContentVersion.content_id == ContentItem.content_id,
                ContentVersion.version == ContentItem.published_version,
            ),
        )
    else:
        items_query = select(
            ContentItem.content_id,
            ContentItem.module_id,
            ContentItem.title,
            ContentItem.type,
            ContentItem.sequence_number,
            ContentItem.is_required,
        )
    rows = await session.execute(
        items_query.where(ContentItem.module_id.in_(module_ids)).order_by(
            ContentItem.sequence_number, ContentItem.created_at, ContentItem.content_id
        )
    )
    items: dict[uuid.UUID, list[OutlineItem]] = {}
    for content_id, module_id, title, type_, sequence_number, is_required in rows:
        items.setdefault(module_id, []).append(
            OutlineItem(
                content_id=content_id,
                title=title,
                type=type_,
                sequence_number=sequence_number,
                is_required=is_required,
            )
        )
    return [
        OutlineModule(
            module_id=m.module_id,
            title=m.title,
            description=m.description,
            description_html=render_markdown(m.description),
            sequence_number=m.sequence_number,
            status=ModuleStatus(m.status),
            prerequisite_ids=sorted(prerequisites.get(m.module_id, []), key=module_ids.index),
            items=items.get(m.module_id, []),
        )
        for m in modules
    ]


async def course_outline(
    *, session: AsyncSession, cache: Cache, course: Course, view: OutlineView
) -> list[OutlineModule]:
    """The course's modules in order with their items (never their content).

    ``full`` is what instructors see (every module and item, as drafted); ``published`` what
    learners see (published modules, and items as last published). Cached by revision: a
    change anywhere in the course bumps it, so a cached outline is never stale, and it is
    stored only once the transaction that read it has committed.
    """
    key = f"content:outline:{OUTLINE_FORMAT}:{course.course_id}:{course.revision}:{view}"
    cached = await cache.get(key)
    if cached is not None:
        return _outline_adapter.validate_json(cached)
    outline = await _build_outline(session=session, course=course, view=view)
    payload = _outline_adapter.dump_json(outline).decode()

    async def store() -> None:
        await cache.set(key, payload, ttl_seconds=OUTLINE_CACHE_SECONDS)

    after_commit(session, store)
    return outline


async def viewer_of(
    *, session: AsyncSession, principal: Principal | None, course: Course
) -> Viewer:
    if principal is None:
        return Viewer(is_enrolled=False, is_instructor=False, can_edit=False, can_see_content=False)
    instructor = await is_instructor(session=session, user_id=principal.user_id, course=course)
    enrolled = await is_enrolled(session=session, user_id=principal.user_id, course=course)
    return Viewer(
        is_enrolled=enrolled,
        is_instructor=instructor,
        can_edit=is_admin(principal) or (instructor and principal.can(Permission.COURSE_WRITE)),
        can_see_content=await can_see_content(session=session, principal=principal, course=course),
    )


async def course_view(
    *, session: AsyncSession, cache: Cache, principal: Principal | None, course: Course
) -> CourseRead:
    """The course as its page shows it to the caller (access already checked)."""
    viewer = await viewer_of(session=session, principal=principal, course=course)
    view: OutlineView = "full" if viewer.can_edit or viewer.is_instructor else "published"
    (summary,) = await search.summaries(session=session, courses=[course])
    return CourseRead(
        **summary.model_dump(),
        description=course.description,
        description_html=render_markdown(course.description),
        settings=course_settings(course),
        archived_at=course.archived_at,
        updated_at=course.updated_at,
        revision=course.revision,
        modules=await course_outline(session=session, cache=cache, course=course, view=view),
        viewer=viewer,
    )


async def read_course(
    *, session: AsyncSession, cache: Cache, principal: Principal | None, course_id: uuid.UUID
) -> CourseRead:
    course = await get_course_for_read(session=session, principal=principal, course_id=course_id)
    return await course_view(session=session, cache=cache, principal=principal, course=course)


def _check_catalog_query(principal: Principal | None, query: search.CatalogQuery) -> None:
    """``mine`` needs a caller; a status other than published needs ``mine`` or an admin."""
    if query.mine and principal is None:
        raise Unauthorized("Sign in to list the courses you teach.")
    if (
        query.status not in (None, CourseStatus.PUBLISHED)
        and not query.mine
        and not is_admin(principal)
    ):
        raise StatusFilterDenied(
            "Only admins may list other people's courses by status; add mine=true for yours."
        )


# ---------------------------------------------------------------------------------------------
# Reading through the cache: course pages and catalog pages, ready to send


@dataclass(frozen=True, slots=True)
class Document:
    """A JSON response body with its ETag. ``conditional``: the ETag names exactly this body,
    so that a client holding it may be answered 304 (and the body never joined). ``personal``:
    it depends on who asks."""

    etag: str
    parts: tuple[str, ...]
    conditional: bool
    personal: bool

    def json(self) -> str:
        return "".join(self.parts)


_PUBLIC_VIEWER = Viewer(
    is_enrolled=False, is_instructor=False, can_edit=False, can_see_content=False
)
_ENROLLED_VIEWER = Viewer(
    is_enrolled=True, is_instructor=False, can_edit=False, can_see_content=True
)
# What closes a cached page's JSON, after its last field, for learners enrolled or not (anyone
# else who is not teaching the course sees it as a learner not enrolled).
_VIEWER_TAILS = {
    enrolled: ',"viewer":' + viewer.model_dump_json() + "}"
    for enrolled, viewer in ((False, _PUBLIC_VIEWER), (True, _ENROLLED_VIEWER))
}


@dataclass(frozen=True, slots=True)
class _CoursePage:
    """A course as everyone who does not teach it sees it, as cached: ``json_head`` is the JSON
    of its published view without ``viewer`` and the closing brace (None for a draft, which
    they may not see) and ``digest`` names it."""

    revision: int
    status: CourseStatus
    teacher_ids: frozenset[str]
    digest: str
    json_head: str | None

    def dumps(self) -> str:
        teachers = ",".join(sorted(self.teacher_ids))
        # JSON escapes line breaks, so the head is the one field that may follow the last one.
        fields = [str(self.revision), self.status, teachers, self.digest, self.json_head or ""]
        return "\n".join(fields)

    @classmethod
    def loads(cls, text: str) -> "_CoursePage":
        revision, status, teachers, digest, head = text.split("\n", 4)
        return cls(
            revision=int(revision),
            status=CourseStatus(status),
            teacher_ids=frozenset(teachers.split(",")) if teachers else frozenset(),
            digest=digest,
            json_head=head or None,
        )


async def _course_page(*, session: AsyncSession, cache: Cache, course: Course) -> _CoursePage:
    teacher_ids = frozenset(str(i) for i in await _instructor_ids(session=session, course=course))
    head = None
    if course.status in (CourseStatus.PUBLISHED, CourseStatus.ARCHIVED):
        read = await course_view(session=session, cache=cache, principal=None, course=course)
        head = read.model_dump_json(exclude={"viewer"})[:-1]
    return _CoursePage(
        revision=course.revision,
        status=CourseStatus(course.status),
        teacher_ids=teacher_ids,
        digest=digest(head or "", 10),
        json_head=head,
    )


async def _teaching_document(
    *, session: AsyncSession, cache: Cache, principal: Principal, course_id: uuid.UUID
) -> Document:
    """The course as its instructors and admins see it, from the database. Its ETag is the
    revision, which their changes send back in If-Match; it does not name the whole body (the
    enrollment count changes without a new revision), so the body is always sent."""
    course = await get_course_for_read(session=session, principal=principal, course_id=course_id)
    read = await course_view(session=session, cache=cache, principal=principal, course=course)
    return Document(
        etag=etag(course.revision),
        parts=(read.model_dump_json(),),
        conditional=False,
        personal=True,
    )


def _store_after_commit(
    session: AsyncSession, cache: Cache, key: str, value: str, ttl_seconds: int
) -> None:
    async def store() -> None:
        await cache.set(key, value, ttl_seconds=ttl_seconds)

    after_commit(session, store)


async def course_document(
    *,
    session: AsyncSession,
    cache: Cache,
    derived_cache: Cache,
    principal: Principal | None,
    course_id: uuid.UUID,
    ttl_seconds: int,
) -> Document:
    """GET /courses/{id}: the course page for the caller, if they may see it (CourseNotFound
    otherwise, as ``get_course_for_read``).

    Admins and the course's instructors get it from the database (they see drafts). Everyone
    else gets the published view, the same for all but ``viewer``, from the cache when it is
    there: then, with the learner's enrollment cached too, no database query at all. Its ETag,
    ``W/"<revision>-<digest of the page><p|e>"`` (not enrolled, enrolled), names the body.

    The generation is read from ``cache``; what is keyed by it, from ``derived_cache``, which
    may keep a copy in process (a key's value never changes: a change makes a new key).
    """
    if principal is not None and is_admin(principal):
        return await _teaching_document(
            session=session, cache=cache, principal=principal, course_id=course_id
        )
    generation_key = _course_generation_key(course_id)
    generation = await cache.get(generation_key)
    cached = None
    if generation is not None:
        cached = await derived_cache.get(
            f"content:course:{course_id}:{generation}:page:{PAGE_FORMAT}"
        )
    count_lookup("course_page", hit=cached is not None)
    if cached is not None:
        page = _CoursePage.loads(cached)
    else:
        course = await session.get(Course, course_id)
        if course is None:
            raise CourseNotFound("No such course.")
        page = await _course_page(session=session, cache=cache, course=course)
        if generation is None:
            generation = await start_generation(
                cache, generation_key, ttl_seconds=GENERATION_SECONDS
            )
        if generation is not None:
            key = f"content:course:{course_id}:{generation}:page:{PAGE_FORMAT}"
            _store_after_commit(session, derived_cache, key, page.dumps(), ttl_seconds)

    if principal is not None and str(principal.user_id) in page.teacher_ids:
        return await _teaching_document(
            session=session, cache=cache, principal=principal, course_id=course_id
        )
    if page.json_head is None:
        raise CourseNotFound("No such course.")
    enrolled = principal is not None and await _cached_enrollment(
        session=session,
        cache=derived_cache,
        user_id=principal.user_id,
        course_id=course_id,
        generation=generation,
        ttl_seconds=ttl_seconds,
    )
    if page.status == CourseStatus.ARCHIVED and not enrolled:
        raise CourseNotFound("No such course.")
    return Document(
        etag=f'W/"{page.revision}-{page.digest}{"e" if enrolled else "p"}"',
        parts=(page.json_head, _VIEWER_TAILS[enrolled]),
        conditional=True,
        personal=principal is not None,
    )


async def _cached_enrollment(
    *,
    session: AsyncSession,
    cache: Cache,
    user_id: uuid.UUID,
    course_id: uuid.UUID,
    generation: str | None,
    ttl_seconds: int,
) -> bool:
    """Whether the learner is enrolled, cached under the course's generation (which every
    enrollment and drop renews)."""
    key = f"content:course:{course_id}:{generation}:enrolled:{user_id}"
    cached = await cache.get(key) if generation is not None else None
    count_lookup("course_enrollment", hit=cached is not None)
    if cached is not None:
        return cached == "1"
    enrolled = await _is_enrolled_in(session=session, user_id=user_id, course_id=course_id)
    if generation is not None:
        _store_after_commit(session, cache, key, "1" if enrolled else "0", ttl_seconds)
    return enrolled


async def catalog_document(
    *,
    session: AsyncSession,
    cache: Cache,
    derived_cache: Cache,
    principal: Principal | None,
    query: search.CatalogQuery,
    offset: int,
    limit: int,
    ttl_seconds: int,
) -> Document:
    """GET /courses/list: a page of the catalog (see ``search.list_courses``) as JSON. Listings of
    published courses are the same for every caller and read through the cache, under the
    catalog's generation (read from ``cache``; the pages from ``derived_cache``, as in
    ``course_document``); ``mine`` and other statuses are built every time."""
    _check_catalog_query(principal, query)
    if not search.is_public_listing(query):
        courses, total = await search.list_courses(
            session=session, principal=principal, query=query, offset=offset, limit=limit
        )
        body = Page(items=courses, total=total, offset=offset, limit=limit).model_dump_json()
        return Document(etag=etag_of(body), parts=(body,), conditional=True, personal=True)

    generation = await cache.get(CATALOG_GENERATION_KEY)
    listing = search.listing_key(query, offset=offset, limit=limit)
    cached = None
    if generation is not None:
        cached = await derived_cache.get(f"content:catalog:{generation}:{PAGE_FORMAT}:{listing}")
    count_lookup("catalog_page", hit=cached is not None)
    if cached is not None:
        tag, body = cached.split("\n", 1)
        return Document(etag=tag, parts=(body,), conditional=True, personal=False)

    courses, total = await search.list_courses(
        session=session, principal=principal, query=query, offset=offset, limit=limit
    )
    body = Page(items=courses, total=total, offset=offset, limit=limit).model_dump_json()
    tag = etag_of(body)
    if generation is None:
        generation = await start_generation(
            cache, CATALOG_GENERATION_KEY, ttl_seconds=GENERATION_SECONDS
        )
    if generation is not None:
        key = f"content:catalog:{generation}:{PAGE_FORMAT}:{listing}"
        _store_after_commit(session, derived_cache, key, f"{tag}\n{body}", ttl_seconds)
    return Document(etag=tag, parts=(body,), conditional=True, personal=False)


# ---------------------------------------------------------------------------------------------
# Writing courses


def slugify(text: str) -> str:
    """A URL slug from a title: ASCII letters and digits joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    if len(slug) < 3:
        slug = f"course-{slug}".strip("-")
    return slug


async def _free_slug(*, session: AsyncSession, base: str) -> str:
    taken = set(
        await session.scalars(
            select(Course.slug).where((Course.slug == base) | Course.slug.startswith(base + "-"))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


async def _insert_course(
    *, session: AsyncSession, course: Course, generated_from: str | None
) -> None:
    """Inserts the course. A slug the caller chose and someone took meanwhile is a SlugTaken;
    a generated one is generated again (numbered, then with a random suffix)."""
    for attempt in range(4):
        try:
            # Added inside the savepoint: begin_nested() flushes what is pending before it.
            async with session.begin_nested():
                session.add(course)
                await session.flush()
            return
        except IntegrityError as exc:
            if generated_from is None or attempt == 3:
                raise SlugTaken(f"The slug {course.slug!r} is already used by a course.") from exc
            course.slug = (
                await _free_slug(session=session, base=generated_from)
                if attempt == 0
                else f"{generated_from}-{secrets.token_hex(3)}"
            )


async def _change_slug(*, session: AsyncSession, course: Course, slug: str) -> None:
    try:
        async with session.begin_nested():
            course.slug = slug
            await session.flush()
    except IntegrityError as exc:
        raise SlugTaken(f"The slug {slug!r} is already used by a course.") from exc


async def _ensure_slug_free(
    *, session: AsyncSession, slug: str, course_id: uuid.UUID | None
) -> None:
    query = select(Course.course_id).where(Course.slug == slug)
    if course_id is not None:
        query = query.where(Course.course_id != course_id)
    if await session.scalar(query) is not None:
        raise SlugTaken(f"The slug {slug!r} is already used by a course.")


async def _ensure_cover_image(*, session: AsyncSession, media_id: uuid.UUID) -> None:
    kind = await session.scalar(select(Media.kind).where(Media.media_id == media_id))
    if kind is None:
        raise UnknownMedia(f"There is no media file {media_id}.", field="cover_media_id")
    if kind != "image":
        raise UnknownMedia(f"The media file {media_id} is not an image.", field="cover_media_id")


async def _instructor_ids(*, session: AsyncSession, course: Course) -> list[uuid.UUID]:
    co = await session.scalars(
        select(CourseInstructor.user_id)
        .where(CourseInstructor.course_id == course.course_id)
        .order_by(CourseInstructor.added_at, CourseInstructor.user_id)
    )
    return [course.owner_id, *co]


async def refresh_search_document(*, session: AsyncSession, course: Course) -> None:
    """Rewrites what the catalog's full-text search matches the course by. Called by every
    change to its title, summary, tags or instructors (and for instructors' renames)."""
    ids = await _instructor_ids(session=session, course=course)
    names = await search.display_names(session=session, user_ids=ids)
    course.search_document = search.search_document(
        title=course.title,
        summary=course.summary,
        tags=course.tags,
        instructor_names=[names[i] for i in ids if i in names],
    )


async def refresh_search_documents_of_user(*, session: AsyncSession, user_id: uuid.UUID) -> None:
    """For the accounts service after a user's display name changed: the courses they teach
    are found by the new name."""
    courses = list(await session.scalars(select(Course).where(search.taught_by(user_id))))
    for course in courses:
        await refresh_search_document(session=session, course=course)
    # Course pages and catalog entries show instructors' names.
    retire_cached_after_commit(
        session,
        course_ids=[course.course_id for course in courses],
        catalog=any(course.published_at is not None for course in courses),
    )


async def create_course(
    *, session: AsyncSession, principal: Principal, course_in: CourseCreate
) -> Course:
    """Creates a draft course owned by the caller (who needs Permission.COURSE_CREATE)."""
    if course_in.cover_media_id is not None:
        await _ensure_cover_image(session=session, media_id=course_in.cover_media_id)
    if course_in.slug is not None:
        await _ensure_slug_free(session=session, slug=course_in.slug, course_id=None)
        slug, generated_from = course_in.slug, None
    else:
        generated_from = slugify(course_in.title)
        slug = await _free_slug(session=session, base=generated_from)
    course = Course(
        slug=slug,
        title=course_in.title,
        summary=course_in.summary,
        description=course_in.description,
        level=course_in.level,
        language=course_in.language,
        tags=course_in.tags,
        cover_media_id=course_in.cover_media_id,
        estimated_minutes=course_in.estimated_minutes,
        settings=course_in.settings.model_dump(),
        status=CourseStatus.DRAFT,
        owner_id=principal.user_id,
        revision=1,
    )
    await refresh_search_document(session=session, course=course)
    await _insert_course(session=session, course=course, generated_from=generated_from)
    return course


_SEARCHED_FIELDS = {"title", "summary", "tags"}


async def update_course(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    changes: CourseUpdate,
    precondition: Precondition,
) -> Course:
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    precondition.check(course)
    values = changes.model_dump(exclude_unset=True, exclude={"settings"})
    if values.get("cover_media_id") is not None:
        await _ensure_cover_image(session=session, media_id=values["cover_media_id"])
    slug = values.pop("slug", course.slug)
    if slug != course.slug:
        await _ensure_slug_free(session=session, slug=slug, course_id=course.course_id)
    for field, value in values.items():
        setattr(course, field, value)
    if changes.settings is not None:
        course.settings = CourseSettings.model_validate(
            {**course.settings, **changes.settings.model_dump(exclude_unset=True)}
        ).model_dump()
    if _SEARCHED_FIELDS & values.keys():
        await refresh_search_document(session=session, course=course)
    if slug != course.slug:
        await _change_slug(session=session, course=course, slug=slug)
    await _changed(session=session, course=course, precondition=precondition)
    return course


async def delete_course(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    precondition: Precondition | None,
) -> None:
    """Deletes a course and everything in it; refused once anyone has enrolled (archive it)."""
    course = await _get_course_as_owner(session=session, principal=principal, course_id=course_id)
    if precondition is not None:
        precondition.check(course)
    if await session.scalar(select(exists().where(Enrollment.course_id == course.course_id))):
        raise CourseInUse("Learners have enrolled in this course: archive it instead.")
    await session.delete(course)
    await session.flush()
    retire_cached_after_commit(
        session, course_ids=[course.course_id], catalog=course.published_at is not None
    )


async def publish_course(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    precondition: Precondition | None,
) -> Course:
    """Publishes the course and every module in it (again, for a published course: modules
    added since become visible). An archived course must be restored first."""
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    if precondition is not None:
        precondition.check(course)
    if course.status == CourseStatus.ARCHIVED:
        raise InvalidStatusChange("This course is archived: restore it before publishing.")
    course.status = CourseStatus.PUBLISHED
    if course.published_at is None:
        course.published_at = utcnow()
    await session.execute(
        update(Module)
        .where(Module.course_id == course.course_id)
        .values(status=ModuleStatus.PUBLISHED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await _changed(session=session, course=course, precondition=precondition)
    return course


async def archive_course(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    precondition: Precondition | None,
) -> Course:
    """Archives the course: gone from the catalog, still open to the learners enrolled."""
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    if precondition is not None:
        precondition.check(course)
    if course.status != CourseStatus.ARCHIVED:
        course.status = CourseStatus.ARCHIVED
        course.archived_at = utcnow()
        await _changed(session=session, course=course, precondition=precondition)
    return course


async def restore_course(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    precondition: Precondition | None,
) -> Course:
    """Brings an archived course back: published if it ever was, a draft otherwise."""
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    if precondition is not None:
        precondition.check(course)
    if course.status == CourseStatus.ARCHIVED:
        course.status = (
            CourseStatus.PUBLISHED if course.published_at is not None else CourseStatus.DRAFT
        )
        course.archived_at = None
        await _changed(session=session, course=course, precondition=precondition)
    return course


async def duplicate_course(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    request: CourseDuplicate,
) -> Course:
    """A draft copy owned by the caller: the course's fields, its modules, their prerequisites,
    and its items with their current content as their version 1."""
    source = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    if not principal.can(Permission.COURSE_CREATE):
        raise CourseAccessDenied("Duplicating a course needs the permission to create courses.")
    title = request.title or f"{source.title} (copy)"[:255]
    if request.slug is not None:
        await _ensure_slug_free(session=session, slug=request.slug, course_id=None)
        slug, generated_from = request.slug, None
    else:
        generated_from = slugify(title)
        slug = await _free_slug(session=session, base=generated_from)
    course = Course(
        slug=slug,
        title=title,
        summary=source.summary,
        description=source.description,
        level=source.level,
        language=source.language,
        tags=list(source.tags),
        cover_media_id=source.cover_media_id,
        estimated_minutes=source.estimated_minutes,
        settings=copy.deepcopy(source.settings),
        status=CourseStatus.DRAFT,
        owner_id=principal.user_id,
        revision=1,
    )
    await refresh_search_document(session=session, course=course)
    await _insert_course(session=session, course=course, generated_from=generated_from)

    modules = list(
        await session.scalars(
            select(Module)
            .where(Module.course_id == source.course_id)
            .order_by(Module.sequence_number, Module.created_at)
        )
    )
    # Old id -> copy's id, for modules and for items.
    new_module_ids = {m.module_id: uuid.uuid4() for m in modules}
    session.add_all(
        Module(
            module_id=new_module_ids[m.module_id],
            course_id=course.course_id,
            title=m.title,
            description=m.description,
            sequence_number=m.sequence_number,
            status=ModuleStatus.DRAFT,
        )
        for m in modules
    )
    await session.flush()

    edges = await session.execute(
        select(ModulePrerequisite.module_id, ModulePrerequisite.requires_id).where(
            ModulePrerequisite.module_id.in_(new_module_ids)
        )
    )
    session.add_all(
        ModulePrerequisite(module_id=new_module_ids[a], requires_id=new_module_ids[b])
        for a, b in edges
        if b in new_module_ids
    )
    items = list(
        await session.scalars(select(ContentItem).where(ContentItem.module_id.in_(new_module_ids)))
    )
    skill_rows = await session.execute(
        select(ContentItemSkill.content_id, ContentItemSkill.skill_id).where(
            ContentItemSkill.content_id.in_([i.content_id for i in items])
        )
    )
    skills: dict[uuid.UUID, list[uuid.UUID]] = {}
    for content_id, skill_id in skill_rows:
        skills.setdefault(content_id, []).append(skill_id)
    new_item_ids = {i.content_id: uuid.uuid4() for i in items}
    session.add_all(
        ContentItem(
            content_id=new_item_ids[i.content_id],
            module_id=new_module_ids[i.module_id],
            title=i.title,
            sequence_number=i.sequence_number,
            type=i.type,
            content=copy.deepcopy(i.content),
            metadata_=copy.deepcopy(i.metadata_),
            version=1,
            published_version=None,
            is_required=i.is_required,
        )
        for i in items
    )
    await session.flush()
    for item in items:
        new_id = new_item_ids[item.content_id]
        item_skills = sorted(skills.get(item.content_id, []))
        session.add(
            ContentVersion(
                content_id=new_id,
                version=1,
                type=item.type,
                title=item.title,
                content=copy.deepcopy(item.content),
                metadata_=copy.deepcopy(item.metadata_),
                skill_ids=[str(s) for s in item_skills],
                author_id=principal.user_id,
                change_note=f"Copied from the course {source.slug!r}.",
            )
        )
        session.add_all(ContentItemSkill(content_id=new_id, skill_id=s) for s in item_skills)
    await session.flush()
    return course


# ---------------------------------------------------------------------------------------------
# Co-instructors


async def add_co_instructor(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID, user_id: uuid.UUID
) -> Course:
    """Adds an instructor or admin as co-instructor (the owner and admins may). Idempotent."""
    course = await _get_course_as_owner(session=session, principal=principal, course_id=course_id)
    if user_id == course.owner_id:
        raise InvalidCoInstructor("This user owns the course already.")
    try:
        user = await auth_service.get_user(session=session, user_id=user_id)
    except NotFound as exc:
        raise InvalidCoInstructor("There is no such user.") from exc
    if not user.is_active:
        raise InvalidCoInstructor("This account is deactivated.")
    permissions = await auth_service.permissions_of(session=session, user=user)
    if Permission.COURSE_WRITE not in permissions:
        raise InvalidCoInstructor("Only instructors and admins can co-teach a course.")
    if await is_instructor(session=session, user_id=user_id, course=course):
        return course
    session.add(CourseInstructor(course_id=course.course_id, user_id=user_id))
    await session.flush()
    await refresh_search_document(session=session, course=course)
    await bump_revision(session=session, course=course)
    return course


async def remove_co_instructor(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID, user_id: uuid.UUID
) -> Course:
    """Removes a co-instructor: the owner and admins may remove anyone, a co-instructor
    themselves. Idempotent."""
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    if (
        not is_admin(principal)
        and course.owner_id != principal.user_id
        and principal.user_id != user_id
    ):
        raise CourseAccessDenied("Only the course's owner and admins may remove co-instructors.")
    removed = await session.execute(
        delete(CourseInstructor).where(
            CourseInstructor.course_id == course.course_id, CourseInstructor.user_id == user_id
        )
    )
    if removed.rowcount:
        await refresh_search_document(session=session, course=course)
        await bump_revision(session=session, course=course)
    return course


# ---------------------------------------------------------------------------------------------
# Modules


async def _module_in(*, session: AsyncSession, course: Course, module_id: uuid.UUID) -> Module:
    module = await session.get(Module, module_id)
    if module is None or module.course_id != course.course_id:
        raise ModuleNotFound("No such module in this course.")
    return module


async def _module_view(
    *, session: AsyncSession, cache: Cache, course: Course, module: Module, view: OutlineView
) -> ModuleRead:
    outline = await course_outline(session=session, cache=cache, course=course, view=view)
    for entry in outline:
        if entry.module_id == module.module_id:
            return ModuleRead(
                **entry.model_dump(),
                course_id=course.course_id,
                created_at=module.created_at,
                updated_at=module.updated_at,
            )
    raise ModuleNotFound("No such module in this course.")


async def read_module(
    *,
    session: AsyncSession,
    cache: Cache,
    principal: Principal | None,
    course_id: uuid.UUID,
    module_id: uuid.UUID,
) -> tuple[Course, ModuleRead]:
    course = await get_course_for_read(session=session, principal=principal, course_id=course_id)
    module = await _module_in(session=session, course=course, module_id=module_id)
    viewer = await viewer_of(session=session, principal=principal, course=course)
    view: OutlineView = "full" if viewer.can_edit or viewer.is_instructor else "published"
    return course, await _module_view(
        session=session, cache=cache, course=course, module=module, view=view
    )


async def module_view_for_editor(
    *, session: AsyncSession, cache: Cache, course: Course, module_id: uuid.UUID
) -> ModuleRead:
    """A module as its instructors see it, after a change."""
    module = await _module_in(session=session, course=course, module_id=module_id)
    return await _module_view(
        session=session, cache=cache, course=course, module=module, view="full"
    )


async def create_module(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    module_in: ModuleCreate,
    precondition: Precondition | None,
) -> tuple[Course, Module]:
    """Adds a draft module at the end of the course."""
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    if precondition is not None:
        precondition.check(course)
    last = await session.scalar(
        select(func.max(Module.sequence_number)).where(Module.course_id == course.course_id)
    )
    module = Module(
        course_id=course.course_id,
        title=module_in.title,
        description=module_in.description,
        sequence_number=(last or 0) + 1,
        status=ModuleStatus.DRAFT,
    )
    session.add(module)
    await session.flush()
    await _changed(session=session, course=course, precondition=precondition)
    return course, module


async def update_module(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    changes: ModuleUpdate,
    precondition: Precondition,
) -> tuple[Course, Module]:
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    module = await _module_in(session=session, course=course, module_id=module_id)
    precondition.check(course)
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(module, field, value)
    await session.flush()
    await _changed(session=session, course=course, precondition=precondition)
    return course, module


async def delete_module(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    precondition: Precondition | None,
) -> Course:
    """Deletes a module with its items (and learners' progress on them); the modules after it
    move up one place."""
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    module = await _module_in(session=session, course=course, module_id=module_id)
    if precondition is not None:
        precondition.check(course)
    await session.delete(module)
    await session.flush()
    remaining = await session.scalars(
        select(Module)
        .where(Module.course_id == course.course_id)
        .order_by(Module.sequence_number, Module.created_at, Module.module_id)
    )
    for number, other in enumerate(remaining, start=1):
        other.sequence_number = number
    await _changed(session=session, course=course, precondition=precondition)
    return course


def _check_same_elements(given: list[uuid.UUID], current: list[uuid.UUID], *, what: str) -> None:
    duplicates = sorted({str(i) for i in given if given.count(i) > 1})
    unknown = sorted(str(i) for i in set(given) - set(current))
    missing = sorted(str(i) for i in set(current) - set(given))
    if duplicates or unknown or missing:
        raise ReorderMismatch(
            f"The new order must list each of the {len(current)} {what} exactly once.",
            missing=missing,
            unknown=unknown,
            duplicates=duplicates,
        )


async def reorder_modules(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    module_ids: list[uuid.UUID],
    precondition: Precondition | None,
) -> Course:
    """Puts the course's modules in the given order, which must list each exactly once."""
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    if precondition is not None:
        precondition.check(course)
    modules = {
        m.module_id: m
        for m in await session.scalars(select(Module).where(Module.course_id == course.course_id))
    }
    _check_same_elements(module_ids, list(modules), what="modules of the course")
    for number, module_id in enumerate(module_ids, start=1):
        modules[module_id].sequence_number = number
    await session.flush()
    await _changed(session=session, course=course, precondition=precondition)
    return course


async def reorder_items(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    item_ids: list[uuid.UUID],
    precondition: Precondition | None,
) -> Course:
    """Puts the module's items in the given order, which must list each exactly once."""
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    module = await _module_in(session=session, course=course, module_id=module_id)
    if precondition is not None:
        precondition.check(course)
    items = {
        i.content_id: i
        for i in await session.scalars(
            select(ContentItem).where(ContentItem.module_id == module.module_id)
        )
    }
    _check_same_elements(item_ids, list(items), what="items of the module")
    for number, content_id in enumerate(item_ids, start=1):
        items[content_id].sequence_number = number
    await session.flush()
    await _changed(session=session, course=course, precondition=precondition)
    return course


async def set_module_prerequisites(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    requires_ids: list[uuid.UUID],
    precondition: Precondition | None,
) -> Course:
    """Replaces the modules a module requires. They must be modules of the same course, and the
    prerequisites must stay free of cycles; otherwise nothing changes."""
    course = await get_course_for_write(session=session, principal=principal, course_id=course_id)
    module = await _module_in(session=session, course=course, module_id=module_id)
    if precondition is not None:
        precondition.check(course)
    requires = list(dict.fromkeys(requires_ids))
    titles: dict[uuid.UUID, str] = {
        module_id: title
        for module_id, title in await session.execute(
            select(Module.module_id, Module.title).where(Module.course_id == course.course_id)
        )
    }
    unknown = [str(r) for r in requires if r not in titles]
    if unknown:
        raise InvalidPrerequisite(
            "Prerequisites must be modules of the same course.", unknown=unknown
        )
    kept = [
        (node, requires)
        for node, requires in await session.execute(
            select(ModulePrerequisite.module_id, ModulePrerequisite.requires_id).where(
                ModulePrerequisite.module_id.in_(titles),
                ModulePrerequisite.module_id != module.module_id,
            )
        )
    ]
    try:
        ensure_acyclic(kept, [(module.module_id, r) for r in requires])
    except PrerequisiteCycle as exc:
        path = " -> ".join(repr(titles[node]) for node in exc.cycle)
        raise PrerequisiteCycle(
            exc.cycle, f"These prerequisites would form a cycle: {path}."
        ) from None
    await session.execute(
        delete(ModulePrerequisite).where(ModulePrerequisite.module_id == module.module_id)
    )
    session.add_all(ModulePrerequisite(module_id=module.module_id, requires_id=r) for r in requires)
    await session.flush()
    await _changed(session=session, course=course, precondition=precondition)
    return course


# ---------------------------------------------------------------------------------------------
# Enrollment


async def enroll(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> tuple[Enrollment, bool]:
    """Enrolls the caller in a published course; returns the enrollment and whether it is new
    (enrolling again changes nothing; after dropping out it is active again)."""
    course = await get_course_for_read(session=session, principal=principal, course_id=course_id)
    enrollment = await _enrollment(session=session, user_id=principal.user_id, course=course)
    if enrollment is not None and enrollment.status == ACTIVE:
        return enrollment, False
    if course.status != CourseStatus.PUBLISHED:
        raise NotEnrollable("Only published courses accept enrollments.")
    # The course page shows the learner's enrollment, and it and the catalog the count.
    retire_cached_after_commit(session, course_ids=[course.course_id], catalog=True)
    if enrollment is not None:
        enrollment.status = ACTIVE
        enrollment.dropped_at = None
        await session.flush()
        await _record_enrolled(session=session, enrollment=enrollment, reactivated=True)
        return enrollment, False
    enrollment = Enrollment(user_id=principal.user_id, course_id=course.course_id, status=ACTIVE)
    try:
        async with session.begin_nested():
            session.add(enrollment)
            await session.flush()
    except IntegrityError:  # a concurrent request enrolled first
        existing = await _enrollment(session=session, user_id=principal.user_id, course=course)
        assert existing is not None
        return existing, False
    await _record_enrolled(session=session, enrollment=enrollment, reactivated=False)
    return enrollment, True


async def _record_enrolled(
    *, session: AsyncSession, enrollment: Enrollment, reactivated: bool
) -> None:
    await events.record(
        session=session,
        type=events.EventType.ENROLLED,
        user_id=enrollment.user_id,
        course_id=enrollment.course_id,
        payload={
            "course_id": str(enrollment.course_id),
            "enrolled_at": enrollment.enrolled_at.isoformat(),
            "reactivated": reactivated,
        },
    )


async def _enrollment(
    *, session: AsyncSession, user_id: uuid.UUID, course: Course
) -> Enrollment | None:
    return await session.scalar(
        select(Enrollment).where(
            Enrollment.user_id == user_id, Enrollment.course_id == course.course_id
        )
    )


async def unenroll(*, session: AsyncSession, principal: Principal, course_id: uuid.UUID) -> None:
    """Marks the caller's enrollment dropped (their progress stays). Idempotent."""
    course = await get_course_for_read(session=session, principal=principal, course_id=course_id)
    enrollment = await _enrollment(session=session, user_id=principal.user_id, course=course)
    if enrollment is not None and enrollment.status == ACTIVE:
        enrollment.status = DROPPED
        enrollment.dropped_at = utcnow()
        await session.flush()
        retire_cached_after_commit(
            session,
            course_ids=[course.course_id],
            catalog=course.status == CourseStatus.PUBLISHED,
        )


async def my_courses(
    *, session: AsyncSession, principal: Principal, offset: int, limit: int
) -> tuple[list[MyCourse], int]:
    """The caller's active enrollments, most recent first."""
    condition = and_(
        Enrollment.user_id == principal.user_id,
        Enrollment.status == ACTIVE,
        Course.status.in_([CourseStatus.PUBLISHED, CourseStatus.ARCHIVED]),
    )
    base = select(Enrollment, Course).join(Course, Course.course_id == Enrollment.course_id)
    total = await session.scalar(select(func.count()).select_from(base.where(condition).subquery()))
    rows = (
        await session.execute(
            base.where(condition)
            .order_by(Enrollment.enrolled_at.desc(), Enrollment.enrollment_id)
            .offset(offset)
            .limit(limit)
        )
    ).all()
    summaries = await search.summaries(session=session, courses=[course for _, course in rows])
    return [
        MyCourse(enrollment=EnrollmentRead.model_validate(enrollment), course=summary)
        for (enrollment, _), summary in zip(rows, summaries, strict=True)
    ], total or 0


async def course_learners(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    status: Literal["active", "dropped"] | None,
    offset: int,
    limit: int,
) -> tuple[list[LearnerRead], int]:
    """The course's learners with names and emails, for its instructors and admins."""
    course = await _teaching_course(
        session=session,
        principal=principal,
        course_id=course_id,
        permission=Permission.LEARNERS_READ,
        lock=False,
    )
    if course is None:
        await _refuse(session=session, principal=principal, course_id=course_id)
    assert course is not None
    condition = [Enrollment.course_id == course.course_id]
    if status is not None:
        condition.append(Enrollment.status == status)
    total = await session.scalar(select(func.count()).where(*condition))
    rows = await session.execute(
        select(Enrollment, User.display_name, User.email)
        .join(User, User.user_id == Enrollment.user_id)
        .where(*condition)
        .order_by(func.lower(User.display_name), User.user_id)
        .offset(offset)
        .limit(limit)
    )
    return [
        LearnerRead(
            user_id=enrollment.user_id,
            display_name=name,
            email=email,
            status=enrollment.status,
            enrolled_at=enrollment.enrolled_at,
            dropped_at=enrollment.dropped_at,
        )
        for enrollment, name, email in rows
    ], total or 0
