"""Every table of the application, imported in one place for Alembic and the tests."""

from learnwise.ai.embeddings.models import ContentEmbedding
from learnwise.ai.generation.models import Generation
from learnwise.ai.learner_model.models import LearnerModelFit, LearnerSkillState, LearnerState
from learnwise.ai.llm.models import LlmUsage
from learnwise.ai.paths.models import LearningPath
from learnwise.ai.reviews.models import ReviewCard
from learnwise.analytics.models import (
    ActivityEvent,
    CourseLearner,
    CoursePeriod,
    ItemStat,
    LearnerDay,
    LearnerItem,
    LearnerSummary,
    ModuleStat,
    PlatformDay,
    QuestionStat,
    ScoreBucket,
    SkillDay,
)
from learnwise.analytics.reports.models import AnalyticsReport
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
from learnwise.platform.models import EventReceipt, IdempotencyRecord, Job, OutboxEvent
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
    "ActivityEvent",
    "AnalyticsReport",
    "AuthSession",
    "Base",
    "Certificate",
    "ContentEmbedding",
    "ContentItem",
    "ContentItemSkill",
    "ContentVersion",
    "Course",
    "CourseInstructor",
    "CourseLearner",
    "CoursePeriod",
    "Enrollment",
    "EventReceipt",
    "Generation",
    "IdempotencyRecord",
    "ItemStat",
    "Job",
    "LearnerDay",
    "LearnerItem",
    "LearnerModelFit",
    "LearnerSkillState",
    "LearnerState",
    "LearnerSummary",
    "LearningDay",
    "LearningPath",
    "LlmUsage",
    "Media",
    "MediaBlob",
    "MediaUpload",
    "Module",
    "ModulePrerequisite",
    "ModuleStat",
    "OidcIdentity",
    "OidcLoginState",
    "OutboxEvent",
    "PlatformDay",
    "ProgressReset",
    "QuestionStat",
    "QuizAttempt",
    "RefreshToken",
    "ReviewCard",
    "Role",
    "ScoreBucket",
    "Skill",
    "SkillDay",
    "SkillPrerequisite",
    "User",
    "UserProgress",
    "UserRole",
    "UserSettings",
]
