"""Courses through the API: creation, who sees drafts, who may change what, If-Match, bad input."""

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.media.models import Media, MediaBlob

from .factories import COURSES, Courses, People, headers


async def test_an_instructor_creates_a_draft_course_with_a_generated_slug(
    client, courses: Courses, people: People
) -> None:
    response = await client.post(
        COURSES,
        json={
            "title": "  Café Python: Déjà Vu!  ",
            "summary": "Learn Python",
            "description": "# Welcome\n\nMarkdown *here*.",
            "level": "intermediate",
            "language": "en-GB",
            "tags": ["Python", "programming", "python"],
            "estimated_minutes": 90,
        },
        headers=people.owner.headers,
    )

    assert response.status_code == 201, response.text
    course = response.json()
    assert course["title"] == "Café Python: Déjà Vu!"
    assert course["slug"] == "cafe-python-deja-vu"
    assert course["status"] == "draft"
    assert course["tags"] == ["python", "programming"]
    assert course["owner_id"] == str(people.owner.user_id)
    assert course["instructors"][0]["role"] == "owner"
    assert course["settings"]["show_feedback"] == "immediately"
    assert course["settings"]["passing_score"] == 70
    assert course["modules"] == []
    assert course["description_html"] == "<h1>Welcome</h1>\n<p>Markdown <em>here</em>.</p>\n"
    assert course["viewer"]["can_edit"] is True
    assert response.headers["ETag"] == 'W/"1"'
    assert response.headers["Location"] == f"/api/v1/courses/{course['course_id']}"

    again = await courses.create(people.owner, title="Café Python: déjà vu")
    assert again["slug"] == "cafe-python-deja-vu-2"


async def test_a_title_without_letters_still_gets_a_valid_slug(
    courses: Courses, people: People
) -> None:
    course = await courses.create(people.owner, title="!!")
    assert course["slug"] == "course"


async def test_only_instructors_and_admins_create_courses(client, people: People) -> None:
    as_learner = await client.post(COURSES, json={"title": "X"}, headers=people.learner.headers)
    anonymous = await client.post(COURSES, json={"title": "X"})
    as_admin = await client.post(COURSES, json={"title": "X"}, headers=people.admin.headers)

    assert as_learner.status_code == 403
    assert as_learner.json()["code"] == "permission-denied"
    assert anonymous.status_code == 401
    assert as_admin.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X", "colour": "red"}, "colour"),
        ({"title": ""}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"title": 42}, "title"),
        ({"title": "X", "summary": "s" * 1001}, "summary"),
        ({"title": "X", "slug": "Not A Slug"}, "slug"),
        ({"title": "X", "slug": "trailing-"}, "slug"),
        ({"title": "X", "slug": "ab"}, "slug"),
        ({"title": "X", "level": "expert"}, "level"),
        ({"title": "X", "language": "English"}, "language"),
        ({"title": "X", "tags": "python"}, "tags"),
        ({"title": "X", "tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"title": "X", "tags": ["<script>"]}, "tags"),
        ({"title": "X", "estimated_minutes": 0}, "estimated_minutes"),
        ({"title": "X", "estimated_minutes": "long"}, "estimated_minutes"),
        ({"title": "X", "settings": {"show_feedback": "sometimes"}}, "settings"),
        ({"title": "X", "settings": {"passing_score": 101}}, "settings"),
        ({"title": "X", "settings": {"secret": True}}, "settings"),
        ({"title": "X", "cover_media_id": "not-a-uuid"}, "cover_media_id"),
        ({"title": "bad\x00title"}, "title"),
        ({"title": "X", "description": "nul\x00byte"}, "description"),
        ({"title": "X", "description": "d" * 100_001}, "description"),
    ],
)
async def test_bad_course_input_is_refused_and_nothing_is_created(
    client, people: People, body: dict, field: str
) -> None:
    response = await client.post(COURSES, json=body, headers=people.owner.headers)

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "validation-failed"
    assert any(field in map(str, error["loc"]) for error in problem["errors"])
    mine = await client.get(f"{COURSES}/list?mine=true", headers=people.owner.headers)
    assert mine.json()["total"] == 0


async def test_malformed_json_is_a_400(client, people: People) -> None:
    response = await client.post(
        COURSES,
        content=b'{"title": ',
        headers=headers(people.owner, **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed-json"


async def test_a_duplicate_slug_is_a_409(client, courses: Courses, people: People) -> None:
    await courses.create(people.owner, title="A", slug="intro-to-sql")

    response = await client.post(
        COURSES,
        json={"title": "B", "slug": "intro-to-sql"},
        headers=people.other_instructor.headers,
    )

    assert response.status_code == 409
    assert response.json()["code"] == "slug-taken"


async def test_the_cover_must_be_an_existing_image(
    client, courses: Courses, people: People, db_session: AsyncSession
) -> None:
    db_session.add(
        MediaBlob(checksum="a" * 64, storage_key="blobs/a", size_bytes=3, content_type="image/png")
    )
    await db_session.flush()
    image = Media(
        owner_id=people.owner.user_id,
        checksum="a" * 64,
        kind="image",
        content_type="image/png",
        size_bytes=3,
    )
    video = Media(
        owner_id=people.owner.user_id,
        checksum="a" * 64,
        kind="video",
        content_type="video/mp4",
        size_bytes=3,
    )
    db_session.add_all([image, video])
    await db_session.commit()

    unknown = await client.post(
        COURSES,
        json={"title": "X", "cover_media_id": str(uuid.uuid4())},
        headers=people.owner.headers,
    )
    not_an_image = await client.post(
        COURSES,
        json={"title": "X", "cover_media_id": str(video.media_id)},
        headers=people.owner.headers,
    )
    course = await courses.create(people.owner, title="X", cover_media_id=str(image.media_id))

    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown-media"
    assert not_an_image.status_code == 422
    assert course["cover_media_id"] == str(image.media_id)


# ---------------------------------------------------------------------------------------------
# Who sees what


async def test_a_draft_is_seen_by_its_instructors_and_admins_only(
    courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=False)

    for account in (people.owner, people.co_instructor, people.admin):
        assert (await courses.get(account, taught.course_id)).status_code == 200
    for account in (people.other_instructor, people.learner, None):
        response = await courses.get(account, taught.course_id)
        assert response.status_code == 404
        assert response.json()["code"] == "course-not-found"
    missing = await courses.get(people.learner, uuid.uuid4())
    assert missing.json()["code"] == "course-not-found"


async def test_a_published_course_is_seen_by_anyone(
    courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)

    for account in (None, people.outsider, people.other_instructor):
        course = await courses.read(account, taught.course_id)
        assert course["status"] == "published"
        assert [m["title"] for m in course["modules"]] == ["Basics", "Advanced"]
        assert course["viewer"]["can_edit"] is False


async def test_an_invalid_token_is_a_401_even_where_anonymous_callers_are_welcome(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)

    response = await client.get(
        f"{COURSES}/{taught.course_id}", headers={"Authorization": "Bearer nonsense"}
    )

    assert response.status_code == 401


async def test_the_outline_lists_items_but_never_their_content(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)

    response = await client.get(f"{COURSES}/{taught.course_id}", headers=people.learner.headers)

    assert "Secret body" not in response.text
    assert '"content"' not in response.text
    items = response.json()["modules"][0]["items"]
    assert [(i["title"], i["type"], i["sequence_number"], i["is_required"]) for i in items] == [
        ("Variables", "lesson", 1, True),
        ("Loops", "lesson", 2, True),
    ]
    assert set(items[0]) == {"content_id", "title", "type", "sequence_number", "is_required"}


async def test_learners_see_published_modules_and_published_items_only(
    courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    extra = await courses.module(people.owner, taught.course_id, "Coming soon")
    await courses.item(
        taught.course_id, taught.module_ids[0], "Unfinished", sequence_number=3, published=False
    )

    as_learner = await courses.outline(people.outsider, taught.course_id)
    as_owner = await courses.outline(people.owner, taught.course_id)

    assert [m["title"] for m in as_learner] == ["Basics", "Advanced"]
    assert [i["title"] for i in as_learner[0]["items"]] == ["Variables", "Loops"]
    assert [m["title"] for m in as_owner] == ["Basics", "Advanced", "Coming soon"]
    assert [i["title"] for i in as_owner[0]["items"]] == ["Variables", "Loops", "Unfinished"]
    assert as_owner[2]["module_id"] == extra["module_id"]
    assert as_owner[2]["status"] == "draft"


async def test_the_course_route_does_not_capture_fixed_paths(client, people: People) -> None:
    for path in ("list", "mine"):
        response = await client.get(f"{COURSES}/{path}", headers=people.learner.headers)
        assert response.status_code == 200, path
    # /courses/progress belongs to another router: never a course id that fails validation.
    progress = await client.get(f"{COURSES}/progress", headers=people.learner.headers)
    assert progress.status_code in (200, 404)
    not_an_id = await client.get(f"{COURSES}/not-a-uuid", headers=people.learner.headers)
    assert not_an_id.status_code == 404


# ---------------------------------------------------------------------------------------------
# Changing a course


async def test_patch_needs_if_match(courses: Courses, people: People) -> None:
    course = await courses.create(people.owner, title="Original")

    response = await courses.patch(people.owner, course["course_id"], {"title": "Changed"})

    assert response.status_code == 428
    assert response.json()["code"] == "precondition-required"
    assert (await courses.read(people.owner, course["course_id"]))["title"] == "Original"


async def test_a_stale_if_match_is_a_412_and_changes_nothing(
    courses: Courses, people: People
) -> None:
    course = await courses.create(people.owner, title="Original")
    course_id = course["course_id"]
    etag = await courses.etag(people.owner, course_id)
    first = await courses.patch(people.owner, course_id, {"title": "First"}, etag)

    second = await courses.patch(people.co_instructor, course_id, {"title": "Second"}, etag)
    second_as_owner = await courses.patch(people.owner, course_id, {"title": "Second"}, etag)
    garbage = await courses.patch(people.owner, course_id, {"title": "Second"}, "yesterday")

    assert first.status_code == 200
    assert first.headers["ETag"] == 'W/"2"' and etag == 'W/"1"'
    assert second.status_code == 404  # not yet a co-instructor, and a draft
    assert second_as_owner.status_code == 412
    assert second_as_owner.json()["code"] == "precondition-failed"
    assert garbage.status_code == 412
    assert (await courses.read(people.owner, course_id))["title"] == "First"


async def test_instructors_of_the_course_and_admins_change_it(
    courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)

    for account, title in [
        (people.owner, "By owner"),
        (people.co_instructor, "By co-instructor"),
        (people.admin, "By admin"),
    ]:
        etag = await courses.etag(account, taught.course_id)
        response = await courses.patch(account, taught.course_id, {"title": title}, etag)
        assert response.status_code == 200, response.text
        assert response.json()["title"] == title


async def test_others_get_403_on_a_course_they_see_and_404_on_one_they_do_not(
    courses: Courses, people: People, teach
) -> None:
    published = await teach(published=True)
    draft = await teach(published=False)

    for account in (people.other_instructor, people.learner):
        seen = await courses.patch(account, published.course_id, {"title": "Mine"}, "*")
        unseen = await courses.patch(account, draft.course_id, {"title": "Mine"}, "*")
        assert seen.status_code == 403, seen.text
        assert seen.json()["code"] == "course-access-denied"
        assert unseen.status_code == 404
    anonymous = await courses.patch(None, published.course_id, {"title": "Mine"}, "*")
    assert anonymous.status_code == 401


async def test_a_partial_update_changes_only_what_is_sent(courses: Courses, people: People) -> None:
    course = await courses.create(
        people.owner,
        title="T",
        summary="S",
        tags=["a"],
        estimated_minutes=30,
        settings={"max_quiz_attempts": 3, "show_explanations": False},
    )
    course_id = course["course_id"]

    response = await courses.patch(
        people.owner,
        course_id,
        {"summary": "New", "estimated_minutes": None, "settings": {"passing_score": 80}},
        "*",
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["title"], body["summary"], body["tags"]) == ("T", "New", ["a"])
    assert body["estimated_minutes"] is None
    assert body["settings"] == {
        "show_feedback": "immediately",
        "show_explanations": False,
        "max_quiz_attempts": 3,
        "passing_score": 80,
        "enforce_prerequisites": False,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"title": None},
        {"slug": None},
        {"level": None},
        {"tags": None},
        {"settings": {"show_feedback": None}},
        {"status": "published"},
        {"owner_id": str(uuid.uuid4())},
        {"revision": 99},
    ],
)
async def test_an_update_refuses_nulls_and_fields_it_does_not_own(
    courses: Courses, people: People, changes: dict
) -> None:
    course = await courses.create(people.owner, title="T")

    response = await courses.patch(people.owner, course["course_id"], changes, "*")

    assert response.status_code == 422, response.text
    after = await courses.read(people.owner, course["course_id"])
    assert (after["title"], after["revision"], after["status"]) == ("T", 1, "draft")


async def test_changing_the_slug_to_a_taken_one_is_a_409(courses: Courses, people: People) -> None:
    await courses.create(people.owner, title="A", slug="taken-slug")
    course = await courses.create(people.owner, title="B", slug="free-slug")

    response = await courses.patch(people.owner, course["course_id"], {"slug": "taken-slug"}, "*")
    same = await courses.patch(people.owner, course["course_id"], {"slug": "free-slug"}, "*")

    assert response.status_code == 409
    assert response.json()["code"] == "slug-taken"
    assert same.status_code == 200


async def test_delete_course(client, courses: Courses, people: People, teach) -> None:
    draft = await teach(published=False)
    published = await teach(published=True)
    assert (await courses.enroll(people.learner, published.course_id)).status_code == 201

    by_co_instructor = await client.delete(
        f"{COURSES}/{draft.course_id}", headers=people.co_instructor.headers
    )
    with_learners = await client.delete(
        f"{COURSES}/{published.course_id}", headers=people.owner.headers
    )
    by_owner = await client.delete(f"{COURSES}/{draft.course_id}", headers=people.owner.headers)

    assert by_co_instructor.status_code == 403
    assert with_learners.status_code == 409
    assert with_learners.json()["code"] == "course-in-use"
    assert by_owner.status_code == 204
    assert (await courses.get(people.admin, draft.course_id)).status_code == 404
    assert (await courses.get(people.admin, published.course_id)).status_code == 200


async def test_descriptions_are_rendered_to_safe_html(
    client, courses: Courses, people: People
) -> None:
    course = await courses.create(
        people.owner,
        title="C",
        description='<script>alert(1)</script><a href="javascript:x()">**bold**</a>',
    )
    module = await client.post(
        f"{COURSES}/{course['course_id']}/modules",
        json={"title": "M", "description": "<img src=x onerror=alert(1)> _hi_"},
        headers=people.owner.headers,
    )

    assert "<script" not in course["description_html"]
    assert "javascript:" not in course["description_html"]
    assert course["description"].startswith("<script>")  # kept as written, for editing
    assert "onerror" not in module.json()["description_html"]
    assert "<em>hi</em>" in module.json()["description_html"]
