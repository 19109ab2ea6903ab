"""GET /analytics/xapi/statements: a user's events as xAPI statements, page by page."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import utcnow
from learnwise.platform.runtime import Runtime

from .conftest import API, World, lesson_view, relayed, send, set_consent


async def statements(world: World, *, by: Any = None, **params: Any):
    return await world.client.get(
        f"{API}/analytics/xapi/statements", params=params, headers=(by or world.learner).headers
    )


async def test_a_learners_events_as_statements(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    await set_consent(world.client, world.learner, True)
    await send(world.client, world.learner, [lesson_view(world.lesson, utcnow())])
    await world.reported(world.lesson, time_spent_seconds=60, completed=True)
    await relayed(runtime)

    response = await statements(world)

    assert response.status_code == 200, response.text
    body = response.json()
    verbs = [s["verb"]["display"]["en-US"] for s in body["statements"]]
    # In the order they were recorded: the enrollment's event reached analytics with the relay.
    assert verbs == ["experienced", "registered", "progressed", "completed"]
    progressed = body["statements"][2]
    assert progressed["actor"]["account"]["name"] == str(world.learner.user_id)
    assert progressed["object"]["id"].endswith(f"/api/v1/items/{world.lesson}")
    assert progressed["context"]["contextActivities"]["parent"][0]["id"].endswith(world.course_id)
    assert body["statements"][3]["result"] == {"completion": True}
    assert world.learner.email not in response.text
    assert body["next_after"] is None


async def test_statements_come_a_page_at_a_time(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    await world.reported(world.lesson, time_spent_seconds=60, completed=True)
    await relayed(runtime)
    seen: list[str] = []
    after = None
    while True:
        params = {"limit": 1} | ({"after": after} if after else {})
        body = (await statements(world, **params)).json()
        seen += [s["id"] for s in body["statements"]]
        after = body["next_after"]
        if after is None:
            break

    assert len(seen) == len(set(seen)) == 3  # registered, progressed, completed


async def test_only_oneself_or_an_admin_reads_statements(world: World) -> None:
    learner_id = str(world.learner.user_id)
    assert (await statements(world, by=world.admin, user_id=learner_id)).status_code == 200
    assert (await statements(world, by=world.outsider, user_id=learner_id)).status_code == 403
    assert (await statements(world, by=world.owner, user_id=learner_id)).status_code == 403
    assert (await world.client.get(f"{API}/analytics/xapi/statements")).status_code == 401
    assert (await statements(world, limit=501)).status_code == 422
