"""The seed's user_settings: theme, notifications and learning preferences of one user."""

import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, TimestampMixin, new_id


class UserSettings(TimestampMixin, Base):
    __tablename__ = "user_settings"

    setting_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), unique=True
    )
    theme: Mapped[str] = mapped_column(String(20), default="system")
    notifications_enabled: Mapped[bool] = mapped_column(default=True)
    learning_preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Whether the user's own activity events (views, video controls, searches) may be stored
    # for analytics: opt-in. What the platform needs to run is recorded regardless.
    analytics_consent: Mapped[bool] = mapped_column(default=False, server_default=false())
