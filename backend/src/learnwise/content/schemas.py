"""Course and module schemas: what the API accepts and returns."""

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from learnwise.content.models import CourseStatus

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_TAGS = 20


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class ModuleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class CourseSort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    TITLE = "title"
    POPULARITY = "popularity"


def _unique_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


def _no_control_characters(text: str) -> str:
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise ValueError("control characters are not allowed")
    return text


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    AfterValidator(_no_control_characters),
]
Summary = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=1000),
    AfterValidator(_no_control_characters),
]
Markdown = Annotated[
    str, StringConstraints(max_length=100_000), AfterValidator(_no_control_characters)
]
Slug = Annotated[str, StringConstraints(min_length=3, max_length=120, pattern=SLUG_PATTERN)]
LanguageTag = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=16)
]
Tag = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=1,
        max_length=40,
        pattern=r"^[\w][\w +#.-]*$",
    ),
]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_unique_tags)]
Minutes = Annotated[int, Field(ge=1, le=100_000)]


class CourseSettings(BaseModel):
    """Course-wide rules the progress service applies to learners' work."""

    model_config = ConfigDict(extra="forbid")

    show_feedback: Literal["immediately", "after_passing", "never"] = Field(
        "immediately", description="When a learner sees which quiz answers were right."
    )
    show_explanations: bool = Field(True, description="Whether answer explanations are shown.")
    max_quiz_attempts: int | None = Field(
        None, ge=1, le=100, description="Attempts allowed per quiz; null for unlimited."
    )
    passing_score: int = Field(70, ge=0, le=100, description="Percentage needed to pass a quiz.")
    enforce_prerequisites: bool = Field(
        False, description="Whether a module stays locked until its prerequisites are complete."
    )


class PartialUpdate(BaseModel):
    """A partial update: only the fields sent change, and only ``nullable`` ones may be null."""

    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required_fields(self) -> Self:
        nulls = sorted(
            name for name in self.model_fields_set - self.nullable if getattr(self, name) is None
        )
        if nulls:
            raise ValueError(f"{', '.join(nulls)} may not be null")
        return self


class CourseSettingsUpdate(PartialUpdate):
    """Any subset of CourseSettings; the fields sent replace the current ones."""

    nullable = frozenset({"max_quiz_attempts"})

    show_feedback: Literal["immediately", "after_passing", "never"] | None = None
    show_explanations: bool | None = None
    max_quiz_attempts: int | None = Field(None, ge=1, le=100)
    passing_score: int | None = Field(None, ge=0, le=100)
    enforce_prerequisites: bool | None = None


class CourseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    slug: Slug | None = Field(None, description="Generated from the title when omitted.")
    summary: Summary = ""
    description: Markdown = Field("", description="Markdown.")
    level: Level = Level.BEGINNER
    language: LanguageTag = "en"
    tags: Tags = Field(default_factory=list)
    cover_media_id: uuid.UUID | None = Field(None, description="An image from /api/v1/media.")
    estimated_minutes: Minutes | None = None
    settings: CourseSettings = Field(default_factory=CourseSettings)


class CourseUpdate(PartialUpdate):
    """A partial update: only the fields sent change. Needs If-Match with the course's ETag."""

    nullable = frozenset({"cover_media_id", "estimated_minutes"})

    title: Title | None = None
    slug: Slug | None = None
    summary: Summary | None = None
    description: Markdown | None = None
    level: Level | None = None
    language: LanguageTag | None = None
    tags: Tags | None = None
    cover_media_id: uuid.UUID | None = None
    estimated_minutes: Minutes | None = None
    settings: CourseSettingsUpdate | None = None


class InstructorRead(BaseModel):
    user_id: uuid.UUID
    display_name: str
    role: Literal["owner", "co_instructor"]


class CourseSummary(BaseModel):
    """A course as the catalog lists it."""

    course_id: uuid.UUID
    slug: str
    title: str
    summary: str
    level: Level
    language: str
    tags: list[str]
    cover_media_id: uuid.UUID | None
    estimated_minutes: int | None
    status: CourseStatus
    owner_id: uuid.UUID
    instructors: list[InstructorRead]
    enrollment_count: int
    published_at: datetime | None
    created_at: datetime


class OutlineItem(BaseModel):
    """A content item as the outline shows it: never its content."""

    content_id: uuid.UUID
    title: str
    type: str
    sequence_number: int
    is_required: bool


class OutlineModule(BaseModel):
    module_id: uuid.UUID
    title: str
    description: str
    description_html: str = Field(description="The description rendered to safe HTML.")
    sequence_number: int
    status: ModuleStatus
    prerequisite_ids: list[uuid.UUID]
    items: list[OutlineItem]


class Viewer(BaseModel):
    """What the caller is to this course."""

    is_enrolled: bool
    is_instructor: bool
    can_edit: bool
    can_see_content: bool


class CourseRead(CourseSummary):
    description: str
    description_html: str = Field(description="The description rendered to safe HTML.")
    settings: CourseSettings
    archived_at: datetime | None
    updated_at: datetime | None
    revision: int
    modules: list[OutlineModule]
    viewer: Viewer


class ModuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Markdown = ""


class ModuleUpdate(PartialUpdate):
    """A partial update. Needs If-Match with the course's ETag."""

    title: Title | None = None
    description: Markdown | None = None
    status: ModuleStatus | None = None


class ModuleRead(OutlineModule):
    course_id: uuid.UUID
    created_at: datetime
    updated_at: datetime | None


class ModuleOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module_ids: list[uuid.UUID] = Field(max_length=1000)


class ItemOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_ids: list[uuid.UUID] = Field(max_length=1000)


class PrerequisitesSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module_ids: list[uuid.UUID] = Field(max_length=1000)


class CoInstructorAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID


class CourseDuplicate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = Field(None, description="Defaults to the original's title + (copy).")
    slug: Slug | None = Field(None, description="Generated from the title when omitted.")


class EnrollmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enrollment_id: uuid.UUID
    user_id: uuid.UUID
    course_id: uuid.UUID
    status: Literal["active", "dropped"]
    enrolled_at: datetime
    dropped_at: datetime | None


class MyCourse(BaseModel):
    enrollment: EnrollmentRead
    course: CourseSummary


class LearnerRead(BaseModel):
    user_id: uuid.UUID
    display_name: str
    email: str
    status: Literal["active", "dropped"]
    enrolled_at: datetime
    dropped_at: datetime | None
