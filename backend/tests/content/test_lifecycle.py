"""A course's life: publish, archive, restore, duplicate, and its co-instructors."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content.models import ContentItem, ContentVersion

from .factories import COURSES, Courses, People, headers


async def test_publishing_publishes_the_course_and_its_modules(
    courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=False)

    course = await courses.publish(people.co_instructor, taught.course_id)

    assert course["status"] == "published"
    assert course["published_at"] is not None
    assert {m["status"] for m in course["modules"]} == {"published"}
    assert (await courses.get(None, taught.course_id)).status_code == 200


async def test_republishing_keeps_the_first_publication_date_and_shows_new_modules(
    courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    first = (await courses.read(people.owner, taught.course_id))["published_at"]
    await courses.module(people.owner, taught.course_id, "Added later")
    assert len(await courses.outline(people.learner, taught.course_id)) == 2

    again = await courses.publish(people.owner, taught.course_id)

    assert again["published_at"] == first
    assert len(await courses.outline(people.learner, taught.course_id)) == 3


async def test_only_the_course_instructors_and_admins_change_its_status(
    courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)

    for action in ("publish", "archive", "restore"):
        for who, expected in ((people.other_instructor, 403), (people.learner, 403), (None, 401)):
            response = await courses.action(who, taught.course_id, action)
            assert response.status_code == expected, (action, who)
    assert (await courses.action(people.admin, taught.course_id, "archive")).status_code == 200


async def test_archive_and_restore(courses: Courses, people: People, teach) -> None:
    taught = await teach(published=True)
    assert (await courses.enroll(people.learner, taught.course_id)).status_code == 201

    archived = await courses.action(people.owner, taught.course_id, "archive")
    archived_again = await courses.action(people.owner, taught.course_id, "archive")
    publish_archived = await courses.action(people.owner, taught.course_id, "publish")

    assert archived.status_code == 200
    assert archived.json()["status"] == "archived" and archived.json()["archived_at"]
    assert archived_again.json()["revision"] == archived.json()["revision"]
    assert publish_archived.status_code == 409
    assert publish_archived.json()["code"] == "invalid-status-change"
    # Gone from the catalog and from strangers; still open to its enrolled learner.
    assert (await courses.get(people.outsider, taught.course_id)).status_code == 404
    assert (await courses.get(None, taught.course_id)).status_code == 404
    enrolled_view = await courses.read(people.learner, taught.course_id)
    assert enrolled_view["viewer"]["can_see_content"] is True
    assert [m["title"] for m in enrolled_view["modules"]] == ["Basics", "Advanced"]
    listing = await courses.client.get(f"{COURSES}/list")
    assert taught.course_id not in {c["course_id"] for c in listing.json()["items"]}
    enroll_archived = await courses.enroll(people.outsider, taught.course_id)
    assert enroll_archived.status_code == 404
    assert (await courses.enroll(people.learner, taught.course_id)).status_code == 200

    restored = await courses.action(people.owner, taught.course_id, "restore")

    assert restored.status_code == 200
    assert (restored.json()["status"], restored.json()["archived_at"]) == ("published", None)
    assert (await courses.get(people.outsider, taught.course_id)).status_code == 200


async def test_a_never_published_course_is_restored_as_a_draft(
    courses: Courses, people: People
) -> None:
    course = await courses.create(people.owner, title="C")
    await courses.action(people.owner, course["course_id"], "archive")

    restored = await courses.action(people.owner, course["course_id"], "restore")

    assert restored.json()["status"] == "draft"


async def test_status_actions_honour_if_match(client, courses: Courses, people: People) -> None:
    course = await courses.create(people.owner, title="C")

    stale = await client.post(
        f"{COURSES}/{course['course_id']}/publish",
        headers=headers(people.owner, **{"If-Match": 'W/"7"'}),
    )
    fresh = await client.post(
        f"{COURSES}/{course['course_id']}/publish",
        headers=headers(people.owner, **{"If-Match": 'W/"1"'}),
    )

    assert stale.status_code == 412
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] == 'W/"2"'


# ---------------------------------------------------------------------------------------------
# Duplicating


async def test_duplicate_copies_modules_items_and_prerequisites_into_a_draft(
    client, courses: Courses, people: People, teach, db_session: AsyncSession
) -> None:
    taught = await teach(published=True, tags=["python"], settings={"max_quiz_attempts": 2})
    first, second = taught.module_ids
    await client.put(
        f"{COURSES}/{taught.course_id}/modules/{second}/prerequisites",
        json={"module_ids": [first]},
        headers=people.owner.headers,
    )

    response = await client.post(
        f"{COURSES}/{taught.course_id}/duplicate", json={}, headers=people.co_instructor.headers
    )

    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["course_id"] != taught.course_id
    assert copy["title"].endswith("(copy)")
    assert copy["slug"] != (await courses.read(people.owner, taught.course_id))["slug"]
    assert (copy["status"], copy["published_at"], copy["revision"]) == ("draft", None, 1)
    assert copy["owner_id"] == str(people.co_instructor.user_id)
    assert copy["tags"] == ["python"]
    assert copy["settings"]["max_quiz_attempts"] == 2
    assert [m["title"] for m in copy["modules"]] == ["Basics", "Advanced"]
    assert {m["status"] for m in copy["modules"]} == {"draft"}
    new_first, new_second = (m["module_id"] for m in copy["modules"])
    assert {new_first, new_second}.isdisjoint({first, second})
    assert copy["modules"][1]["prerequisite_ids"] == [new_first]
    assert [i["title"] for i in copy["modules"][0]["items"]] == ["Variables", "Loops"]

    copied_ids = [uuid.UUID(i["content_id"]) for i in copy["modules"][0]["items"]]
    items = (
        await db_session.scalars(select(ContentItem).where(ContentItem.content_id.in_(copied_ids)))
    ).all()
    versions = (
        await db_session.scalars(
            select(ContentVersion).where(ContentVersion.content_id.in_(copied_ids))
        )
    ).all()
    assert {(i.version, i.published_version) for i in items} == {(1, None)}
    assert {(v.version, v.author_id) for v in versions} == {(1, people.co_instructor.user_id)}
    assert {v.content["body"] for v in versions} == {
        "Secret body of Variables",
        "Secret body of Loops",
    }
    # The original is untouched.
    original = await courses.read(people.owner, taught.course_id)
    assert original["status"] == "published"
    assert [m["module_id"] for m in original["modules"]] == [first, second]


async def test_duplicate_with_a_title_and_slug_of_ones_choice(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=False)
    url = f"{COURSES}/{taught.course_id}/duplicate"

    named = await client.post(
        url, json={"title": "Second run", "slug": "second-run"}, headers=people.owner.headers
    )
    taken = await client.post(url, json={"slug": "second-run"}, headers=people.owner.headers)
    learner = await client.post(url, json={}, headers=people.learner.headers)
    stranger = await client.post(url, json={}, headers=people.other_instructor.headers)

    assert named.status_code == 201
    assert (named.json()["title"], named.json()["slug"]) == ("Second run", "second-run")
    assert taken.status_code == 409
    assert learner.status_code == 404  # a draft they cannot see
    assert stranger.status_code == 404


# ---------------------------------------------------------------------------------------------
# Co-instructors


async def test_co_instructors_are_instructors_or_admins(
    client, courses: Courses, people: People
) -> None:
    course = await courses.create(people.owner, title="C")
    url = f"{COURSES}/{course['course_id']}/instructors"

    learner = await client.post(
        url, json={"user_id": str(people.learner.user_id)}, headers=people.owner.headers
    )
    nobody = await client.post(
        url, json={"user_id": str(uuid.uuid4())}, headers=people.owner.headers
    )
    owner = await client.post(
        url, json={"user_id": str(people.owner.user_id)}, headers=people.owner.headers
    )
    admin = await client.post(
        url, json={"user_id": str(people.admin.user_id)}, headers=people.owner.headers
    )
    twice = await client.post(
        url, json={"user_id": str(people.admin.user_id)}, headers=people.owner.headers
    )

    for refused in (learner, nobody, owner):
        assert refused.status_code == 422
        assert refused.json()["code"] == "invalid-co-instructor"
    assert admin.status_code == 200
    assert [i["role"] for i in twice.json()["instructors"]] == ["owner", "co_instructor"]


async def test_only_the_owner_and_admins_manage_co_instructors(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    url = f"{COURSES}/{taught.course_id}/instructors"

    by_co_instructor = await client.post(
        url,
        json={"user_id": str(people.other_instructor.user_id)},
        headers=people.co_instructor.headers,
    )
    by_admin = await client.post(
        url, json={"user_id": str(people.other_instructor.user_id)}, headers=people.admin.headers
    )
    removal_by_co_instructor = await client.delete(
        f"{url}/{people.other_instructor.user_id}", headers=people.co_instructor.headers
    )

    assert by_co_instructor.status_code == 403
    assert by_admin.status_code == 200
    assert removal_by_co_instructor.status_code == 403


async def test_a_co_instructor_may_leave_and_then_loses_access(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=False)
    assert (await courses.get(people.co_instructor, taught.course_id)).status_code == 200

    response = await client.delete(
        f"{COURSES}/{taught.course_id}/instructors/{people.co_instructor.user_id}",
        headers=people.co_instructor.headers,
    )
    again = await client.delete(
        f"{COURSES}/{taught.course_id}/instructors/{people.co_instructor.user_id}",
        headers=people.owner.headers,
    )

    assert response.status_code == 204
    assert again.status_code == 204
    assert (await courses.get(people.co_instructor, taught.course_id)).status_code == 404
