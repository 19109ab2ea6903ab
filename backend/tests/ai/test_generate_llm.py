"""Generation with a language model, faked: structured output is used and written to the usage
ledger; garbage, errors and timeouts fall back to the offline path after the allowed attempts;
an interrupted graph resumes from its checkpoint."""

import asyncio
import json
import uuid

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.generation import nlp, service
from learnwise.ai.generation.state import GenerationContext, GenerationInput
from learnwise.ai.llm import client
from learnwise.ai.llm.models import LlmUsage
from learnwise.platform.runtime import Runtime

from .conftest import API, PHOTOSYNTHESIS, Course, People, generate

GENERATE = f"{API}/ai/generate"

MATERIAL = {
    "summary": "Plants turn light into chemical energy in their chloroplasts.",
    "learning_objectives": ["Explain where photosynthesis happens."],
    "questions": [
        {
            "prompt": "Which pigment absorbs light in the chloroplasts?",
            "answer": "Chlorophyll",
            "distractors": ["Haemoglobin", "Melanin", "Keratin"],
            "explanation": "The source says chloroplasts contain chlorophyll.",
        }
    ],
    "flashcards": [{"front": "Where does photosynthesis happen?", "back": "In chloroplasts."}],
    "glossary": [{"term": "Stomata", "definition": "Pores on leaves."}],
}


class ScriptedChatModel(GenericFakeChatModel):
    """Answers with the scripted replies in turn; counts the calls."""

    calls: int = 0
    delay: float = 0.0

    async def _agenerate(self, *args, **kwargs):
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super()._agenerate(*args, **kwargs)


def reply(content: str, tokens: tuple[int, int] = (900, 300)) -> AIMessage:
    return AIMessage(
        content=content,
        usage_metadata={
            "input_tokens": tokens[0],
            "output_tokens": tokens[1],
            "total_tokens": sum(tokens),
        },
    )


@pytest.fixture
def use_model(runtime: Runtime, monkeypatch: pytest.MonkeyPatch):
    """Configures a language model whose answers the test scripts."""

    def install(*replies: AIMessage, delay: float = 0.0) -> ScriptedChatModel:
        model = ScriptedChatModel(messages=iter(replies), delay=delay)
        monkeypatch.setattr(runtime.settings, "llm", "scripted:test-model")
        monkeypatch.setattr(client, "build_chat_model", lambda settings: model)
        return model

    return install


async def ledger(db_session: AsyncSession, user_id: uuid.UUID) -> list[LlmUsage]:
    rows = await db_session.scalars(
        select(LlmUsage).where(LlmUsage.user_id == user_id).order_by(LlmUsage.called_at)
    )
    return list(rows)


async def test_a_valid_structured_answer_is_used_and_recorded(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    runtime: Runtime,
    people: People,
    biology: Course,
    use_model,
) -> None:
    model = use_model(reply(f"```json\n{json.dumps(MATERIAL)}\n```"))

    body = await generate(
        client, runtime, {"content_id": biology.item_ids["Photosynthesis"]}, people.owner.headers
    )

    assert body["engine"] == "llm"
    assert body["result"] == MATERIAL
    assert model.calls == 1
    quiz = (
        await client.get(
            f"{API}/items/{body['drafts'][0]['content_id']}?view=draft",
            headers=people.owner.headers,
        )
    ).json()
    options = {o["text"] for o in quiz["content"]["questions"][0]["options"]}
    assert options == {"Chlorophyll", "Haemoglobin", "Melanin", "Keratin"}
    [usage] = await ledger(db_session, people.owner.user_id)
    assert (usage.purpose, usage.model, usage.outcome) == (
        "generation",
        "scripted:test-model",
        "ok",
    )
    assert (usage.input_tokens, usage.output_tokens) == (900, 300)
    assert usage.latency_ms >= 0


@pytest.mark.parametrize(
    "garbage",
    [
        "I'm sorry, I cannot help with that.",
        json.dumps({"summary": 42, "questions": "none"}),
        # Valid JSON, but the answer is among its own distractors.
        json.dumps(
            MATERIAL
            | {"questions": [MATERIAL["questions"][0] | {"distractors": ["Chlorophyll", "X"]}]}
        ),
        # No question has distractors enough to be multiple choice.
        json.dumps(MATERIAL | {"questions": [MATERIAL["questions"][0] | {"distractors": []}]}),
    ],
)
async def test_garbage_is_retried_then_the_offline_path_answers(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    runtime: Runtime,
    people: People,
    biology: Course,
    use_model,
    garbage: str,
) -> None:
    attempts = runtime.settings.ai.llm_attempts
    model = use_model(*[reply(garbage) for _ in range(attempts)])

    body = await generate(
        client, runtime, {"content_id": biology.item_ids["Photosynthesis"]}, people.owner.headers
    )

    assert body["engine"] == "offline"
    assert (
        body["result"]["questions"] and body["result"]["questions"][0]["answer"] in PHOTOSYNTHESIS
    )
    assert model.calls == attempts
    usage = await ledger(db_session, people.owner.user_id)
    assert len(usage) == attempts
    assert {u.outcome for u in usage} <= {"invalid", "ok"}


async def test_a_second_attempt_that_is_valid_is_used(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    runtime: Runtime,
    people: People,
    biology: Course,
    use_model,
) -> None:
    model = use_model(reply("not json"), reply(json.dumps(MATERIAL)))
    body = await generate(
        client, runtime, {"content_id": biology.item_ids["Photosynthesis"]}, people.owner.headers
    )
    assert body["engine"] == "llm"
    assert model.calls == 2
    assert [u.outcome for u in await ledger(db_session, people.owner.user_id)] == ["invalid", "ok"]


async def test_a_model_that_times_out_falls_back(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    runtime: Runtime,
    people: People,
    biology: Course,
    use_model,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime.settings.ai, "llm_timeout_seconds", 0.05)
    monkeypatch.setattr(runtime.settings.ai, "llm_attempts", 1)
    use_model(reply(json.dumps(MATERIAL)), delay=2.0)

    body = await generate(
        client, runtime, {"content_id": biology.item_ids["Photosynthesis"]}, people.owner.headers
    )

    assert body["engine"] == "offline"
    [usage] = await ledger(db_session, people.owner.user_id)
    assert usage.outcome == "timeout" and usage.input_tokens is None


async def test_the_per_user_model_quota_falls_back_without_calling(
    client: httpx.AsyncClient,
    runtime: Runtime,
    people: People,
    biology: Course,
    use_model,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime.settings.ai, "llm_rate_per_user", "1/hour")
    model = use_model(reply(json.dumps(MATERIAL)), reply(json.dumps(MATERIAL)))
    engines = []
    for _ in range(2):
        body = await generate(
            client,
            runtime,
            {"content_id": biology.item_ids["Photosynthesis"]},
            people.owner.headers,
        )
        engines.append(body["engine"])
    assert engines == ["llm", "offline"]
    assert model.calls == 1


async def test_personal_data_reaches_no_model_unless_allowed(
    runtime: Runtime, use_model, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_model(reply("{}"))
    assert client.chat_model(runtime.settings, personal_data=True) is None
    assert client.chat_model(runtime.settings, personal_data=False) is not None
    monkeypatch.setattr(runtime.settings.ai, "llm_allow_personal_data", True)
    assert client.chat_model(runtime.settings, personal_data=True) is not None


async def test_an_interrupted_generation_resumes_from_its_checkpoint(
    runtime: Runtime, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysed = []
    real_analyse, real_generate = nlp.analyse, nlp.generate

    def counting_analyse(*args, **kwargs):
        analysed.append(1)
        return real_analyse(*args, **kwargs)

    def crash(*args, **kwargs):
        raise RuntimeError("the worker died")

    monkeypatch.setattr(nlp, "analyse", counting_analyse)
    monkeypatch.setattr(nlp, "generate", crash)
    thread = uuid.uuid4()
    start = GenerationInput(
        title="Photosynthesis",
        text=PHOTOSYNTHESIS,
        outputs=["quiz", "summary"],
        question_count=2,
        language="en",
    )
    context = GenerationContext(runtime=runtime, session=db_session, user_id=None)
    with pytest.raises(RuntimeError):
        await service.run_graph(runtime=runtime, context=context, thread_id=thread, start=start)

    monkeypatch.setattr(nlp, "generate", real_generate)
    state = await service.run_graph(runtime=runtime, context=context, thread_id=thread, start=start)

    assert analysed == [1]  # the analysis was not done again
    assert state["engine"] == "offline" and len(state["material"]["questions"]) == 2
