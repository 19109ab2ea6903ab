"""Helpers of the achievement and certificate tests: learners, courses and the progress rows
and events the progress service would write, written straight to the database."""

import secrets
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service as auth_service
from learnwise.auth.models import User
from learnwise.content.models import ContentItem, Course, Module
from learnwise.platform import events
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent
from learnwise.progress.models import Achievement, LearningDay, QuizAttempt, UserProgress
from learnwise.users import service as users_service
from learnwise.users.schemas import LearningPreferencesUpdate, SettingsUpdate


async def make_learner(
    session: AsyncSession, *, time_zone: str | None = "UTC", name: str | None = None
) -> User:
    """A learner (without settings until they are used, when ``time_zone`` is None)."""
    user = await auth_service.create_user(
        session=session,
        email=f"learner-{secrets.token_hex(5)}@example.org",
        display_name=name or f"Learner {secrets.token_hex(3)}",
        password=None,
    )
    if time_zone is not None:
        await set_time_zone(session, user.user_id, time_zone)
    return user


async def set_time_zone(session: AsyncSession, user_id: uuid.UUID, time_zone: str) -> None:
    await users_service.update_settings(
        session=session,
        user_id=user_id,
        changes=SettingsUpdate(learning_preferences=LearningPreferencesUpdate(time_zone=time_zone)),
    )


async def make_course(
    session: AsyncSession,
    owner_id: uuid.UUID,
    *,
    items: int = 2,
    title: str | None = None,
    status: str = "published",
) -> tuple[Course, Module, list[ContentItem]]:
    course = Course(
        slug=f"course-{secrets.token_hex(5)}",
        title=title or f"Course {secrets.token_hex(3)}",
        owner_id=owner_id,
        status=status,
    )
    session.add(course)
    await session.flush()
    module = Module(course_id=course.course_id, title="Basics", sequence_number=1, status=status)
    session.add(module)
    await session.flush()
    contents = [
        ContentItem(
            module_id=module.module_id,
            title=f"Item {n}",
            sequence_number=n,
            type="quiz" if n % 2 else "lesson",
            content={},
            metadata_={},
            version=1,
            published_version=1,
        )
        for n in range(1, items + 1)
    ]
    session.add_all(contents)
    await session.flush()
    return course, module, contents


async def complete(session: AsyncSession, user_id: uuid.UUID, items: list[ContentItem]) -> None:
    for item in items:
        session.add(
            UserProgress(
                user_id=user_id,
                content_id=item.content_id,
                status="completed",
                completion_percentage=100,
                completed_at=datetime.now().astimezone(),
            )
        )
    await session.flush()


async def attempt(
    session: AsyncSession, user_id: uuid.UUID, item: ContentItem, *, score: float, number: int = 1
) -> QuizAttempt:
    quiz = QuizAttempt(
        user_id=user_id,
        content_id=item.content_id,
        content_version=1,
        attempt_number=number,
        responses=[],
        score=score,
        points=score * 4,
        max_points=4,
        passed=score >= 0.7,
    )
    session.add(quiz)
    await session.flush()
    return quiz


async def learned_on(
    session: AsyncSession, user_id: uuid.UUID, days: list[date], *, seconds: int = 600
) -> None:
    session.add_all(
        LearningDay(user_id=user_id, day=day, seconds=seconds, items_completed=1) for day in days
    )
    await session.flush()


async def happened(
    session: AsyncSession,
    type: EventType,
    user_id: uuid.UUID,
    payload: dict[str, Any] | None = None,
    *,
    course_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> OutboxEvent:
    event = await events.record(
        session=session, type=type, user_id=user_id, course_id=course_id, payload=payload or {}
    )
    if at is not None:
        event.occurred_at = at
        await session.flush()
    return event


async def awards(session: AsyncSession, user_id: uuid.UUID) -> dict[str, list[str]]:
    """The user's awards: type -> award keys."""
    rows = await session.execute(
        select(Achievement.type, Achievement.award_key).where(Achievement.user_id == user_id)
    )
    found: dict[str, list[str]] = {}
    for kind, key in rows:
        found.setdefault(kind, []).append(key)
    return found


async def awarded_events(session: AsyncSession, user_id: uuid.UUID) -> list[OutboxEvent]:
    found = await session.scalars(
        select(OutboxEvent).where(
            OutboxEvent.user_id == user_id, OutboxEvent.type == EventType.ACHIEVEMENT_AWARDED
        )
    )
    return list(found)


async def count(session: AsyncSession, model: Any, **where: Any) -> int:
    statement = select(func.count()).select_from(model)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    return int(await session.scalar(statement) or 0)
