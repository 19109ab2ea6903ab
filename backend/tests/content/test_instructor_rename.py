"""An instructor who changes their display name (PATCH /auth/me) is found, and shown, by the new
name at once: in the catalog's search, its cached listings and the cached course page."""

import httpx

from .factories import Courses, People

LIST = "/api/v1/courses/list"


async def test_the_catalog_and_course_pages_follow_a_rename(
    client: httpx.AsyncClient, courses: Courses, people: People, teach
) -> None:
    taught = await teach(published=True)
    # Cached: the page and the listing searched by the new name (nothing found yet).
    before = await courses.read(None, taught.course_id)
    assert (await client.get(LIST, params={"q": "Zephyrine"})).json()["total"] == 0

    response = await client.patch(
        "/api/v1/auth/me",
        json={"display_name": "Zephyrine Quill"},
        headers=people.co_instructor.headers,
    )
    assert response.status_code == 200, response.text

    found = (await client.get(LIST, params={"q": "Zephyrine"})).json()
    assert [c["course_id"] for c in found["items"]] == [str(taught.course_id)]
    after = await courses.read(None, taught.course_id)
    names = [i["display_name"] for i in after["instructors"]]
    assert "Zephyrine Quill" in names
    assert names != [i["display_name"] for i in before["instructors"]]
