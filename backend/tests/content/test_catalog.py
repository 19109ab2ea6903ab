"""The catalog: full-text search (FTS5 on SQLite, tsvector on PostgreSQL), filters, sorting,
pagination, and who may list what."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content import search
from learnwise.content.models import Course

from .factories import COURSES, Courses, People

LIST = f"{COURSES}/list"


async def titles(client, params: dict | None = None, who=None) -> list[str]:
    response = await client.get(LIST, params=params or {}, headers=who.headers if who else {})
    assert response.status_code == 200, response.text
    return [c["title"] for c in response.json()["items"]]


@pytest.fixture
async def catalog(courses: Courses, people: People) -> dict[str, str]:
    """Four published courses and a draft, taught by two instructors."""
    specs = [
        dict(
            title="Python for Data Science",
            summary="Pandas and plotting",
            tags=["python", "data"],
            level="intermediate",
            language="en-GB",
        ),
        dict(
            title="Baking Bread",
            summary="Sourdough from scratch",
            tags=["cooking"],
            level="beginner",
            language="fr",
        ),
        dict(
            title="Advanced Algorithms",
            summary="Graphs, flows and dynamic programming",
            tags=["cs"],
            level="advanced",
            language="en",
        ),
        dict(
            title="Zoology Basics",
            summary="Animals, with a Python notebook",
            tags=["biology"],
            level="beginner",
            language="en",
        ),
    ]
    ids = {}
    for spec in specs:
        course = await courses.create(people.owner, **spec)
        await courses.publish(people.owner, course["course_id"])
        ids[spec["title"]] = course["course_id"]
    other = await courses.create(
        people.other_instructor,
        title="Gardening",
        summary="Python-free",
        tags=["plants"],
        level="advanced",
    )
    await courses.publish(people.other_instructor, other["course_id"])
    ids["Gardening"] = other["course_id"]
    draft = await courses.create(people.owner, title="Python Secrets", summary="unreleased")
    ids["Python Secrets"] = draft["course_id"]
    return ids


async def test_search_finds_words_of_title_summary_tags_and_instructor_names(
    client, catalog, people: People
) -> None:
    owner_name = people.owner.email.split("@")[0]  # "owen-xxxxxx"

    assert await titles(client, {"q": "bread"}) == ["Baking Bread"]
    assert await titles(client, {"q": "sourdough"}) == ["Baking Bread"]
    assert await titles(client, {"q": "cooking"}) == ["Baking Bread"]
    assert set(await titles(client, {"q": "python"})) == {
        "Python for Data Science",
        "Zoology Basics",
        "Gardening",
    }
    assert await titles(client, {"q": "PYTHON pandas"}) == ["Python for Data Science"]
    assert len(await titles(client, {"q": owner_name})) == 4
    assert await titles(client, {"q": "nothing-like-this"}) == []


async def test_the_last_word_may_be_a_prefix(client, catalog) -> None:
    assert await titles(client, {"q": "algo"}) == ["Advanced Algorithms"]
    assert await titles(client, {"q": "dynamic prog"}) == ["Advanced Algorithms"]
    assert await titles(client, {"q": "prog dynamic"}) == []


async def test_relevance_ranks_title_matches_of_every_word_first(client, catalog) -> None:
    found = await titles(client, {"q": "python", "sort": "relevance"})
    assert found[0] == "Python for Data Science"


async def test_drafts_never_show_in_the_public_catalog(client, catalog, people: People) -> None:
    for who in (None, people.learner, people.owner):
        assert "Python Secrets" not in await titles(client, {"q": "python"}, who)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "AND (",
        "python AND",
        "NOT",
        "*",
        "python*",
        '"unbalanced',
        "col:python",
        "title:bread",
        "NEAR(a b)",
        "a OR b",
        "-python",
        "^bread",
        "python & | ! <-> :*",
        "'; DROP TABLE courses; --",
        "\\",
        "%_%",
        "🙂 emoji",
        "ünïcödé",
        "   ",
        "x" * 200,
        " ".join(["word"] * 40),
    ],
)
async def test_nasty_queries_never_fail(client, catalog, query: str) -> None:
    response = await client.get(LIST, params={"q": query})

    assert response.status_code == 200, response.text
    assert response.json()["total"] == len(response.json()["items"])


async def test_punctuation_is_only_a_separator(client, catalog) -> None:
    assert await titles(client, {"q": '"bread"'}) == ["Baking Bread"]
    assert await titles(client, {"q": "(baking) AND"}) == []  # "and" is a word, found nowhere
    assert await titles(client, {"q": "title:bread"}) == []  # "title" is a word too
    assert await titles(client, {"q": "baking* bread"}) == ["Baking Bread"]


async def test_an_overlong_query_is_a_422(client) -> None:
    response = await client.get(LIST, params={"q": "x" * 201})
    assert response.status_code == 422


async def test_filters(client, catalog, people: People) -> None:
    assert set(await titles(client, {"level": "beginner"})) == {"Baking Bread", "Zoology Basics"}
    assert await titles(client, {"tag": "Cooking"}) == ["Baking Bread"]
    assert await titles(client, {"tag": "python"}) == ["Python for Data Science"]
    assert set(await titles(client, {"language": "en"})) == {
        "Python for Data Science",
        "Advanced Algorithms",
        "Zoology Basics",
        "Gardening",
    }
    assert await titles(client, {"language": "en-GB"}) == ["Python for Data Science"]
    assert await titles(client, {"instructor_id": str(people.other_instructor.user_id)}) == [
        "Gardening"
    ]
    assert await titles(client, {"q": "python", "level": "beginner"}) == ["Zoology Basics"]


async def test_a_search_follows_a_title_change(
    client, courses: Courses, catalog, people: People
) -> None:
    course_id = catalog["Baking Bread"]
    response = await courses.patch(people.owner, course_id, {"title": "Pastry Basics"}, "*")
    assert response.status_code == 200

    assert await titles(client, {"q": "bread"}) == []
    assert await titles(client, {"q": "pastry"}) == ["Pastry Basics"]


async def test_a_co_instructor_is_found_by_name(
    client, courses: Courses, catalog, people: People, make_account
) -> None:
    marie = await make_account("instructor", email="marie.curie@example.org")
    await courses.add_co_instructor(people.owner, catalog["Zoology Basics"], marie.user_id)

    assert await titles(client, {"q": "marie"}) == ["Zoology Basics"]

    await client.delete(
        f"{COURSES}/{catalog['Zoology Basics']}/instructors/{marie.user_id}",
        headers=people.owner.headers,
    )
    assert await titles(client, {"q": "marie"}) == []


async def test_a_deleted_course_leaves_the_index(client, courses: Courses, people: People) -> None:
    course = await courses.create(people.owner, title="Ephemeral Topics")
    await client.delete(f"{COURSES}/{course['course_id']}", headers=people.owner.headers)

    assert await titles(client, {"q": "ephemeral", "mine": "true"}, people.owner) == []


async def test_sorting(client, courses: Courses, catalog, people: People) -> None:
    assert await titles(client, {"sort": "title"}) == [
        "Advanced Algorithms",
        "Baking Bread",
        "Gardening",
        "Python for Data Science",
        "Zoology Basics",
    ]
    newest = await titles(client, {"sort": "newest"})
    assert newest[0] == "Gardening"
    assert newest[-1] == "Python for Data Science"
    assert await titles(client) == newest

    for who in (people.learner, people.outsider):
        await courses.enroll(who, catalog["Zoology Basics"])
    await courses.enroll(people.learner, catalog["Baking Bread"])
    popular = await titles(client, {"sort": "popularity"})
    assert popular[:2] == ["Zoology Basics", "Baking Bread"]
    response = await client.get(LIST, params={"sort": "popularity"})
    counts = [c["enrollment_count"] for c in response.json()["items"]]
    assert counts[:3] == [2, 1, 0]


async def test_pagination_with_totals(client, catalog) -> None:
    first = (await client.get(LIST, params={"sort": "title", "limit": 2})).json()
    last = (await client.get(LIST, params={"sort": "title", "limit": 2, "offset": 4})).json()
    beyond = (await client.get(LIST, params={"offset": 50})).json()
    searched = (await client.get(LIST, params={"q": "python", "limit": 1})).json()

    assert (first["total"], first["offset"], first["limit"]) == (5, 0, 2)
    assert [c["title"] for c in first["items"]] == ["Advanced Algorithms", "Baking Bread"]
    assert [c["title"] for c in last["items"]] == ["Zoology Basics"]
    assert (beyond["total"], beyond["items"]) == (5, [])
    assert (searched["total"], len(searched["items"])) == (3, 1)
    bad = await client.get(LIST, params={"limit": 0})
    assert bad.status_code == 422


async def test_summaries_name_the_instructors(client, catalog, people: People) -> None:
    response = await client.get(LIST, params={"q": "bread"})
    (course,) = response.json()["items"]

    assert course["instructors"] == [
        {
            "user_id": str(people.owner.user_id),
            "display_name": people.owner.email.split("@")[0],
            "role": "owner",
        }
    ]
    assert "description" not in course and "modules" not in course


async def test_mine_lists_the_courses_i_teach_in_any_status(
    client, courses: Courses, catalog, people: People
) -> None:
    await courses.add_co_instructor(
        people.other_instructor, catalog["Gardening"], people.co_instructor.user_id
    )

    mine = await titles(client, {"mine": "true", "sort": "title"}, people.owner)
    drafts = await titles(client, {"mine": "true", "status": "draft"}, people.owner)
    co_taught = await titles(client, {"mine": "true"}, people.co_instructor)
    anonymous = await client.get(LIST, params={"mine": "true"})

    assert len(mine) == 5 and "Python Secrets" in mine and "Gardening" not in mine
    assert drafts == ["Python Secrets"]
    assert co_taught == ["Gardening"]
    assert anonymous.status_code == 401


async def test_only_admins_list_everyone_by_status(client, catalog, people: People) -> None:
    as_admin = await titles(client, {"status": "draft"}, people.admin)
    as_instructor = await client.get(LIST, params={"status": "draft"}, headers=people.owner.headers)
    published = await titles(client, {"status": "published"}, people.learner)

    assert as_admin == ["Python Secrets"]
    assert as_instructor.status_code == 403
    assert as_instructor.json()["code"] == "status-filter-denied"
    assert len(published) == 5


@pytest.mark.parametrize(
    "params",
    [
        {"level": "expert"},
        {"sort": "random"},
        {"status": "deleted"},
        {"language": "English!"},
        {"instructor_id": "someone"},
        {"tag": "x" * 41},
        {"mine": "perhaps"},
    ],
)
async def test_bad_catalog_parameters_are_a_422(client, params: dict) -> None:
    response = await client.get(LIST, params=params)
    assert response.status_code == 422, response.text


async def test_the_search_index_exists_on_this_database(db_session: AsyncSession) -> None:
    dialect = db_session.get_bind().dialect.name
    if dialect == "sqlite":
        names = set(
            await db_session.scalars(
                text("SELECT name FROM sqlite_master WHERE name LIKE 'course%fts%'")
            )
        )
        assert {
            "course_fts",
            "courses_fts_insert",
            "courses_fts_update",
            "courses_fts_delete",
        } <= names
    else:
        definition = await db_session.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_courses_search_vector'")
        )
        assert definition is not None and "gin (search_vector)" in definition
        # The catalog's own query can use it (a seq scan wins on a table this small, so off).
        statement, _ = search.text_match(
            select(Course.course_id), dialect="postgresql", terms=["python", "data"]
        )
        sql = statement.compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
        await db_session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(await db_session.scalars(text(f"EXPLAIN {sql}")))
        assert "ix_courses_search_vector" in plan, plan
