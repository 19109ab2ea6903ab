"""Every table of the application, imported in one place for Alembic and the tests."""

from learnwise.ai.paths.models import LearningPath
from learnwise.ai.reviews.models import ReviewCard
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
from learnwise.platform.models import EventReceipt, IdempotencyRecord, OutboxEvent
from learnwise.progress.models import (
    Achievement,
    Certificate,
    LearningDay,
    ProgressReset,
    QuizAttempt,
    UserProgress,
)
from learnwise.users.models import UserSettings

__all__ = [
    "Achievement",
    "AuthSession",
    "Base",
    "Certificate",
    "ContentItem",
    "ContentItemSkill",
    "ContentVersion",
    "Course",
    "CourseInstructor",
    "Enrollment",
    "EventReceipt",
    "IdempotencyRecord",
    "LearningDay",
    "LearningPath",
    "Media",
    "MediaBlob",
    "MediaUpload",
    "Module",
    "ModulePrerequisite",
    "OidcIdentity",
    "OidcLoginState",
    "OutboxEvent",
    "ProgressReset",
    "QuizAttempt",
    "RefreshToken",
    "ReviewCard",
    "Role",
    "Skill",
    "SkillPrerequisite",
    "User",
    "UserProgress",
    "UserRole",
    "UserSettings",
]
