"""The ``ai.fit`` job: queued by an admin through the API (or daily), run by the worker with
progress, its result the fit's summary."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.learner_model import jobs as learner_model_jobs
from learnwise.ai.learner_model.models import LearnerModelFit, LearnerSkillState
from learnwise.platform import jobs, relay
from learnwise.platform.runtime import Runtime

from .conftest import API, SkillWorld

FIT = f"{API}/ai/learner-model/fit"


async def test_an_admin_queues_a_fit_that_the_worker_runs_with_progress(
    skill_world: SkillWorld, db_session: AsyncSession, runtime: Runtime
) -> None:
    world = skill_world
    await world.answer({"q1": "a", "q2": "b"})
    await world.answer({"q1": "b", "q2": "a"}, by=world.other_learner)
    await relay.drain(runtime)
    before = {
        (row.user_id, row.skill_id): (row.correct, row.wrong)
        for row in await db_session.scalars(select(LearnerSkillState))
    }

    response = await world.client.post(FIT, headers=world.admin.headers)
    assert response.status_code == 202, response.text
    job = response.json()
    assert (job["kind"], job["status"], job["owner_id"]) == (
        "ai.fit",
        "queued",
        str(world.admin.user_id),
    )
    # Asking again while it waits returns the same job rather than a second fit.
    again = await world.client.post(FIT, headers=world.admin.headers)
    assert again.status_code == 202 and again.json()["job_id"] == job["job_id"]
    assert await db_session.scalar(select(func.count()).select_from(LearnerModelFit)) == 0

    await jobs.run_pending(runtime)

    done = await world.client.get(f"{API}/jobs/{job['job_id']}", headers=world.admin.headers)
    assert done.status_code == 200, done.text
    done = done.json()
    assert (done["status"], done["progress"], done["message"]) == ("succeeded", 1.0, "Fitted")
    result = done["result"]
    assert result["fitted"] is True and result["responses"] == 4 and result["learners"] == 2
    db_session.expire_all()
    fit = await db_session.scalar(select(LearnerModelFit))
    assert fit is not None and str(fit.fit_id) == result["fit_id"]
    after = {
        (row.user_id, row.skill_id): (row.correct, row.wrong)
        for row in await db_session.scalars(select(LearnerSkillState))
    }
    assert after == before  # the replay agrees with the online updates


async def test_a_fit_with_no_answers_stores_nothing(
    skill_world: SkillWorld, db_session: AsyncSession, runtime: Runtime
) -> None:
    response = await skill_world.client.post(FIT, headers=skill_world.admin.headers)
    assert response.status_code == 202, response.text
    await jobs.run_pending(runtime)
    done = await skill_world.client.get(
        f"{API}/jobs/{response.json()['job_id']}", headers=skill_world.admin.headers
    )
    assert done.json()["status"] == "succeeded"
    assert done.json()["result"]["fitted"] is False
    assert await db_session.scalar(select(func.count()).select_from(LearnerModelFit)) == 0


async def test_only_admins_may_ask_for_a_fit(skill_world: SkillWorld) -> None:
    client = skill_world.client
    for who in (skill_world.owner, skill_world.learner):
        response = await client.post(FIT, headers=who.headers)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.post(FIT)).status_code == 401


def test_the_fit_is_scheduled_daily() -> None:
    schedule = jobs.registry.schedules[learner_model_jobs.FIT]
    assert schedule.every_seconds == 24 * 3600
    assert jobs.registry.get(learner_model_jobs.FIT) is not None
