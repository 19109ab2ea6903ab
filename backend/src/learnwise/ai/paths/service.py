"""Learning paths: planned by the LangGraph graph (graph.py), stored, re-planned on request or
when the learner's state changes, deleted. A learner sees only their own paths."""

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai import checkpoint
from learnwise.ai.paths import graph
from learnwise.ai.paths.exceptions import PathNotFound
from learnwise.ai.paths.models import LearningPath
from learnwise.ai.paths.schemas import PathCreate
from learnwise.ai.paths.state import PathInput
from learnwise.config import Settings
from learnwise.db import utcnow
from learnwise.users import service as users_service
from learnwise.users.schemas import LearningPreferences


async def _run(
    *, session: AsyncSession, settings: Settings, thread_id: uuid.UUID, path_input: PathInput
) -> LearningPath:
    async with checkpoint.open_checkpointer(settings) as saver:
        result = await graph.build(saver).ainvoke(
            path_input,
            {
                "configurable": {
                    "thread_id": str(thread_id),
                    "session": session,
                    "settings": settings.recommend,
                }
            },
        )
    path = await session.get(LearningPath, uuid.UUID(result["saved_path_id"]))
    assert path is not None  # saved by the graph's last node, in this session
    return path


async def _today(*, session: AsyncSession, user_id: uuid.UUID) -> tuple[date, int]:
    settings = await users_service.get_settings(session=session, user_id=user_id)
    preferences = LearningPreferences.model_validate(settings.learning_preferences)
    return utcnow().astimezone(ZoneInfo(preferences.time_zone)).date(), (
        preferences.weekly_time_budget_minutes
    )


async def create_path(
    *, session: AsyncSession, settings: Settings, user_id: uuid.UUID, path_in: PathCreate
) -> LearningPath:
    today, budget = await _today(session=session, user_id=user_id)
    path_input: PathInput = {
        "user_id": str(user_id),
        "goal": path_in.goal.model_dump(),
        "weekly_minutes": path_in.weekly_minutes if path_in.weekly_minutes is not None else budget,
        "start_on": (path_in.start_on or today).isoformat(),
        "path_id": None,
    }
    return await _run(
        session=session, settings=settings, thread_id=uuid.uuid4(), path_input=path_input
    )


async def get_path(
    *, session: AsyncSession, user_id: uuid.UUID, path_id: uuid.UUID
) -> LearningPath:
    path = await session.get(LearningPath, path_id)
    if path is None or path.user_id != user_id:
        raise PathNotFound("No such learning path.")
    return path


async def list_paths(
    *, session: AsyncSession, user_id: uuid.UUID, offset: int, limit: int
) -> tuple[list[LearningPath], int]:
    mine = LearningPath.user_id == user_id
    total = await session.scalar(select(func.count()).select_from(LearningPath).where(mine))
    paths = await session.scalars(
        select(LearningPath)
        .where(mine)
        .order_by(LearningPath.created_at.desc(), LearningPath.path_id)
        .offset(offset)
        .limit(limit)
    )
    return list(paths), int(total or 0)


async def replan(
    *, session: AsyncSession, settings: Settings, user_id: uuid.UUID, path_id: uuid.UUID
) -> LearningPath:
    """Plans the rest of the path again from the learner's state now, from today."""
    path = await get_path(session=session, user_id=user_id, path_id=path_id)
    today, _ = await _today(session=session, user_id=user_id)
    path_input: PathInput = {
        "user_id": str(user_id),
        "goal": path.goal,
        "weekly_minutes": path.weekly_minutes,
        "start_on": max(today, path.start_on).isoformat(),
        "path_id": str(path.path_id),
    }
    return await _run(
        session=session, settings=settings, thread_id=uuid.uuid4(), path_input=path_input
    )


async def mark_for_replanning(
    *, session: AsyncSession, user_id: uuid.UUID, content_id: uuid.UUID, completed: bool
) -> None:
    """The learner's state changed (this item attempted, or completed): their active paths mark
    a completed item done if it is a step, and are re-planned the next time they are read."""
    active = await session.scalars(
        select(LearningPath)
        .where(LearningPath.user_id == user_id, LearningPath.status == "active")
        .with_for_update()
    )
    for path in active:
        path.steps = [
            {**step, "done": True} if completed and step["content_id"] == str(content_id) else step
            for step in path.steps
        ]
        path.needs_replan = True
    await session.flush()


async def refreshed(
    *, session: AsyncSession, settings: Settings, path: LearningPath
) -> LearningPath:
    """The path, re-planned first if the learner's state changed since it was planned."""
    if not path.needs_replan:
        return path
    return await replan(
        session=session, settings=settings, user_id=path.user_id, path_id=path.path_id
    )


async def delete_path(*, session: AsyncSession, user_id: uuid.UUID, path_id: uuid.UUID) -> None:
    path = await get_path(session=session, user_id=user_id, path_id=path_id)
    await session.delete(path)
    await session.flush()
