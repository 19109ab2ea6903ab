"""User settings: read with defaults, updated partially and validated as a whole."""

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.users.models import UserSettings
from learnwise.users.schemas import LearningPreferences, SettingsUpdate


async def get_settings(
    *, session: AsyncSession, user_id: uuid.UUID, for_update: bool = False
) -> UserSettings:
    """The user's settings, created with the defaults on first use.

    ``for_update`` locks the row until the transaction ends and reads it afresh, so that
    concurrent read-merge-write updates of one user apply one after the other.
    """
    found = select(UserSettings).where(UserSettings.user_id == user_id)
    if for_update:
        found = found.with_for_update().execution_options(populate_existing=True)
    settings = await session.scalar(found)
    if settings is not None:
        return settings
    settings = UserSettings(
        user_id=user_id,
        theme="system",
        notifications_enabled=True,
        analytics_consent=False,
        learning_preferences=LearningPreferences().model_dump(mode="json"),
    )
    try:
        # Added inside the savepoint, so that its rollback takes the object out of the session.
        async with session.begin_nested():
            session.add(settings)
            await session.flush()
    except IntegrityError:
        # Another request of the same user created them first (two tabs opening at once).
        settings = await session.scalar(found)
        if settings is None:
            raise
    return settings


async def update_settings(
    *, session: AsyncSession, user_id: uuid.UUID, changes: SettingsUpdate
) -> UserSettings:
    settings = await get_settings(session=session, user_id=user_id, for_update=True)
    if changes.learning_preferences is not None:
        sent = changes.learning_preferences.model_dump(mode="json", exclude_none=True)
        merged = LearningPreferences.model_validate({**settings.learning_preferences, **sent})
        settings.learning_preferences = merged.model_dump(mode="json")
    if changes.theme is not None:
        settings.theme = changes.theme
    if changes.notifications_enabled is not None:
        settings.notifications_enabled = changes.notifications_enabled
    if changes.analytics_consent is not None:
        settings.analytics_consent = changes.analytics_consent
    await session.flush()
    return settings


async def analytics_consent(*, session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Whether the user consents to their activity events being stored, read afresh from the
    database every time, so that a withdrawal applies from the very next request."""
    consent = await session.scalar(
        select(UserSettings.analytics_consent).where(UserSettings.user_id == user_id)
    )
    return bool(consent)


async def time_zone(*, session: AsyncSession, user_id: uuid.UUID) -> str:
    """The IANA time zone of the user's calendar (UTC until they choose one)."""
    preferences = await session.scalar(
        select(UserSettings.learning_preferences).where(UserSettings.user_id == user_id)
    )
    return str((preferences or {}).get("time_zone") or "UTC")
