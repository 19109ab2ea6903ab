"""The generation graph's state: a narrow input, and what the nodes add to it.

Everything in it is plain data (it is checkpointed); the run's collaborators (the runtime, the
request's session, progress reporting) come in the graph's context."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.platform.runtime import Runtime


class GenerationInput(TypedDict):
    title: str
    text: str
    outputs: list[str]
    question_count: int
    language: str


class GenerationState(GenerationInput, total=False):
    sentences: list[str]
    ranks: list[float]
    keyphrases: list[str]
    llm_attempts: int
    llm_error: str | None
    # GeneratedMaterial as JSON, once a path produced it.
    material: dict[str, Any] | None
    engine: str


Progress = Callable[[float, str], Awaitable[None]]


async def no_progress(fraction: float, message: str) -> None:
    return None


@dataclass
class GenerationContext:
    runtime: Runtime
    session: AsyncSession
    user_id: uuid.UUID | None
    progress: Progress = no_progress
