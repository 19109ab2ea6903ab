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
from learnwise.content.models import (
    ContentItem,
    ContentItemSkill,
    ContentVersion,
    Course,
    CourseInstructor,
    Enrollment,
    Module,
    ModulePrerequisite,
    Skill,
    SkillPrerequisite,
)
from learnwise.db import Base
from learnwise.media.models import Media, MediaBlob, MediaUpload
from learnwise.progress.models import Achievement, UserProgress
from learnwise.users.models import UserSettings

__all__ = [
    "Achievement",
    "AuthSession",
    "Base",
    "ContentItem",
    "ContentItemSkill",
    "ContentVersion",
    "Course",
    "CourseInstructor",
    "Enrollment",
    "Media",
    "MediaBlob",
    "MediaUpload",
    "Module",
    "ModulePrerequisite",
    "OidcIdentity",
    "OidcLoginState",
    "RefreshToken",
    "Role",
    "Skill",
    "SkillPrerequisite",
    "User",
    "UserProgress",
    "UserRole",
    "UserSettings",
]
