"""Modules through the API: CRUD, If-Match, atomic reordering, prerequisites without cycles."""

import uuid

import pytest

from .factories import COURSES, Courses, People, headers


def modules_url(course_id: str, *rest: str) -> str:
    return "/".join([f"{COURSES}/{course_id}/modules", *rest])


async def test_modules_are_added_at_the_end_and_read_back(
    client, courses: Courses, people: People
) -> None:
    course = await courses.create(people.owner, title="C")
    course_id = course["course_id"]

    first = await courses.module(people.owner, course_id, "One")
    second = await courses.module(people.admin, course_id, "Two")
    read = await client.get(
        modules_url(course_id, first["module_id"]), headers=people.owner.headers
    )

    assert (first["sequence_number"], second["sequence_number"]) == (1, 2)
    assert first["status"] == "draft" and first["items"] == [] and first["prerequisite_ids"] == []
    assert read.status_code == 200
    assert read.json()["title"] == "One"
    assert read.headers["ETag"] == 'W/"3"'


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "x" * 256}, {"title": "T", "sequence_number": 3}, {"title": 1}],
)
async def test_bad_module_input_is_a_422(client, courses: Courses, people: People, body) -> None:
    course = await courses.create(people.owner, title="C")

    response = await client.post(
        modules_url(course["course_id"]), json=body, headers=people.owner.headers
    )

    assert response.status_code == 422
    assert (await courses.read(people.owner, course["course_id"]))["modules"] == []


async def test_only_the_course_instructors_and_admins_add_modules(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    url = modules_url(taught.course_id)

    by_co_instructor = await client.post(
        url, json={"title": "M"}, headers=people.co_instructor.headers
    )
    by_other = await client.post(url, json={"title": "M"}, headers=people.other_instructor.headers)
    by_learner = await client.post(url, json={"title": "M"}, headers=people.learner.headers)
    anonymous = await client.post(url, json={"title": "M"})
    unknown_course = await client.post(
        modules_url(str(uuid.uuid4())), json={"title": "M"}, headers=people.admin.headers
    )

    assert by_co_instructor.status_code == 201
    assert (by_other.status_code, by_learner.status_code, anonymous.status_code) == (403, 403, 401)
    assert unknown_course.status_code == 404


async def test_a_module_patch_needs_a_fresh_if_match(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=False)
    url = modules_url(taught.course_id, taught.module_ids[0])
    etag = await courses.etag(people.owner, taught.course_id)

    missing = await client.patch(url, json={"title": "New"}, headers=people.owner.headers)
    ok = await client.patch(
        url,
        json={"title": "New", "status": "published"},
        headers=headers(people.owner, **{"If-Match": etag}),
    )
    stale = await client.patch(
        url, json={"title": "Newer"}, headers=headers(people.owner, **{"If-Match": etag})
    )
    null_title = await client.patch(
        url, json={"title": None}, headers=headers(people.owner, **{"If-Match": "*"})
    )

    assert missing.status_code == 428
    assert ok.status_code == 200, ok.text
    assert (ok.json()["title"], ok.json()["status"]) == ("New", "published")
    assert ok.headers["ETag"] != etag
    assert stale.status_code == 412
    assert null_title.status_code == 422
    assert (await courses.outline(people.owner, taught.course_id))[0]["title"] == "New"


async def test_a_module_of_another_course_is_not_found_here(
    client, courses: Courses, people: People, teach
) -> None:
    one = await teach(published=True)
    other = await teach(published=True)

    response = await client.get(
        modules_url(one.course_id, other.module_ids[0]), headers=people.owner.headers
    )
    patch = await client.patch(
        modules_url(one.course_id, other.module_ids[0]),
        json={"title": "Hijack"},
        headers=headers(people.owner, **{"If-Match": "*"}),
    )

    assert response.status_code == 404
    assert response.json()["code"] == "module-not-found"
    assert patch.status_code == 404


async def test_learners_do_not_see_draft_modules(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    draft = await courses.module(people.owner, taught.course_id, "Later")

    as_learner = await client.get(
        modules_url(taught.course_id, draft["module_id"]), headers=people.outsider.headers
    )
    as_owner = await client.get(
        modules_url(taught.course_id, draft["module_id"]), headers=people.owner.headers
    )

    assert as_learner.status_code == 404
    assert as_owner.status_code == 200


async def test_deleting_a_module_closes_the_gap(client, courses: Courses, people: People) -> None:
    course = await courses.create(people.owner, title="C")
    course_id = course["course_id"]
    ids = [(await courses.module(people.owner, course_id, t))["module_id"] for t in "ABC"]

    response = await client.delete(modules_url(course_id, ids[1]), headers=people.owner.headers)
    again = await client.delete(modules_url(course_id, ids[1]), headers=people.owner.headers)

    assert response.status_code == 204
    assert again.status_code == 404
    outline = await courses.outline(people.owner, course_id)
    assert [(m["title"], m["sequence_number"]) for m in outline] == [("A", 1), ("C", 2)]


# ---------------------------------------------------------------------------------------------
# Reordering


async def test_reorder_modules(client, courses: Courses, people: People) -> None:
    course = await courses.create(people.owner, title="C")
    course_id = course["course_id"]
    ids = [(await courses.module(people.owner, course_id, t))["module_id"] for t in "ABC"]

    response = await client.put(
        modules_url(course_id, "order"),
        json={"module_ids": [ids[2], ids[0], ids[1]]},
        headers=people.co_instructor.headers,
    )
    assert response.status_code == 404  # not a co-instructor of this draft

    response = await client.put(
        modules_url(course_id, "order"),
        json={"module_ids": [ids[2], ids[0], ids[1]]},
        headers=people.owner.headers,
    )

    assert response.status_code == 200, response.text
    assert [(m["title"], m["sequence_number"]) for m in response.json()["modules"]] == [
        ("C", 1),
        ("A", 2),
        ("B", 3),
    ]
    assert [m["title"] for m in await courses.outline(people.owner, course_id)] == ["C", "A", "B"]


@pytest.mark.parametrize(
    ("pick", "problem"),
    [
        (lambda ids, _: ids[:2], "missing"),
        (lambda ids, _: [*ids, str(uuid.uuid4())], "unknown"),
        (lambda ids, other: [ids[0], ids[1], other], "unknown"),
        (lambda ids, _: [ids[0], ids[0], ids[1], ids[2]], "duplicates"),
        (lambda ids, _: [], "missing"),
    ],
)
async def test_a_mismatched_module_order_is_refused_and_changes_nothing(
    client, courses: Courses, people: People, teach, pick, problem
) -> None:
    course = await courses.create(people.owner, title="C")
    course_id = course["course_id"]
    ids = [(await courses.module(people.owner, course_id, t))["module_id"] for t in "ABC"]
    other = await teach(published=False)
    revision = (await courses.read(people.owner, course_id))["revision"]

    response = await client.put(
        modules_url(course_id, "order"),
        json={"module_ids": pick(ids, other.module_ids[0])},
        headers=people.owner.headers,
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "reorder-mismatch"
    assert body[problem]
    after = await courses.read(people.owner, course_id)
    assert [m["title"] for m in after["modules"]] == ["A", "B", "C"]
    assert after["revision"] == revision


async def test_reorder_with_a_stale_if_match_is_refused(
    client, courses: Courses, people: People
) -> None:
    course = await courses.create(people.owner, title="C")
    course_id = course["course_id"]
    ids = [(await courses.module(people.owner, course_id, t))["module_id"] for t in "AB"]

    response = await client.put(
        modules_url(course_id, "order"),
        json={"module_ids": ids[::-1]},
        headers=headers(people.owner, **{"If-Match": 'W/"1"'}),
    )

    assert response.status_code == 412
    assert [m["title"] for m in await courses.outline(people.owner, course_id)] == ["A", "B"]


async def test_reorder_items(client, courses: Courses, people: People, teach) -> None:
    taught = await teach(published=True)
    module_id = taught.module_ids[0]
    third = await courses.item(taught.course_id, module_id, "Functions", sequence_number=3)
    items = (await courses.outline(people.owner, taught.course_id))[0]["items"]
    ids = [i["content_id"] for i in items]
    url = modules_url(taught.course_id, module_id, "items", "order")

    by_learner = await client.put(url, json={"item_ids": ids[::-1]}, headers=people.learner.headers)
    missing = await client.put(url, json={"item_ids": ids[:2]}, headers=people.owner.headers)
    foreign = await client.put(
        modules_url(taught.course_id, taught.module_ids[1], "items", "order"),
        json={"item_ids": ids},
        headers=people.owner.headers,
    )
    ok = await client.put(url, json={"item_ids": ids[::-1]}, headers=people.co_instructor.headers)

    assert by_learner.status_code == 403
    assert missing.status_code == 422 and missing.json()["code"] == "reorder-mismatch"
    assert foreign.status_code == 422 and foreign.json()["unknown"]
    assert ok.status_code == 200, ok.text
    assert [i["title"] for i in ok.json()["items"]] == ["Functions", "Loops", "Variables"]
    assert ok.json()["items"][0]["content_id"] == str(third)
    learner_view = await courses.outline(people.learner, taught.course_id)
    assert [i["title"] for i in learner_view[0]["items"]] == ["Functions", "Loops", "Variables"]


# ---------------------------------------------------------------------------------------------
# Prerequisites


async def three_modules(courses: Courses, people: People) -> tuple[str, list[str]]:
    course = await courses.create(people.owner, title="Graph course")
    course_id = course["course_id"]
    ids = [(await courses.module(people.owner, course_id, t))["module_id"] for t in "ABC"]
    return course_id, ids


async def set_prerequisites(client, who, course_id: str, module_id: str, required: list[str]):
    return await client.put(
        modules_url(course_id, module_id, "prerequisites"),
        json={"module_ids": required},
        headers=headers(who),
    )


async def test_prerequisites_are_set_and_replaced(client, courses: Courses, people: People) -> None:
    course_id, (a, b, c) = await three_modules(courses, people)

    first = await set_prerequisites(client, people.owner, course_id, c, [a, b, a])
    replaced = await set_prerequisites(client, people.owner, course_id, c, [b])
    cleared = await set_prerequisites(client, people.owner, course_id, b, [])

    assert first.status_code == 200, first.text
    assert first.json()["prerequisite_ids"] == [a, b]
    assert replaced.json()["prerequisite_ids"] == [b]
    assert cleared.json()["prerequisite_ids"] == []
    outline = await courses.outline(people.owner, course_id)
    assert [m["prerequisite_ids"] for m in outline] == [[], [], [b]]


async def test_a_self_loop_is_refused(client, courses: Courses, people: People) -> None:
    course_id, (a, _, _) = await three_modules(courses, people)

    response = await set_prerequisites(client, people.owner, course_id, a, [a])

    assert response.status_code == 422
    assert response.json()["code"] == "prerequisite-cycle"
    assert response.json()["cycle"] == [a, a]


async def test_a_cycle_is_refused_with_its_path_and_nothing_changes(
    client, courses: Courses, people: People
) -> None:
    course_id, (a, b, c) = await three_modules(courses, people)
    assert (await set_prerequisites(client, people.owner, course_id, b, [a])).status_code == 200
    assert (await set_prerequisites(client, people.owner, course_id, c, [b])).status_code == 200
    revision = (await courses.read(people.owner, course_id))["revision"]

    response = await set_prerequisites(client, people.owner, course_id, a, [c])

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "prerequisite-cycle"
    assert problem["cycle"] == [a, c, b, a]
    assert "'A' -> 'C' -> 'B' -> 'A'" in problem["detail"]
    after = await courses.read(people.owner, course_id)
    assert [m["prerequisite_ids"] for m in after["modules"]] == [[], [a], [b]]
    assert after["revision"] == revision


async def test_prerequisites_must_be_modules_of_the_same_course(
    client, courses: Courses, people: People, teach
) -> None:
    course_id, (a, _, _) = await three_modules(courses, people)
    elsewhere = await teach(published=False)

    foreign = await set_prerequisites(client, people.owner, course_id, a, [elsewhere.module_ids[0]])
    unknown = await set_prerequisites(client, people.owner, course_id, a, [str(uuid.uuid4())])
    not_a_list = await client.put(
        modules_url(course_id, a, "prerequisites"),
        json={"module_ids": "all"},
        headers=people.owner.headers,
    )

    assert foreign.status_code == 422
    assert foreign.json()["code"] == "invalid-prerequisite"
    assert foreign.json()["unknown"] == [elsewhere.module_ids[0]]
    assert unknown.status_code == 422
    assert not_a_list.status_code == 422


async def test_learners_may_not_set_prerequisites(
    client, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)

    response = await set_prerequisites(
        client, people.learner, taught.course_id, taught.module_ids[1], [taught.module_ids[0]]
    )

    assert response.status_code == 403
