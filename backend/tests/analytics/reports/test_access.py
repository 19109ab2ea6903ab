"""Who may request, see, download and delete which report; bad requests are a clear 4xx and
store nothing; reports expire and are purged with their files."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from learnwise.analytics.reports.models import AnalyticsReport
from learnwise.content.models import Course
from learnwise.platform import jobs
from learnwise.platform.events import EventType
from learnwise.platform.models import Job, OutboxEvent
from learnwise.realtime.channels import user_channel
from tests.analytics.reports.conftest import API, generate, new_id, request
from tests.platform.jobs.conftest import Listener


async def nothing_stored(db_session) -> bool:
    reports = await db_session.scalar(select(func.count()).select_from(AnalyticsReport))
    queued = await db_session.scalar(select(func.count()).select_from(Job))
    return reports == 0 and queued == 0


def today() -> date:
    return datetime.now(UTC).date()


async def test_bad_requests_are_refused_and_store_nothing(client, db_session, world) -> None:
    course = {"kind": "course_progress", "course_id": world.course_id}
    cases = [
        ({"kind": "course_progress", "format": "docx", "course_id": world.course_id}, 422),
        ({"kind": "gossip", "format": "csv"}, 422),
        ({**course, "format": "csv", "colour": "red"}, 422),
        ({"kind": "course_progress", "format": "csv"}, 422),
        ({**course, "format": "csv", "learner_id": str(world.learner.user_id)}, 422),
        ({"kind": "learner_transcript", "format": "csv", "course_id": world.course_id}, 422),
        (
            {**course, "format": "csv", "date_from": "2020-01-01", "date_to": "2026-01-01"},
            422,
        ),
        (
            {**course, "format": "csv", "date_from": str(today()), "date_to": "2026-01-01"},
            422,
        ),
        ({**course, "format": "csv", "date_to": str(today() + timedelta(days=2))}, 422),
        ({**course, "format": "csv", "date_from": "2026-02-30"}, 422),
        ({"kind": "course_progress", "format": "csv", "course_id": new_id()}, 404),
    ]
    for body, status in cases:
        response = await request(client, world.owner, **body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    response = await request(
        client, world.owner, **course, format="csv", date_from="2020-01-01", date_to="2026-01-01"
    )
    assert "at most 366" in response.json()["detail"]
    assert await nothing_stored(db_session)


async def test_each_role_may_request_only_what_it_is_allowed(client, db_session, world) -> None:
    course = {"kind": "course_progress", "format": "csv", "course_id": world.course_id}
    analysis = {**course, "kind": "quiz_item_analysis"}
    summary = {"kind": "platform_summary", "format": "csv"}
    others = {"kind": "learner_transcript", "format": "csv", "learner_id": str(world.owner.user_id)}
    refused = [
        (world.learner, course, 403),  # learners request no course reports
        (world.learner, summary, 403),
        (world.learner, others, 403),  # nor another learner's transcript
        (world.other_instructor, course, 403),  # a course they do not teach
        (world.other_instructor, analysis, 403),
        (world.owner, summary, 403),
        (world.owner, {**others, "learner_id": str(world.learner.user_id)}, 403),
        (world.owner, {**course, "include_identities": True}, 403),  # no report:identify
    ]
    for caller, body, status in refused:
        response = await request(client, caller, **body)
        assert response.status_code == status, (caller.email, body, response.text)
    assert (await client.post(API, json=course)).status_code == 401
    assert await nothing_stored(db_session)

    allowed = [
        (world.learner, {"kind": "learner_transcript", "format": "csv"}),
        (world.owner, course),
        (world.owner, analysis),
        (world.admin, course),
        (world.admin, {**summary, "include_identities": True}),
        (world.admin, others),
        (world.admin, {**course, "include_identities": True}),
    ]
    for caller, body in allowed:
        response = await request(client, caller, **body)
        assert response.status_code == 202, (caller.email, body, response.text)
        assert response.json()["job_id"] is not None


async def test_only_the_requester_and_admins_see_and_download_a_report(
    client, runtime, db_session, world
) -> None:
    report = await generate(
        client,
        runtime,
        world.owner,
        kind="quiz_item_analysis",
        format="csv",
        course_id=world.course_id,
    )
    url = f"{API}/{report['report_id']}"
    for caller in (world.owner, world.admin):
        assert (await client.get(url, headers=caller.headers)).status_code == 200
        assert (await client.get(f"{url}/download", headers=caller.headers)).status_code == 200
    for caller in (world.other_instructor, world.learner):
        assert (await client.get(url, headers=caller.headers)).status_code == 404
        assert (await client.get(f"{url}/download", headers=caller.headers)).status_code == 404
        assert (await client.delete(url, headers=caller.headers)).status_code == 404
    assert (await client.get(url)).status_code == 401

    mine = await client.get(API, headers=world.owner.headers)
    assert [item["report_id"] for item in mine.json()["items"]] == [report["report_id"]]
    assert (await client.get(API, headers=world.learner.headers)).json()["total"] == 0
    assert (await client.get(API, headers=world.admin.headers)).json()["total"] == 1
    assert (await client.get(f"{API}?kind=nope", headers=world.admin.headers)).status_code == 422

    ready = await db_session.scalar(
        select(func.count()).where(
            OutboxEvent.type == EventType.REPORT_READY, OutboxEvent.user_id == world.owner.user_id
        )
    )
    assert ready == 1

    assert (await client.delete(url, headers=world.owner.headers)).status_code == 204
    assert (await client.get(url, headers=world.owner.headers)).status_code == 404


async def test_a_pending_report_is_409_and_a_cancelled_one_failed(client, world) -> None:
    response = await request(client, world.learner, kind="learner_transcript", format="pdf")
    report = response.json()
    download = await client.get(
        f"{API}/{report['report_id']}/download", headers=world.learner.headers
    )
    assert download.status_code == 409 and download.json()["code"] == "report-not-ready"

    cancelled = await client.post(
        f"/api/v1/jobs/{report['job_id']}/cancel", headers=world.learner.headers
    )
    assert cancelled.status_code == 200
    shown = await client.get(f"{API}/{report['report_id']}", headers=world.learner.headers)
    assert shown.json()["status"] == "failed"


async def test_expired_reports_are_gone_and_purged_with_their_files(
    client, runtime, db_session, world
) -> None:
    report = await generate(
        client, runtime, world.learner, kind="learner_transcript", format="xlsx"
    )
    row = await db_session.get(AnalyticsReport, uuid.UUID(report["report_id"]))
    key = row.storage_key
    await db_session.execute(
        update(AnalyticsReport)
        .where(AnalyticsReport.report_id == row.report_id)
        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    await db_session.commit()
    url = f"{API}/{report['report_id']}/download"
    response = await client.get(url, headers=world.learner.headers)
    assert response.status_code == 410 and response.json()["code"] == "report-expired"

    await jobs.enqueue(session=db_session, kind="analytics.report_purge")
    await db_session.commit()
    await jobs.run_pending(runtime)
    assert (await client.get(url, headers=world.learner.headers)).status_code == 404
    assert await runtime.storage.list_prefix(key.rsplit("/", 1)[0] + "/") == []


@pytest.mark.parametrize("report_format", ["csv", "xlsx", "pdf"])
async def test_a_report_whose_requester_lost_access_fails(
    client, runtime, db_session, world, report_format
) -> None:
    response = await request(
        client,
        world.owner,
        kind="course_progress",
        format=report_format,
        course_id=world.course_id,
    )
    # The instructor is removed from the course before the job runs.
    await db_session.execute(
        update(Course)
        .where(Course.course_id == uuid.UUID(world.course_id))
        .values(owner_id=world.admin.user_id)
    )
    await db_session.commit()
    await jobs.run_pending(runtime)
    shown = await client.get(f"{API}/{response.json()['report_id']}", headers=world.owner.headers)
    assert shown.json()["status"] == "failed"
    assert shown.json()["error"]


async def test_the_requester_sees_the_reports_progress_live(client, runtime, world) -> None:
    listener = Listener()
    channel = user_channel(world.owner.user_id)
    runtime.hub.attach(channel, listener)
    try:
        response = await request(
            client, world.owner, kind="course_progress", format="pdf", course_id=world.course_id
        )
        assert response.status_code == 202, response.text
        await jobs.run_pending(runtime)
        progress = [await listener.next("job.progress") for _ in range(3)]
        finished = await listener.next("job.finished")
    finally:
        runtime.hub.detach(channel, listener)

    assert [m["progress"] for m in progress] == [0.05, 0.6, 0.9]
    assert all(m["message"] for m in progress)
    assert (finished["kind"], finished["status"]) == ("analytics.report", "succeeded")
    report = await client.get(f"{API}/{response.json()['report_id']}", headers=world.owner.headers)
    assert report.json()["status"] == "ready"
