"""Asking the configured model for structured output, within limits, with every call written
to the usage ledger (``llm_usage``): tokens, model, user, purpose, latency and outcome.

    material = await ledger.ask(runtime=runtime, session=session, user_id=user.id,
                                purpose="generation", messages=messages, schema=GeneratedMaterial)

The ledger row joins the caller's transaction (``session``, flushed): on SQLite a second
writer would wait on the caller's own write lock. A call whose work is then rolled back leaves
no row; everything that commits is counted.

The answer is parsed as JSON into ``schema`` (a Pydantic output parser, so any chat model
works, with or without tool calling). Anything but a valid answer raises ``LlmFailed`` (or
``LlmUnavailable``): callers fall back to their offline path.
"""

import asyncio
import time
import uuid
from typing import TypeVar

import structlog
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import PydanticOutputParser
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.llm import client
from learnwise.ai.llm.models import LlmUsage
from learnwise.errors import TooManyRequests
from learnwise.platform.runtime import Runtime

log = structlog.get_logger(__name__)

Schema = TypeVar("Schema", bound=BaseModel)


class LlmUnavailable(Exception):
    """No model is configured, or none may receive this request."""


class LlmFailed(Exception):
    """The model was asked but gave no usable answer: ``outcome`` says why."""

    def __init__(self, outcome: str, detail: str) -> None:
        super().__init__(f"{outcome}: {detail}")
        self.outcome = outcome


def format_instructions(schema: type[BaseModel]) -> str:
    return PydanticOutputParser(pydantic_object=schema).get_format_instructions()


async def ask(
    *,
    runtime: Runtime,
    session: AsyncSession,
    user_id: uuid.UUID | None,
    purpose: str,
    messages: list[BaseMessage],
    schema: type[Schema],
    personal_data: bool = False,
) -> Schema:
    settings = runtime.settings
    model = client.chat_model(settings, personal_data=personal_data)
    if model is None:
        raise LlmUnavailable("no language model may be asked")
    try:
        await runtime.limiter.hit(settings.ai.llm_rate_per_user, "llm", str(user_id))
    except TooManyRequests as exc:
        raise LlmFailed("rate_limited", "the user's language model quota is used up") from exc
    parser = PydanticOutputParser(pydantic_object=schema)
    started = time.perf_counter()
    answer: AIMessage | None = None
    try:
        reply = await asyncio.wait_for(model.ainvoke(messages), settings.ai.llm_timeout_seconds)
        answer = reply if isinstance(reply, AIMessage) else AIMessage(content=reply.content)
        result = parser.parse(answer.text)
        outcome, failure = "ok", None
    except TimeoutError:
        outcome, failure = "timeout", LlmFailed("timeout", "the model did not answer in time")
    except OutputParserException as exc:
        outcome, failure = "invalid", LlmFailed("invalid", str(exc)[:500])
    except Exception as exc:  # the provider's own errors: network, quota, bad request
        log.warning("llm_call_failed", purpose=purpose, error=repr(exc))
        outcome, failure = "error", LlmFailed("error", repr(exc)[:500])
    session.add(
        _usage(
            model=client.model_name(settings),
            user_id=user_id,
            purpose=purpose,
            answer=answer,
            latency_ms=round((time.perf_counter() - started) * 1000),
            outcome=outcome,
        )
    )
    await session.flush()
    if failure is not None:
        raise failure
    return result


def _usage(
    *,
    model: str,
    user_id: uuid.UUID | None,
    purpose: str,
    answer: AIMessage | None,
    latency_ms: int,
    outcome: str,
) -> LlmUsage:
    usage = answer.usage_metadata if answer is not None else None
    return LlmUsage(
        user_id=user_id,
        purpose=purpose,
        model=model[:255],
        input_tokens=usage["input_tokens"] if usage else None,
        output_tokens=usage["output_tokens"] if usage else None,
        latency_ms=latency_ms,
        outcome=outcome,
    )
