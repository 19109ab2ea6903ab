"""How much the AI service was used since a moment, for the platform's figures: content
generation runs, language model calls (from the usage ledger) and learning paths planned.

Recommendations are computed on request and recorded nowhere, so they are not counted.
"""

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from learnwise.ai.generation.models import Generation
from learnwise.ai.llm.models import LlmUsage
from learnwise.ai.paths.models import LearningPath


class AiUsage(BaseModel):
    since: datetime
    generations: int = Field(description="Content generation runs requested.")
    generations_succeeded: int
    generations_by_llm: int = Field(description="Runs answered by the language model.")
    llm_calls: int = Field(description="Calls to the language model, whatever their outcome.")
    llm_calls_failed: int = Field(description="Calls that timed out, failed or gave no answer.")
    llm_input_tokens: int
    llm_output_tokens: int
    learning_paths_planned: int


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


async def usage_since(*, session: AsyncSession, since: datetime) -> AiUsage:
    generations = (
        await session.execute(
            select(
                func.count(),
                _count_where(Generation.status == "succeeded"),
                _count_where(Generation.engine == "llm"),
            ).where(Generation.created_at >= since)
        )
    ).one()
    calls = (
        await session.execute(
            select(
                func.count(),
                _count_where(LlmUsage.outcome != "ok"),
                func.coalesce(func.sum(LlmUsage.input_tokens), 0),
                func.coalesce(func.sum(LlmUsage.output_tokens), 0),
            ).where(LlmUsage.called_at >= since)
        )
    ).one()
    paths = await session.scalar(
        select(func.count()).select_from(LearningPath).where(LearningPath.created_at >= since)
    )
    return AiUsage(
        since=since,
        generations=int(generations[0]),
        generations_succeeded=int(generations[1]),
        generations_by_llm=int(generations[2]),
        llm_calls=int(calls[0]),
        llm_calls_failed=int(calls[1]),
        llm_input_tokens=int(calls[2]),
        llm_output_tokens=int(calls[3]),
        learning_paths_planned=int(paths or 0),
    )
