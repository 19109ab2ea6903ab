"""POST /api/v1/ai/generate, offline: drafts made from an item or pasted text, who may call it,
and bad input that changes nothing."""

import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.generation.models import Generation
from learnwise.ai.generation.nlp import split_sentences
from learnwise.ai.text import markdown_to_text
from learnwise.content.models import ContentItem
from learnwise.platform.runtime import Runtime

from .conftest import (
    API,
    CELL_DIVISION,
    PHOTOSYNTHESIS,
    Course,
    People,
    create_course,
    generate,
)

GENERATE = f"{API}/ai/generate"


async def count(db_session: AsyncSession, model) -> int:
    return await db_session.scalar(select(func.count()).select_from(model)) or 0


async def test_an_instructor_gets_draft_quiz_and_study_guide_from_an_item(
    client: httpx.AsyncClient, runtime: Runtime, people: People, biology: Course
) -> None:
    source = biology.item_ids["Photosynthesis"]
    body = await generate(
        client, runtime, {"content_id": source, "question_count": 4}, people.owner.headers
    )

    assert body["status"] == "succeeded" and body["engine"] == "offline"
    assert body["source_content_id"] == source and body["source_version"] == 1
    assert body["module_id"] == biology.module_id
    result = body["result"]
    assert len(result["questions"]) == 4
    prose = markdown_to_text(PHOTOSYNTHESIS)
    for question in result["questions"]:
        assert question["answer"] in prose  # cloze answers come from the source
        assert "_____" in question["prompt"]
        assert question["answer"] not in question["prompt"].replace("_____", "")
        assert question["answer"].casefold() not in [d.casefold() for d in question["distractors"]]
    summary = split_sentences(result["summary"])
    assert summary and set(summary) <= set(split_sentences(prose))  # extractive
    assert {entry["term"] for entry in result["glossary"]} >= {"Photosynthesis"}
    assert result["learning_objectives"] and result["flashcards"]

    assert [d["type"] for d in body["drafts"]] == ["quiz", "lesson"]
    quiz_id = body["drafts"][0]["content_id"]
    quiz = await client.get(f"{API}/items/{quiz_id}?view=draft", headers=people.owner.headers)
    assert quiz.status_code == 200, quiz.text
    quiz = quiz.json()
    assert quiz["published_version"] is None  # a draft for review, never published
    assert len(quiz["content"]["questions"]) == 4
    first = quiz["content"]["questions"][0]
    assert first["type"] == "single_choice"
    correct = next(o["text"] for o in first["options"] if o["id"] == first["correct"])
    assert correct == result["questions"][0]["answer"]

    guide_id = body["drafts"][1]["content_id"]
    guide = (
        await client.get(f"{API}/items/{guide_id}?view=draft", headers=people.owner.headers)
    ).json()
    assert "## Summary" in guide["content"]["body"] and "## Glossary" in guide["content"]["body"]
    assert guide["metadata"]["learning_objectives"] == result["learning_objectives"]


async def test_learners_never_see_the_drafts(
    client: httpx.AsyncClient, runtime: Runtime, people: People, biology: Course
) -> None:
    enrolled = await client.post(
        f"{API}/courses/{biology.course_id}/enrollment", headers=people.learner.headers
    )
    assert enrolled.status_code in (200, 201), enrolled.text
    body = await generate(
        client, runtime, {"content_id": biology.item_ids["Cell division"]}, people.owner.headers
    )
    for draft in body["drafts"]:
        seen = await client.get(
            f"{API}/items/{draft['content_id']}", headers=people.learner.headers
        )
        assert seen.status_code == 404


async def test_generation_from_pasted_text_goes_to_the_module_named(
    client: httpx.AsyncClient, runtime: Runtime, people: People, biology: Course
) -> None:
    body = await generate(
        client,
        runtime,
        {
            "text": CELL_DIVISION,
            "course_id": biology.course_id,
            "module_id": biology.module_id,
            "title": "Mitosis notes",
            "outputs": ["quiz", "glossary"],
            "question_count": 3,
        },
        people.admin.headers,
    )
    assert body["source_content_id"] is None
    assert body["outputs"] == ["glossary", "quiz"]
    assert body["result"]["summary"] == "" and body["result"]["flashcards"] == []
    assert len(body["result"]["questions"]) == 3
    assert [d["title"] for d in body["drafts"]] == [
        "Quiz: Mitosis notes",
        "Study guide: Mitosis notes",
    ]


async def test_the_generation_can_be_read_back_by_its_requester_and_admins_only(
    client: httpx.AsyncClient, runtime: Runtime, people: People, biology: Course
) -> None:
    body = await generate(
        client,
        runtime,
        {"content_id": biology.item_ids["Photosynthesis"], "outputs": ["summary"]},
        people.owner.headers,
    )
    url = f"{API}/ai/generations/{body['generation_id']}"

    for who in (people.owner, people.admin):
        read = await client.get(url, headers=who.headers)
        assert read.status_code == 200, read.text
        assert read.json()["result"] == body["result"]
        assert read.json()["drafts"] == body["drafts"]
    assert (await client.get(url, headers=people.other_instructor.headers)).status_code == 404
    assert (await client.get(url, headers=people.learner.headers)).status_code == 403
    assert (await client.get(url)).status_code == 401
    missing = await client.get(f"{API}/ai/generations/{uuid.uuid4()}", headers=people.admin.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "generation-not-found"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("learner", 403), ("other_instructor", 403), (None, 401)],
)
async def test_only_the_courses_instructors_and_admins_may_generate(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    people: People,
    biology: Course,
    who: str | None,
    expected: int,
) -> None:
    items_before = await count(db_session, ContentItem)
    headers = getattr(people, who).headers if who else {}
    for body in (
        {"content_id": biology.item_ids["Photosynthesis"]},
        {"text": PHOTOSYNTHESIS, "course_id": biology.course_id, "module_id": biology.module_id},
    ):
        response = await client.post(GENERATE, json=body, headers=headers)
        assert response.status_code == expected, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert await count(db_session, ContentItem) == items_before
    assert await count(db_session, Generation) == 0


async def test_an_enrolled_learner_is_refused_with_403(
    client: httpx.AsyncClient, people: People, biology: Course
) -> None:
    await client.post(
        f"{API}/courses/{biology.course_id}/enrollment", headers=people.learner.headers
    )
    response = await client.post(
        GENERATE,
        json={"content_id": biology.item_ids["Photosynthesis"]},
        headers=people.learner.headers,
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": "", "course": True}, 422, "text-too-short"),
        ({"text": "Too short. Really.", "course": True}, 422, "text-too-short"),
        ({"text": "word " * 300, "course": True}, 422, "text-too-short"),  # no sentences
        ({"text": "A sentence of prose here. " * 9000, "course": True}, 413, "text-too-long"),
        ({"content_id": "unknown"}, 404, "item-not-found"),
        ({"content_id": "photo", "text": PHOTOSYNTHESIS}, 422, "validation-failed"),
        ({"text": PHOTOSYNTHESIS}, 422, "validation-failed"),
        ({"text": PHOTOSYNTHESIS, "course": True, "question_count": 0}, 422, "validation-failed"),
        ({"text": PHOTOSYNTHESIS, "course": True, "outputs": ["poems"]}, 422, "validation-failed"),
        ({"text": PHOTOSYNTHESIS, "course": True, "module_id": "unknown"}, 404, "module-not-found"),
        ({"text": PHOTOSYNTHESIS, "course": True, "course_id": "unknown"}, 404, "course-not-found"),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    people: People,
    biology: Course,
    body: dict,
    status: int,
    code: str,
) -> None:
    body = dict(body)
    if body.pop("course", False):
        body = {"course_id": biology.course_id, "module_id": biology.module_id} | body
    for key in ("course_id", "module_id", "content_id"):
        if body.get(key) == "unknown":
            body[key] = str(uuid.uuid4())
    if body.get("content_id") == "photo":
        body["content_id"] = biology.item_ids["Photosynthesis"]
    items_before = await count(db_session, ContentItem)

    response = await client.post(GENERATE, json=body, headers=people.owner.headers)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert await count(db_session, ContentItem) == items_before
    assert await count(db_session, Generation) == 0


async def test_an_item_with_too_little_text_is_refused(
    client: httpx.AsyncClient, people: People
) -> None:
    course = await create_course(
        client, people.owner, {"Stub": "Only a heading, nothing to learn."}, publish=False
    )
    response = await client.post(
        GENERATE, json={"content_id": course.item_ids["Stub"]}, headers=people.owner.headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "text-too-short"


async def test_drafts_go_only_to_a_module_of_the_items_course(
    client: httpx.AsyncClient, people: People, biology: Course
) -> None:
    other = await create_course(client, people.owner, {"Bonds": "Nothing."}, publish=False)
    response = await client.post(
        GENERATE,
        json={
            "content_id": biology.item_ids["Photosynthesis"],
            "course_id": other.course_id,
            "module_id": other.module_id,
        },
        headers=people.owner.headers,
    )
    assert response.status_code == 403, response.text
