"""/api/v1/jobs: owners see and cancel their jobs, admins everyone's; another user's job is
not found; anonymous callers are refused; bad filters are 422."""

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.platform import jobs
from learnwise.platform.models import Job
from learnwise.platform.runtime import Runtime
from learnwise.realtime.channels import user_channel


@pytest.fixture
def kinds(registry) -> jobs.JobRegistry:
    @registry.handler("test.report")
    async def report(ctx: jobs.JobContext) -> dict:
        return {"rows": 3}

    @registry.handler("test.fit")
    async def fit(ctx: jobs.JobContext) -> None:
        return None

    return registry


async def queue(session: AsyncSession, kind: str, owner) -> Job:
    job = await jobs.enqueue(session=session, kind=kind, owner_id=owner.user_id)
    await session.commit()
    return job


async def test_owner_and_admin_see_a_job_others_get_404_anonymous_401(
    client, db_session: AsyncSession, make_account, kinds
) -> None:
    owner = await make_account("learner")
    other = await make_account("learner")
    instructor = await make_account("instructor")
    admin = await make_account("admin")
    job = await queue(db_session, "test.report", owner)
    url = f"/api/v1/jobs/{job.job_id}"

    for caller in (owner, admin):
        response = await client.get(url, headers=caller.headers)
        assert response.status_code == 200, response.text
        assert response.json()["job_id"] == str(job.job_id)
        assert response.json()["status"] == "queued"
    for caller in (other, instructor):
        response = await client.get(url, headers=caller.headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "job-not-found"
    assert (await client.get(url)).status_code == 401
    assert (await client.get("/api/v1/jobs/not-a-uuid", headers=owner.headers)).status_code == 422


async def test_lists_show_my_jobs_and_admins_everyones_with_filters(
    client, db_session: AsyncSession, make_account, kinds
) -> None:
    learner = await make_account("learner")
    other = await make_account("learner")
    admin = await make_account("admin")
    mine = [
        await queue(db_session, "test.report", learner),
        await queue(db_session, "test.fit", learner),
    ]
    theirs = await queue(db_session, "test.report", other)

    response = await client.get("/api/v1/jobs", headers=learner.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert {item["job_id"] for item in body["items"]} == {str(j.job_id) for j in mine}

    response = await client.get("/api/v1/jobs?kind=test.fit", headers=learner.headers)
    assert [item["job_id"] for item in response.json()["items"]] == [str(mine[1].job_id)]

    # A learner cannot list someone else's jobs.
    response = await client.get(f"/api/v1/jobs?owner_id={other.user_id}", headers=learner.headers)
    assert response.status_code == 403

    response = await client.get("/api/v1/jobs?kind=test.report", headers=admin.headers)
    assert {item["job_id"] for item in response.json()["items"]} == {
        str(mine[0].job_id),
        str(theirs.job_id),
    }
    response = await client.get(f"/api/v1/jobs?owner_id={other.user_id}", headers=admin.headers)
    assert [item["job_id"] for item in response.json()["items"]] == [str(theirs.job_id)]

    await db_session.execute(update(Job).where(Job.job_id == theirs.job_id).values(status="failed"))
    await db_session.commit()
    response = await client.get("/api/v1/jobs?status=failed", headers=admin.headers)
    assert [item["job_id"] for item in response.json()["items"]] == [str(theirs.job_id)]

    for bad in ("status=exploded", "limit=0", "limit=101", "offset=-1", "owner_id=x"):
        response = await client.get(f"/api/v1/jobs?{bad}", headers=admin.headers)
        assert response.status_code == 422, bad
    assert (await client.get("/api/v1/jobs")).status_code == 401


async def test_cancelling_a_queued_job_ends_it_and_announces_it(
    client, runtime: Runtime, db_session: AsyncSession, make_account, kinds, listen
) -> None:
    owner = await make_account("learner")
    job = await queue(db_session, "test.report", owner)
    listener = listen(user_channel(owner.user_id))

    response = await client.post(f"/api/v1/jobs/{job.job_id}/cancel", headers=owner.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["finished_at"] is not None
    finished = await listener.next("job.finished")
    assert finished["status"] == "cancelled" and finished["job_id"] == str(job.job_id)
    assert await jobs.run_pending(runtime, including_delayed=True) == 0

    again = await client.post(f"/api/v1/jobs/{job.job_id}/cancel", headers=owner.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "job-finished"


async def test_cancelling_a_running_job_asks_its_worker_to_stop(
    client, db_session: AsyncSession, make_account, kinds
) -> None:
    owner = await make_account("learner")
    job = await queue(db_session, "test.report", owner)
    await db_session.execute(update(Job).where(Job.job_id == job.job_id).values(status="running"))
    await db_session.commit()

    response = await client.post(f"/api/v1/jobs/{job.job_id}/cancel", headers=owner.headers)
    assert response.status_code == 200
    assert response.json()["status"] == "running"
    assert response.json()["cancel_requested"] is True


async def test_only_the_owner_or_an_admin_may_cancel(
    client, db_session: AsyncSession, make_account, kinds
) -> None:
    owner = await make_account("learner")
    other = await make_account("learner")
    instructor = await make_account("instructor")
    admin = await make_account("admin")
    first = await queue(db_session, "test.report", owner)
    second = await queue(db_session, "test.report", owner)

    for caller in (other, instructor):
        response = await client.post(f"/api/v1/jobs/{first.job_id}/cancel", headers=caller.headers)
        assert response.status_code == 404
    assert (await client.post(f"/api/v1/jobs/{first.job_id}/cancel")).status_code == 401
    await db_session.refresh(first)
    assert first.status == "queued"

    response = await client.post(f"/api/v1/jobs/{second.job_id}/cancel", headers=admin.headers)
    assert response.json()["status"] == "cancelled"
