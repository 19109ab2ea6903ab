"""Enrollment: joining and leaving courses, my courses, and a course's learners."""

from .factories import COURSES, Courses, People


async def test_enrolling_is_idempotent(courses: Courses, people: People, teach) -> None:
    taught = await teach(published=True)

    first = await courses.enroll(people.learner, taught.course_id)
    second = await courses.enroll(people.learner, taught.course_id)

    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["enrollment_id"] == second.json()["enrollment_id"]
    assert first.json()["status"] == "active"
    view = await courses.read(people.learner, taught.course_id)
    assert view["viewer"] == {
        "is_enrolled": True,
        "is_instructor": False,
        "can_edit": False,
        "can_see_content": True,
    }
    assert view["enrollment_count"] == 1


async def test_only_published_courses_take_enrollments(
    courses: Courses, people: People, teach
) -> None:
    draft = await teach(published=False)

    by_learner = await courses.enroll(people.learner, draft.course_id)
    by_owner = await courses.enroll(people.owner, draft.course_id)
    anonymous = await courses.client.post(f"{COURSES}/{draft.course_id}/enrollment")

    assert by_learner.status_code == 404
    assert by_owner.status_code == 409
    assert by_owner.json()["code"] == "not-enrollable"
    assert anonymous.status_code == 401


async def test_unenrolling_marks_the_enrollment_dropped(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    enrolled = (await courses.enroll(people.learner, taught.course_id)).json()
    url = f"{COURSES}/{taught.course_id}/enrollment"

    left = await client.delete(url, headers=people.learner.headers)
    left_again = await client.delete(url, headers=people.learner.headers)
    never = await client.delete(url, headers=people.outsider.headers)

    assert (left.status_code, left_again.status_code, never.status_code) == (204, 204, 204)
    view = await courses.read(people.learner, taught.course_id)
    assert view["viewer"]["is_enrolled"] is False
    assert view["viewer"]["can_see_content"] is False
    dropped = await client.get(
        f"{COURSES}/{taught.course_id}/learners",
        params={"status": "dropped"},
        headers=people.owner.headers,
    )
    assert [(x["user_id"], x["status"]) for x in dropped.json()["items"]] == [
        (str(people.learner.user_id), "dropped")
    ]
    assert dropped.json()["items"][0]["dropped_at"] is not None

    back = await courses.enroll(people.learner, taught.course_id)
    assert back.status_code == 200
    assert back.json()["enrollment_id"] == enrolled["enrollment_id"]
    assert (back.json()["status"], back.json()["dropped_at"]) == ("active", None)


async def test_my_courses(client, courses: Courses, people: People, teach) -> None:
    one = await teach(published=True, title="First course")
    two = await teach(published=True, title="Second course")
    three = await teach(published=True, title="Third course")
    for taught in (one, two, three):
        await courses.enroll(people.learner, taught.course_id)
    await client.delete(f"{COURSES}/{three.course_id}/enrollment", headers=people.learner.headers)
    await courses.action(people.owner, two.course_id, "archive")

    page = await client.get(f"{COURSES}/mine", headers=people.learner.headers)
    limited = await client.get(f"{COURSES}/mine?limit=1", headers=people.learner.headers)
    someone_else = await client.get(f"{COURSES}/mine", headers=people.outsider.headers)
    anonymous = await client.get(f"{COURSES}/mine")

    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 2
    assert [e["course"]["title"] for e in body["items"]] == ["Second course", "First course"]
    assert body["items"][0]["course"]["status"] == "archived"
    assert body["items"][0]["enrollment"]["status"] == "active"
    assert (limited.json()["total"], len(limited.json()["items"])) == (2, 1)
    assert someone_else.json() == {"items": [], "total": 0, "offset": 0, "limit": 20}
    assert anonymous.status_code == 401


async def test_the_learners_list_is_for_the_course_instructors_and_admins(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    for who in (people.learner, people.outsider):
        await courses.enroll(who, taught.course_id)
    url = f"{COURSES}/{taught.course_id}/learners"

    as_owner = await client.get(url, headers=people.owner.headers)
    as_co_instructor = await client.get(
        url, params={"limit": 1}, headers=people.co_instructor.headers
    )
    as_admin = await client.get(url, headers=people.admin.headers)
    as_learner = await client.get(url, headers=people.learner.headers)
    as_other = await client.get(url, headers=people.other_instructor.headers)
    anonymous = await client.get(url)

    assert as_owner.status_code == 200
    body = as_owner.json()
    assert body["total"] == 2
    assert {x["email"] for x in body["items"]} == {people.learner.email, people.outsider.email}
    assert {x["display_name"] for x in body["items"]} == {
        people.learner.email.split("@")[0],
        people.outsider.email.split("@")[0],
    }
    assert (as_co_instructor.json()["total"], len(as_co_instructor.json()["items"])) == (2, 1)
    assert as_admin.status_code == 200
    assert as_learner.status_code == 403
    assert as_other.status_code == 403
    assert anonymous.status_code == 401


async def test_the_learners_of_a_draft_are_hidden_from_strangers(
    client, people: People, teach
) -> None:
    draft = await teach(published=False)

    response = await client.get(
        f"{COURSES}/{draft.course_id}/learners", headers=people.learner.headers
    )

    assert response.status_code == 404


async def test_enrollment_counts_show_in_the_catalog(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True, title="Counted")
    await courses.enroll(people.learner, taught.course_id)
    await courses.enroll(people.outsider, taught.course_id)
    await client.delete(f"{COURSES}/{taught.course_id}/enrollment", headers=people.outsider.headers)

    listing = await client.get(f"{COURSES}/list", params={"q": "counted"})

    assert listing.json()["items"][0]["enrollment_count"] == 1
