"""Racing requests with real commits: one winner per If-Match, no cycle slipping in between two
prerequisite edits, one enrollment per learner, distinct generated slugs."""

import asyncio
import secrets
import uuid

import httpx
from sqlalchemy import func, select

from learnwise.auth import service as auth_service
from learnwise.content.models import Enrollment
from learnwise.platform.runtime import Runtime

from .factories import COURSES

PASSWORD = "correct horse battery staple"


async def sign_in(live_client: httpx.AsyncClient, runtime: Runtime, role: str) -> dict[str, str]:
    email = f"racer-{secrets.token_hex(4)}@example.org"
    async with runtime.sessionmaker() as session:
        await auth_service.create_user(
            session=session, email=email, display_name="Racer", password=PASSWORD, roles=(role,)
        )
        await session.commit()
    response = await live_client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_concurrent_patches_with_one_etag_have_one_winner(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await sign_in(live_client, runtime, "instructor")
    created = await live_client.post(COURSES, json={"title": "Raced"}, headers=owner)
    url = f"{COURSES}/{created.json()['course_id']}"

    async def rename(n: int) -> httpx.Response:
        return await live_client.patch(
            url, json={"title": f"Title {n}"}, headers={**owner, "If-Match": 'W/"1"'}
        )

    responses = await asyncio.gather(*(rename(n) for n in range(4)))

    assert sorted(r.status_code for r in responses) == [200, 412, 412, 412]
    (winner,) = [r.json() for r in responses if r.status_code == 200]
    final = (await live_client.get(url, headers=owner)).json()
    assert (final["title"], final["revision"]) == (winner["title"], 2)


async def test_two_prerequisite_edits_cannot_close_a_cycle_together(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await sign_in(live_client, runtime, "instructor")
    course_id = (await live_client.post(COURSES, json={"title": "G"}, headers=owner)).json()[
        "course_id"
    ]
    a, b = [
        (
            await live_client.post(
                f"{COURSES}/{course_id}/modules", json={"title": t}, headers=owner
            )
        ).json()["module_id"]
        for t in "AB"
    ]

    async def require(module: str, required: str) -> httpx.Response:
        return await live_client.put(
            f"{COURSES}/{course_id}/modules/{module}/prerequisites",
            json={"module_ids": [required]},
            headers=owner,
        )

    first, second = await asyncio.gather(require(a, b), require(b, a))

    assert sorted([first.status_code, second.status_code]) == [200, 422]
    outline = (await live_client.get(f"{COURSES}/{course_id}", headers=owner)).json()["modules"]
    assert sum(len(m["prerequisite_ids"]) for m in outline) == 1


async def test_concurrent_enrollments_make_one(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await sign_in(live_client, runtime, "instructor")
    learner = await sign_in(live_client, runtime, "learner")
    course_id = (await live_client.post(COURSES, json={"title": "E"}, headers=owner)).json()[
        "course_id"
    ]
    await live_client.post(f"{COURSES}/{course_id}/publish", headers=owner)

    responses = await asyncio.gather(
        *(live_client.post(f"{COURSES}/{course_id}/enrollment", headers=learner) for _ in range(4))
    )

    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["enrollment_id"] for r in responses}) == 1
    async with runtime.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).where(Enrollment.course_id == uuid.UUID(course_id))
        )
    assert count == 1


async def test_concurrent_courses_with_one_title_get_distinct_slugs(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await sign_in(live_client, runtime, "instructor")

    responses = await asyncio.gather(
        *(live_client.post(COURSES, json={"title": "Same Title"}, headers=owner) for _ in range(4))
    )

    assert [r.status_code for r in responses] == [201] * 4, [r.text for r in responses]
    assert len({r.json()["slug"] for r in responses}) == 4
