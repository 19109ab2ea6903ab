"""Generation runs as an ``ai.generate`` job: the request only queues it, its progress reaches
the requester's realtime channel and the job's status, and a job that can no longer save its
drafts fails with a clear message and saves nothing."""

import asyncio
import json
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content.models import ContentItem
from learnwise.platform import jobs
from learnwise.platform.runtime import Runtime
from learnwise.realtime.channels import user_channel

from .conftest import API, Course, People

GENERATE = f"{API}/ai/generate"


class Listener:
    """Collects what one realtime channel receives."""

    def __init__(self) -> None:
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def deliver(self, channel: str, seq: int, frame: str) -> None:
        self.messages.put_nowait(json.loads(frame)["data"])

    def interrupted(self, channel: str) -> None:
        raise AssertionError("interrupted")

    async def until_finished(self) -> list[dict[str, Any]]:
        received = []
        while not received or received[-1]["type"] != "job.finished":
            received.append(await asyncio.wait_for(self.messages.get(), 5))
        return received


async def items(db_session: AsyncSession) -> int:
    return await db_session.scalar(select(func.count()).select_from(ContentItem)) or 0


async def test_the_request_queues_and_the_worker_reports_progress_to_the_requester(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    runtime: Runtime,
    people: People,
    biology: Course,
) -> None:
    listener = Listener()
    runtime.hub.attach(user_channel(people.owner.user_id), listener)
    try:
        items_before = await items(db_session)
        response = await client.post(
            GENERATE,
            json={"content_id": biology.item_ids["Photosynthesis"]},
            headers=people.owner.headers,
        )
        assert response.status_code == 202, response.text
        queued = response.json()
        assert queued["status"] == "queued" and queued["drafts"] == []
        assert await items(db_session) == items_before  # nothing generated in the request
        job_url = f"{API}/jobs/{queued['job_id']}"
        job = (await client.get(job_url, headers=people.owner.headers)).json()
        assert (job["kind"], job["status"]) == ("ai.generate", "queued")

        assert await jobs.run_pending(runtime) == 1
        messages = await listener.until_finished()
    finally:
        runtime.hub.detach(user_channel(people.owner.user_id), listener)

    progress = [m for m in messages if m["type"] == "job.progress"]
    fractions = [m["progress"] for m in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 4
    assert progress[0]["message"] == "Reading the text"
    assert {m["job_id"] for m in messages} == {queued["job_id"]}
    finished = messages[-1]
    assert finished["status"] == "succeeded"
    assert finished["result"]["generation_id"] == queued["generation_id"]
    assert [d["type"] for d in finished["result"]["drafts"]] == ["quiz", "lesson"]

    job = (await client.get(job_url, headers=people.owner.headers)).json()
    assert (job["status"], job["progress"]) == ("succeeded", 1.0)
    assert job["message"] == "Done: drafts saved for review"
    # Another instructor sees neither the job nor the generation.
    other = people.other_instructor.headers
    assert (await client.get(job_url, headers=other)).status_code == 404
    read = await client.get(f"{API}/ai/generations/{queued['generation_id']}", headers=other)
    assert read.status_code == 404
    assert await items(db_session) == items_before + 2


async def test_a_requester_removed_from_the_course_meanwhile_gets_a_failed_generation(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    runtime: Runtime,
    people: People,
    biology: Course,
) -> None:
    course_url = f"{API}/courses/{biology.course_id}/instructors"
    helper = people.other_instructor
    added = await client.post(
        course_url, json={"user_id": str(helper.user_id)}, headers=people.owner.headers
    )
    assert added.status_code in (200, 201), added.text
    response = await client.post(
        GENERATE,
        json={"content_id": biology.item_ids["Cell division"]},
        headers=helper.headers,
    )
    assert response.status_code == 202, response.text
    queued = response.json()
    removed = await client.delete(f"{course_url}/{helper.user_id}", headers=people.owner.headers)
    assert removed.status_code == 204, removed.text
    items_before = await items(db_session)

    await jobs.run_pending(runtime)

    job = (await client.get(f"{API}/jobs/{queued['job_id']}", headers=helper.headers)).json()
    assert job["status"] == "failed" and job["attempts"] == 1  # not retried: it cannot succeed
    generation = (
        await client.get(f"{API}/ai/generations/{queued['generation_id']}", headers=helper.headers)
    ).json()
    assert generation["status"] == "failed" and generation["drafts"] == []
    assert generation["error"] == job["error"] and generation["error"]
    assert generation["finished_at"] is not None
    assert await items(db_session) == items_before
