"""User settings: read with defaults, updated partially and validated as a whole."""

import uuid

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.errors import InvalidInput
from learnwise.users.models import UserSettings
from learnwise.users.schemas import LearningPreferences, SettingsUpdate


async def get_settings(*, session: AsyncSession, user_id: uuid.UUID) -> UserSettings:
    """The user's settings, created with the defaults on first use."""
    settings = await session.scalar(select(UserSettings).where(UserSettings.user_id == user_id))
    if settings is None:
        settings = UserSettings(
            user_id=user_id,
            theme="system",
            notifications_enabled=True,
            learning_preferences=LearningPreferences().model_dump(mode="json"),
        )
        session.add(settings)
        await session.flush()
    return settings


async def update_settings(
    *, session: AsyncSession, user_id: uuid.UUID, changes: SettingsUpdate
) -> UserSettings:
    settings = await get_settings(session=session, user_id=user_id)
    if changes.learning_preferences is not None:
        merged = {**settings.learning_preferences, **changes.learning_preferences}
        try:
            preferences = LearningPreferences.model_validate(merged)
        except ValidationError as exc:
            raise InvalidInput(
                "Invalid learning preferences: "
                + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()),
                errors=[{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()],
            ) from exc
        settings.learning_preferences = preferences.model_dump(mode="json")
    if changes.theme is not None:
        settings.theme = changes.theme
    if changes.notifications_enabled is not None:
        settings.notifications_enabled = changes.notifications_enabled
    await session.flush()
    return settings
