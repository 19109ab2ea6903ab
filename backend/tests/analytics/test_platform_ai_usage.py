"""The platform figures count the AI service's use from its own records: generation runs, the
language model's usage ledger and learning paths planned."""

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.llm import client, ledger
from learnwise.platform import jobs
from learnwise.platform.runtime import Runtime

from .conftest import API, World


class Answer(BaseModel):
    answer: str


def reply(content: str) -> AIMessage:
    return AIMessage(
        content=content,
        usage_metadata={"input_tokens": 120, "output_tokens": 30, "total_tokens": 150},
    )


async def ai_usage(world: World) -> dict:
    response = await world.client.get(f"{API}/analytics/platform", headers=world.admin.headers)
    assert response.status_code == 200, response.text
    return response.json()["ai_usage"]


async def test_generations_model_calls_and_paths_are_counted(
    world: World, db_session: AsyncSession, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The planner reads a per-process catalog snapshot; earlier tests may have left one without
    # this test's course in it.
    monkeypatch.setattr(runtime.settings.recommend, "catalog_refresh_seconds", 0.0)
    before = await ai_usage(world)
    assert {k: v for k, v in before.items() if k != "since"} == dict.fromkeys(
        [
            "generations",
            "generations_succeeded",
            "generations_by_llm",
            "llm_calls",
            "llm_calls_failed",
            "llm_input_tokens",
            "llm_output_tokens",
            "learning_paths_planned",
        ],
        0,
    )

    generated = await world.client.post(
        f"{API}/ai/generate",
        json={"content_id": world.lesson, "question_count": 1},
        headers=world.owner.headers,
    )
    assert generated.status_code == 202, generated.text
    await jobs.run_pending(runtime)  # the worker drafts it
    path = await world.client.post(
        f"{API}/ai/paths",
        json={"goal": {"kind": "course", "value": world.course_id}},
        headers=world.learner.headers,
    )
    assert path.status_code == 201, path.text
    model = GenericFakeChatModel(messages=iter([reply('{"answer": "yes"}'), reply("garbage")]))
    monkeypatch.setattr(runtime.settings, "llm", "scripted:test-model")
    monkeypatch.setattr(client, "build_chat_model", lambda settings: model)
    asked = {"runtime": runtime, "session": db_session, "user_id": world.learner.user_id}
    question = [HumanMessage("Is it?")]
    await ledger.ask(**asked, purpose="test", messages=question, schema=Answer)
    with pytest.raises(ledger.LlmFailed):
        await ledger.ask(**asked, purpose="test", messages=question, schema=Answer)
    await db_session.commit()

    after = await ai_usage(world)

    assert after["since"] == before["since"]
    assert (after["generations"], after["generations_succeeded"]) == (1, 1)
    assert after["generations_by_llm"] == 0  # the run before a model was configured: offline
    assert (after["llm_calls"], after["llm_calls_failed"]) == (2, 1)
    assert (after["llm_input_tokens"], after["llm_output_tokens"]) == (240, 60)
    assert after["learning_paths_planned"] == 1
