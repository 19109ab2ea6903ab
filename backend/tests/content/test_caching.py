"""The read-through cache of course pages and catalog pages, and HTTP caching.

What is cached is observed through the SQL the app sends: a page served from the cache costs no
query at all. Every kind of write must show in the next read, learners must never see a draft
through the cache, and an ETag sent back in If-None-Match is answered 304 until something
changes. The suite runs with the in-process cache, and with Redis when LEARNWISE_TEST_REDIS_URL
is set; only there can two application instances share a cache (the last test).
"""

import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import event

from learnwise.auth import service as auth_service
from learnwise.config import Settings
from learnwise.main import create_app
from learnwise.platform import http_cache
from learnwise.platform.cache import lookup_stats
from learnwise.platform.runtime import Runtime
from tests.conftest import PASSWORD, REDIS_URL

from .factories import COURSES, Courses, People, Taught, headers

API = "/api/v1"
LIST = f"{COURSES}/list"


class Statements:
    """The SQL statements an engine sends, transaction control aside."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            self.seen.append(statement)

    def clear(self) -> None:
        self.seen.clear()


@contextmanager
def watch(runtime: Runtime) -> Iterator[Statements]:
    statements = Statements()
    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", statements.record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", statements.record)


@pytest.fixture
def sql(runtime: Runtime) -> Iterator[Statements]:
    with watch(runtime) as statements:
        yield statements


async def get_json(client: httpx.AsyncClient, url: str, who: Any = None) -> dict[str, Any]:
    response = await client.get(url, headers=headers(who))
    assert response.status_code == 200, response.text
    return response.json()


def titles_of(outline: list[dict[str, Any]]) -> list[str]:
    return [module["title"] for module in outline]


# ---------------------------------------------------------------------------------------------
# Course pages


async def test_a_course_read_again_costs_no_query(
    client: httpx.AsyncClient, courses: Courses, people: People, teach, sql: Statements
) -> None:
    taught = await teach(published=True)
    assert (await courses.enroll(people.learner, taught.course_id)).status_code == 201

    for who in (None, people.learner, people.outsider):
        first = await courses.get(who, taught.course_id)
        sql.clear()
        again = await courses.get(who, taught.course_id)

        assert sql.seen == [], who
        assert again.status_code == first.status_code == 200
        assert again.json() == first.json()
        assert again.headers["ETag"] == first.headers["ETag"]

    enrolled = (await courses.get(people.learner, taught.course_id)).json()
    stranger = (await courses.get(people.outsider, taught.course_id)).json()
    anonymous = (await courses.get(None, taught.course_id)).json()
    assert enrolled["viewer"] == {
        "is_enrolled": True,
        "is_instructor": False,
        "can_edit": False,
        "can_see_content": True,
    }
    assert stranger == anonymous
    assert not any(anonymous["viewer"].values())
    assert {k: v for k, v in enrolled.items() if k != "viewer"} == {
        k: v for k, v in anonymous.items() if k != "viewer"
    }


async def test_the_cached_page_is_the_one_built_for_a_teacher_minus_drafts(
    client: httpx.AsyncClient, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    await courses.read(None, taught.course_id)
    cached = await courses.read(None, taught.course_id)
    teaching = await courses.read(people.owner, taught.course_id)

    different = {k for k in cached if cached[k] != teaching[k]}
    assert different == {"viewer"}  # nothing is a draft in a freshly published course


async def test_learners_never_see_drafts_through_the_cache(
    client: httpx.AsyncClient, courses: Courses, people: People, teach
) -> None:
    draft = await teach(published=False)
    for _ in range(2):
        assert (await courses.read(people.owner, draft.course_id))["status"] == "draft"
        for who in (None, people.learner, people.other_instructor):
            assert (await courses.get(who, draft.course_id)).status_code == 404

    published = await teach(published=True)
    await courses.read(people.learner, published.course_id)
    await courses.module(people.owner, published.course_id, "Unfinished")
    item = await add_item(client, people, published, "Hidden title")
    await publish_item(client, people, item)
    await patch_item(client, people, item, {"title": "Draft title"})

    for _ in range(2):
        teacher_view = await courses.outline(people.co_instructor, published.course_id)
        assert titles_of(teacher_view) == ["Basics", "Advanced", "Unfinished"]
        assert "Draft title" in item_titles(teacher_view)
        for who in (None, people.learner):
            learner_view = await courses.outline(who, published.course_id)
            assert titles_of(learner_view) == ["Basics", "Advanced"]
            assert "Hidden title" in item_titles(learner_view)
            assert "Draft title" not in item_titles(learner_view)


def item_titles(outline: list[dict[str, Any]]) -> list[str]:
    return [item["title"] for module in outline for item in module["items"]]


async def add_item(
    client: httpx.AsyncClient, people: People, taught: Taught, title: str, module: int = 0
) -> str:
    response = await client.post(
        f"{COURSES}/{taught.course_id}/modules/{taught.module_ids[module]}/items",
        json={"title": title, "content": {"type": "lesson", "body": "Text"}},
        headers=people.owner.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()["content_id"]


async def publish_item(client: httpx.AsyncClient, people: People, content_id: str) -> None:
    response = await client.post(f"{API}/items/{content_id}/publish", headers=people.owner.headers)
    assert response.status_code == 200, response.text


async def patch_item(
    client: httpx.AsyncClient, people: People, content_id: str, changes: dict[str, Any]
) -> None:
    current = await client.get(
        f"{API}/items/{content_id}", params={"view": "draft"}, headers=people.owner.headers
    )
    response = await client.patch(
        f"{API}/items/{content_id}",
        json=changes,
        headers=headers(people.owner, **{"If-Match": current.headers["ETag"]}),
    )
    assert response.status_code == 200, response.text


@dataclass
class Scene:
    client: httpx.AsyncClient
    courses: Courses
    people: People
    taught: Taught

    @property
    def url(self) -> str:
        return f"{COURSES}/{self.taught.course_id}"

    async def ok(self, response: Awaitable[httpx.Response]) -> dict[str, Any] | None:
        done = await response
        assert done.status_code in (200, 201, 204), done.text
        return done.json() if done.status_code != 204 else None

    async def owner_etag(self) -> str:
        return await self.courses.etag(self.people.owner, self.taught.course_id)

    async def patch(self, url: str, changes: dict[str, Any]) -> None:
        response = await self.client.patch(
            url,
            json=changes,
            headers=headers(self.people.owner, **{"If-Match": await self.owner_etag()}),
        )
        assert response.status_code == 200, response.text

    async def post(self, path: str, body: Any = None, who: Any = None) -> dict[str, Any] | None:
        who = who or self.people.owner
        return await self.ok(self.client.post(self.url + path, json=body, headers=headers(who)))

    async def put(self, path: str, body: Any) -> None:
        await self.ok(
            self.client.put(self.url + path, json=body, headers=self.people.owner.headers)
        )

    async def delete(self, path: str, who: Any = None) -> None:
        who = who or self.people.owner
        await self.ok(self.client.delete(self.url + path, headers=headers(who)))


Write = Callable[[Scene], Awaitable[None]]
Check = Callable[[Scene, dict[str, Any], dict[str, Any]], None]
Page = dict[str, Any]


async def rename_course(scene: Scene) -> None:
    await scene.patch(scene.url, {"title": "Renamed", "settings": {"passing_score": 90}})


async def add_and_publish_module(scene: Scene) -> None:
    await scene.courses.module(scene.people.owner, scene.taught.course_id, "Extra")
    await scene.post("/publish")


async def rename_module(scene: Scene) -> None:
    await scene.patch(f"{scene.url}/modules/{scene.taught.module_ids[1]}", {"title": "Hard"})


async def reorder_modules(scene: Scene) -> None:
    await scene.put("/modules/order", {"module_ids": scene.taught.module_ids[::-1]})


async def set_prerequisites(scene: Scene) -> None:
    first, second = scene.taught.module_ids
    await scene.put(f"/modules/{second}/prerequisites", {"module_ids": [first]})


async def add_published_item(scene: Scene) -> None:
    item = await add_item(scene.client, scene.people, scene.taught, "Functions", module=1)
    await publish_item(scene.client, scene.people, item)


async def republish_renamed_item(scene: Scene) -> None:
    modules = await scene.courses.outline(scene.people.owner, scene.taught.course_id)
    content_id = modules[0]["items"][0]["content_id"]
    await patch_item(scene.client, scene.people, content_id, {"title": "Variables, renamed"})
    await publish_item(scene.client, scene.people, content_id)


async def delete_item(scene: Scene) -> None:
    modules = await scene.courses.outline(scene.people.owner, scene.taught.course_id)
    content_id = modules[0]["items"][0]["content_id"]
    response = await scene.client.delete(
        f"{API}/items/{content_id}", headers=scene.people.owner.headers
    )
    assert response.status_code == 204, response.text


async def add_co_instructor(scene: Scene) -> None:
    await scene.post("/instructors", {"user_id": str(scene.people.other_instructor.user_id)})


async def remove_co_instructor(scene: Scene) -> None:
    await scene.delete(f"/instructors/{scene.people.co_instructor.user_id}")


async def enroll_outsider(scene: Scene) -> None:
    await scene.post("/enrollment", who=scene.people.outsider)


async def learner_drops_out(scene: Scene) -> None:
    await scene.delete("/enrollment", who=scene.people.learner)


async def archive(scene: Scene) -> None:
    await scene.post("/archive")


def renamed(scene: Scene, before: Page, after: Page) -> None:
    assert after["title"] == "Renamed" and after["settings"]["passing_score"] == 90


def module_added(scene: Scene, before: Page, after: Page) -> None:
    assert titles_of(after["modules"]) == [*titles_of(before["modules"]), "Extra"]


def module_renamed(scene: Scene, before: Page, after: Page) -> None:
    assert titles_of(after["modules"]) == ["Basics", "Hard"]


def modules_reordered(scene: Scene, before: Page, after: Page) -> None:
    assert titles_of(after["modules"]) == ["Advanced", "Basics"]


def prerequisite_set(scene: Scene, before: Page, after: Page) -> None:
    assert after["modules"][1]["prerequisite_ids"] == [scene.taught.module_ids[0]]


def item_added(scene: Scene, before: Page, after: Page) -> None:
    assert item_titles(after["modules"]) == [*item_titles(before["modules"]), "Functions"]


def item_renamed(scene: Scene, before: Page, after: Page) -> None:
    assert item_titles(after["modules"]) == ["Variables, renamed", "Loops"]


def item_gone(scene: Scene, before: Page, after: Page) -> None:
    assert item_titles(after["modules"]) == ["Loops"]


def co_instructor_added(scene: Scene, before: Page, after: Page) -> None:
    teachers = [i["user_id"] for i in after["instructors"]]
    assert str(scene.people.other_instructor.user_id) in teachers


def co_instructor_removed(scene: Scene, before: Page, after: Page) -> None:
    teachers = [i["user_id"] for i in after["instructors"]]
    assert str(scene.people.co_instructor.user_id) not in teachers


def one_more_enrolled(scene: Scene, before: Page, after: Page) -> None:
    assert after["enrollment_count"] == before["enrollment_count"] + 1


def one_fewer_enrolled(scene: Scene, before: Page, after: Page) -> None:
    assert after["enrollment_count"] == before["enrollment_count"] - 1
    assert after["viewer"]["is_enrolled"] is False


def archived(scene: Scene, before: Page, after: Page) -> None:
    assert after["status"] == "archived" and after["archived_at"] is not None


WRITES: dict[str, tuple[Write, Check]] = {
    "update the course": (rename_course, renamed),
    "add and publish a module": (add_and_publish_module, module_added),
    "update a module": (rename_module, module_renamed),
    "reorder the modules": (reorder_modules, modules_reordered),
    "set prerequisites": (set_prerequisites, prerequisite_set),
    "add and publish an item": (add_published_item, item_added),
    "change and republish an item": (republish_renamed_item, item_renamed),
    "delete an item": (delete_item, item_gone),
    "add a co-instructor": (add_co_instructor, co_instructor_added),
    "remove a co-instructor": (remove_co_instructor, co_instructor_removed),
    "enroll": (enroll_outsider, one_more_enrolled),
    "drop out": (learner_drops_out, one_fewer_enrolled),
    "archive": (archive, archived),
}


@pytest.mark.parametrize("write", list(WRITES))
async def test_every_write_shows_in_the_next_read(
    client: httpx.AsyncClient, courses: Courses, people: People, teach, write: str
) -> None:
    """Read twice (the second from the cache), write, read again: the change is there, with a
    new ETag, for an enrolled learner and for anonymous visitors (to whom an archived course is
    gone)."""
    taught = await teach(published=True)
    await courses.enroll(people.learner, taught.course_id)
    viewers = {"learner": people.learner, "anonymous": None}
    before = {}
    for name, who in viewers.items():
        await courses.read(who, taught.course_id)
        before[name] = await courses.get(who, taught.course_id)

    make, check = WRITES[write]
    scene = Scene(client, courses, people, taught)
    await make(scene)

    for name, who in viewers.items():
        after = await courses.get(who, taught.course_id)
        if write == "archive" and who is None:
            assert after.status_code == 404
            continue
        assert after.status_code == 200, after.text
        check(scene, before[name].json(), after.json())
        assert after.headers["ETag"] != before[name].headers["ETag"]


async def test_a_deleted_course_is_gone_from_the_cache(
    client: httpx.AsyncClient, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    await courses.read(None, taught.course_id)
    await courses.read(None, taught.course_id)
    assert taught.course_id in [c["course_id"] for c in (await get_json(client, LIST))["items"]]

    response = await client.delete(f"{COURSES}/{taught.course_id}", headers=people.owner.headers)
    assert response.status_code == 204, response.text

    assert (await courses.get(None, taught.course_id)).status_code == 404
    assert taught.course_id not in [c["course_id"] for c in (await get_json(client, LIST))["items"]]


async def test_an_archived_course_stays_open_to_its_learners_only(
    client: httpx.AsyncClient, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    await courses.enroll(people.learner, taught.course_id)
    await courses.action(people.owner, taught.course_id, "archive")

    for _ in range(2):
        assert (await courses.read(people.learner, taught.course_id))["status"] == "archived"
        assert (await courses.get(people.outsider, taught.course_id)).status_code == 404
        assert (await courses.get(None, taught.course_id)).status_code == 404

    await courses.action(people.owner, taught.course_id, "restore")
    assert (await courses.read(None, taught.course_id))["status"] == "published"


# ---------------------------------------------------------------------------------------------
# HTTP: ETag, If-None-Match, Cache-Control


async def test_if_none_match_is_answered_304_until_the_course_changes(
    client: httpx.AsyncClient, courses: Courses, people: People, teach, sql: Statements
) -> None:
    taught = await teach(published=True)
    await courses.enroll(people.learner, taught.course_id)
    anonymous = await courses.get(None, taught.course_id)
    learner = await courses.get(people.learner, taught.course_id)

    assert anonymous.headers["Cache-Control"] == "public, no-cache"
    assert learner.headers["Cache-Control"] == "private, no-cache"
    assert anonymous.headers["Vary"] == learner.headers["Vary"] == "Authorization"
    assert anonymous.headers["ETag"] != learner.headers["ETag"]  # the viewer differs

    for who, first in ((None, anonymous), (people.learner, learner)):
        sql.clear()
        again = await courses.client.get(
            f"{COURSES}/{taught.course_id}",
            headers=headers(who, **{"If-None-Match": first.headers["ETag"]}),
        )
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
        assert sql.seen == []
    other_viewer = await courses.client.get(
        f"{COURSES}/{taught.course_id}",
        headers=headers(people.learner, **{"If-None-Match": anonymous.headers["ETag"]}),
    )
    assert other_viewer.status_code == 200

    etag = await courses.etag(people.owner, taught.course_id)
    await courses.patch(people.owner, taught.course_id, {"summary": "New"}, etag)
    changed = await courses.client.get(
        f"{COURSES}/{taught.course_id}", headers={"If-None-Match": anonymous.headers["ETag"]}
    )
    assert changed.status_code == 200
    assert changed.json()["summary"] == "New"
    assert changed.headers["ETag"] != anonymous.headers["ETag"]


async def test_teachers_get_the_revision_as_etag_and_always_the_body(
    client: httpx.AsyncClient, courses: Courses, people: People, teach
) -> None:
    """Their ETag is what If-Match takes back; it does not change with enrollments, so it is no
    validator of the whole page and If-None-Match never gets them a 304."""
    taught = await teach(published=True)
    read = await courses.get(people.owner, taught.course_id)
    assert read.headers["ETag"] == f'W/"{read.json()["revision"]}"'
    assert read.headers["Cache-Control"] == "private, no-cache"

    await courses.enroll(people.learner, taught.course_id)
    again = await client.get(
        f"{COURSES}/{taught.course_id}",
        headers=headers(people.owner, **{"If-None-Match": read.headers["ETag"]}),
    )
    assert again.status_code == 200
    assert again.headers["ETag"] == read.headers["ETag"]
    assert again.json()["enrollment_count"] == read.json()["enrollment_count"] + 1


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('W/"1-abc"', True),
        ('"1-abc"', True),
        ('"x", W/"1-abc"', True),
        ("*", True),
        ('W/"1-abd"', False),
        ("", False),
        (None, False),
        ('W/"1-abc', False),
    ],
)
def test_if_none_match_comparison_is_weak(header: str | None, matches: bool) -> None:
    assert http_cache.matches(header, 'W/"1-abc"') is matches


# ---------------------------------------------------------------------------------------------
# The catalog


def ids(page: dict[str, Any]) -> list[str]:
    return [c["course_id"] for c in page["items"]]


async def test_catalog_pages_are_cached_for_everyone_and_renewed_by_every_change(
    client: httpx.AsyncClient, courses: Courses, people: People, teach, sql: Statements
) -> None:
    first = await teach(published=True)
    anonymous = await client.get(LIST)
    await client.get(f"{API}/auth/me", headers=people.learner.headers)  # the caller, cached
    sql.clear()
    again = await client.get(LIST)
    signed_in = await client.get(LIST, headers=people.learner.headers)

    assert sql.seen == []
    assert again.json() == signed_in.json() == anonymous.json()
    assert ids(anonymous.json()) == [first.course_id]
    assert anonymous.headers["Cache-Control"] == "public, max-age=60"
    assert signed_in.headers["Cache-Control"] == "private, no-cache"
    assert anonymous.headers["Vary"] == "Authorization"

    second = await teach(published=True)
    assert ids(await get_json(client, LIST)) == [second.course_id, first.course_id]

    etag = await courses.etag(people.owner, first.course_id)
    await courses.patch(people.owner, first.course_id, {"title": "Retitled"}, etag)
    listed = await get_json(client, LIST, people.learner)
    assert [c["title"] for c in listed["items"]][1] == "Retitled"

    await courses.enroll(people.learner, first.course_id)
    counts = {
        c["course_id"]: c["enrollment_count"] for c in (await get_json(client, LIST))["items"]
    }
    assert counts == {first.course_id: 1, second.course_id: 0}
    popular = await get_json(client, LIST + "?sort=popularity")
    assert ids(popular) == [first.course_id, second.course_id]
    await client.delete(f"{COURSES}/{first.course_id}/enrollment", headers=people.learner.headers)
    popular = await get_json(client, LIST + "?sort=popularity")
    assert [c["enrollment_count"] for c in popular["items"]] == [0, 0]

    await courses.action(people.owner, second.course_id, "archive")
    assert ids(await get_json(client, LIST)) == [first.course_id]
    await courses.action(people.owner, second.course_id, "restore")
    assert ids(await get_json(client, LIST)) == [second.course_id, first.course_id]

    draft = await teach(published=False)
    assert draft.course_id not in ids(await get_json(client, LIST))
    await courses.publish(people.owner, draft.course_id)
    assert draft.course_id in ids(await get_json(client, LIST))


async def test_catalog_queries_are_cached_apart_and_mine_is_never_cached(
    client: httpx.AsyncClient, courses: Courses, people: People, teach, sql: Statements
) -> None:
    await teach(published=True, title="Python Basics", level="beginner")
    await teach(published=True, title="Rust Basics", level="advanced")
    for params in ({"q": "python"}, {"q": "  PYTHON!  "}, {"level": "advanced"}, {"limit": 1}):
        await client.get(LIST, params=params)
    sql.clear()
    python = await get_json(client, LIST + "?q=Python")
    advanced = await get_json(client, LIST + "?level=advanced")
    one = await get_json(client, LIST + "?limit=1&offset=0")
    assert sql.seen == []
    assert [c["title"] for c in python["items"]] == ["Python Basics"]
    assert [c["title"] for c in advanced["items"]] == ["Rust Basics"]
    assert (len(one["items"]), one["total"]) == (1, 2)

    draft = await teach(published=False, title="Python Drafts")
    for _ in range(2):
        sql.clear()
        mine = await client.get(LIST + "?mine=true", headers=people.owner.headers)
        assert sql.seen != []
        assert draft.course_id in ids(mine.json())
        assert mine.headers["Cache-Control"] == "private, no-cache"
    assert [c["title"] for c in (await get_json(client, LIST + "?q=python"))["items"]] == [
        "Python Basics"
    ]


async def test_catalog_if_none_match_is_answered_304(
    client: httpx.AsyncClient, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    first = await client.get(LIST)
    again = await client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["Cache-Control"] == "public, max-age=60"

    mine = await client.get(LIST + "?mine=true", headers=people.owner.headers)
    mine_again = await client.get(
        LIST + "?mine=true",
        headers=headers(people.owner, **{"If-None-Match": mine.headers["ETag"]}),
    )
    assert mine_again.status_code == 304

    await courses.action(people.owner, taught.course_id, "archive")
    changed = await client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.json()["items"] == []


async def test_hits_and_misses_are_counted_per_namespace(
    client: httpx.AsyncClient, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    before = lookup_stats()
    for _ in range(3):
        await courses.read(None, taught.course_id)
        await client.get(LIST)
    after = lookup_stats()

    def delta(name: str) -> tuple[int, int]:
        old = before.get(name)
        new = after[name]
        return new.hits - (old.hits if old else 0), new.misses - (old.misses if old else 0)

    assert delta("course_page") == (2, 1)
    assert delta("catalog_page") == (2, 1)
    assert 0 < after["course_page"].hit_ratio <= 1


def test_cache_lifetimes_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNWISE_CACHE__CATALOG_SECONDS", "15")
    monkeypatch.setenv("LEARNWISE_CACHE__OUTLINE_SECONDS", "600")
    monkeypatch.setenv("LEARNWISE_CACHE__CATALOG_MAX_AGE_SECONDS", "0")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (
        settings.cache.catalog_seconds,
        settings.cache.outline_seconds,
        settings.cache.catalog_max_age_seconds,
    ) == (15, 600, 0)
    assert http_cache.public(0) == "public, no-cache"


# ---------------------------------------------------------------------------------------------
# Two instances, one Redis


async def sign_in(client: httpx.AsyncClient, runtime: Runtime, role: str) -> dict[str, str]:
    email = f"cached-{secrets.token_hex(4)}@example.org"
    async with runtime.sessionmaker() as session:
        await auth_service.create_user(
            session=session, email=email, display_name=email[:12], password=PASSWORD, roles=(role,)
        )
        await session.commit()
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.mark.skipif(
    not REDIS_URL,
    reason="with the in-process cache every instance has a cache of its own, so nothing is "
    "shared between two; set LEARNWISE_TEST_REDIS_URL (CI does)",
)
async def test_with_redis_a_change_through_one_instance_is_seen_through_another_at_once(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Instance A (the suite's app) and instance B (a second app on the same database and the
    same Redis prefix): B caches the course page and the catalog, A changes the course, and B's
    very next reads show the change."""
    app_b = create_app(runtime.settings)
    async with LifespanManager(app_b):
        runtime_b: Runtime = app_b.state.runtime
        transport = httpx.ASGITransport(app=app_b, client=("127.0.0.1", 50001))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as b:
            owner = await sign_in(live_client, runtime, "instructor")
            learner = await sign_in(live_client, runtime, "learner")
            created = await live_client.post(COURSES, json={"title": "Shared"}, headers=owner)
            course_url = f"{COURSES}/{created.json()['course_id']}"
            await live_client.post(f"{course_url}/modules", json={"title": "M"}, headers=owner)
            assert (await live_client.post(f"{course_url}/publish", headers=owner)).is_success

            # A caches the page and the catalog in Redis; B reads A's entries, querying nothing.
            await live_client.get(course_url, headers=learner)
            await live_client.get(LIST)
            with watch(runtime_b) as seen_by_b:
                page = await b.get(course_url, headers=learner)
                listing = await b.get(LIST)
                assert seen_by_b.seen == []
            assert page.json()["title"] == listing.json()["items"][0]["title"] == "Shared"

            etag = (await live_client.get(course_url, headers=owner)).headers["ETag"]
            patched = await live_client.patch(
                course_url, json={"title": "Changed on A"}, headers={**owner, "If-Match": etag}
            )
            assert patched.status_code == 200, patched.text
            enrolled = await live_client.post(f"{course_url}/enrollment", headers=learner)
            assert enrolled.status_code == 201

            page = await b.get(course_url, headers=learner)
            listing = await b.get(LIST)
            assert page.json()["title"] == "Changed on A"
            assert page.json()["viewer"]["is_enrolled"] is True
            assert listing.json()["items"][0]["title"] == "Changed on A"
            assert listing.json()["items"][0]["enrollment_count"] == 1
