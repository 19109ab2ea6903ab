"""Every table of the application, imported in one place for Alembic and the tests."""

from learnwise.auth.models import (
    AuthSession,
    OidcIdentity,
    OidcLoginState,
    RefreshToken,
    Role,
    User,
    UserRole,
)
from learnwise.content.models import ContentItem, Course, Module
from learnwise.db import Base
from learnwise.progress.models import Achievement, UserProgress
from learnwise.users.models import UserSettings

__all__ = [
    "Achievement",
    "AuthSession",
    "Base",
    "ContentItem",
    "Course",
    "Module",
    "OidcIdentity",
    "OidcLoginState",
    "RefreshToken",
    "Role",
    "User",
    "UserProgress",
    "UserRole",
    "UserSettings",
]
