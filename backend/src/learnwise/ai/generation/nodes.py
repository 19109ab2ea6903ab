"""The generation graph's nodes (async, each returning a partial state) and its routers."""

import asyncio
from typing import Literal

from langgraph.runtime import Runtime as GraphRuntime
from pydantic import ValidationError

from learnwise.ai.generation import nlp, prompts
from learnwise.ai.generation.schemas import GeneratedMaterial
from learnwise.ai.generation.state import GenerationContext, GenerationState
from learnwise.ai.llm import client, ledger

PURPOSE = "generation"


async def analyse(state: GenerationState, runtime: GraphRuntime[GenerationContext]) -> dict:
    """Sentences, their TextRank scores and the keyphrases: the offline path's material, and
    what checks an LLM's answer."""
    await runtime.context.progress(0.1, "Reading the text")
    analysis = await asyncio.to_thread(
        nlp.analyse,
        state["text"],
        settings=runtime.context.runtime.settings.ai,
        language=state["language"],
    )
    return {
        "sentences": analysis.sentences,
        "ranks": analysis.ranks,
        "keyphrases": analysis.keyphrases,
        "llm_attempts": 0,
        "llm_error": None,
    }


def choose_engine(
    state: GenerationState, runtime: GraphRuntime[GenerationContext]
) -> Literal["ask_llm", "extract"]:
    # Course content is the instructor's, not a learner's personal data.
    settings = runtime.context.runtime.settings
    return "ask_llm" if client.chat_model(settings, personal_data=False) else "extract"


async def ask_llm(state: GenerationState, runtime: GraphRuntime[GenerationContext]) -> dict:
    context = runtime.context
    settings = context.runtime.settings.ai
    attempt = state.get("llm_attempts", 0) + 1
    await context.progress(0.3, f"Asking the language model (attempt {attempt})")
    messages = prompts.generation_messages(
        title=state["title"],
        text=state["text"][: settings.llm_max_input_chars],
        outputs=state["outputs"],
        question_count=state["question_count"],
        format_instructions=ledger.format_instructions(GeneratedMaterial),
        previous_error=state.get("llm_error"),
    )
    try:
        material = await ledger.ask(
            runtime=context.runtime,
            session=context.session,
            user_id=context.user_id,
            purpose=PURPOSE,
            messages=messages,
            schema=GeneratedMaterial,
        )
        checked = _checked(material, state)
    except (ledger.LlmFailed, ledger.LlmUnavailable, ValueError) as exc:
        return {"llm_attempts": attempt, "llm_error": str(exc)[:1000]}
    return {
        "llm_attempts": attempt,
        "llm_error": None,
        "material": checked.model_dump(mode="json"),
        "engine": "llm",
    }


def _checked(material: GeneratedMaterial, state: GenerationState) -> GeneratedMaterial:
    """What the schema cannot say: the quiz asked for is there, every question has its
    distractors. Raises ValueError (the model is asked again, or the offline path runs)."""
    if "quiz" in state["outputs"]:
        if not material.questions:
            raise ValueError("no questions were written")
        short = [i for i, q in enumerate(material.questions, 1) if len(q.distractors) < 2]
        if short:
            raise ValueError(f"questions {short} have fewer than two distractors")
    try:
        return GeneratedMaterial.model_validate(
            material.model_dump() | {"questions": material.questions[: state["question_count"]]}
        )
    except ValidationError as exc:
        raise ValueError(str(exc)) from exc


def after_llm(
    state: GenerationState, runtime: GraphRuntime[GenerationContext]
) -> Literal["ask_llm", "extract", "finish"]:
    if state.get("material") is not None:
        return "finish"
    if state.get("llm_attempts", 0) < runtime.context.runtime.settings.ai.llm_attempts:
        return "ask_llm"
    return "extract"


async def extract(state: GenerationState, runtime: GraphRuntime[GenerationContext]) -> dict:
    """The offline path (also the fallback when the model gave nothing usable)."""
    await runtime.context.progress(0.6, "Writing questions, summary and glossary")
    analysis = nlp.Analysis(
        sentences=state["sentences"], ranks=state["ranks"], keyphrases=state["keyphrases"]
    )
    material = await asyncio.to_thread(
        nlp.generate,
        analysis,
        settings=runtime.context.runtime.settings.ai,
        question_count=state["question_count"],
    )
    return {"material": material.model_dump(mode="json"), "engine": "offline"}


async def finish(state: GenerationState, runtime: GraphRuntime[GenerationContext]) -> dict:
    """Keeps only the outputs asked for."""
    await runtime.context.progress(0.9, "Checking the result")
    material = GeneratedMaterial.model_validate(state["material"])
    outputs = set(state["outputs"])
    kept = GeneratedMaterial(
        summary=material.summary if "summary" in outputs else "",
        learning_objectives=material.learning_objectives if "objectives" in outputs else [],
        questions=material.questions if "quiz" in outputs else [],
        flashcards=material.flashcards if "flashcards" in outputs else [],
        glossary=material.glossary if "glossary" in outputs else [],
    )
    return {"material": kept.model_dump(mode="json")}
