"""Content item schemas: what the items API accepts and returns.

The item's content is one of the typed documents of ``content_types`` (``content.type`` says
which). Items are created under a module and then addressed by id alone:
``POST /courses/{course_id}/modules/{module_id}/items``, ``/items/{content_id}[/...]``.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from learnwise.content.content_types import ItemContent
from learnwise.content.versioning import FieldChange
from learnwise.skills.schemas import SkillRef

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
ChangeNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
SkillRefs = Annotated[list[SkillRef], Field(max_length=50)]
Version = Annotated[int, Field(ge=1, le=1_000_000_000)]
ShortLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Objective = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class View(StrEnum):
    PUBLISHED = "published"  # what learners see: the published version
    DRAFT = "draft"  # the latest version, for the course's instructors


class ContentMetadata(BaseModel):
    """An item's metadata (versioned with its content, and shown to learners)."""

    model_config = ConfigDict(extra="forbid")

    estimated_minutes: int | None = Field(None, ge=1, le=10_000)
    difficulty: float | None = Field(
        None, ge=0, le=1, allow_inf_nan=False, description="From 0 (easiest) to 1 (hardest)."
    )
    tags: Annotated[list[ShortLabel], Field(max_length=20)] = Field(default_factory=list)
    learning_objectives: Annotated[list[Objective], Field(max_length=20)] = Field(
        default_factory=list
    )


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    content: ItemContent
    metadata: ContentMetadata = Field(default_factory=ContentMetadata)
    skills: SkillRefs = Field(
        default_factory=list,
        description="Skill slugs or ids. The item is also tagged with its quiz questions' skills.",
    )
    is_required: bool = True
    change_note: ChangeNote = ""


class ItemUpdate(BaseModel):
    """A partial update: the fields sent replace the current ones. Title, content, metadata and
    skills make a new version when they change anything. Needs If-Match with the item's ETag, or
    ``version`` (the version the edit was made on)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    content: ItemContent | None = None
    metadata: ContentMetadata | None = None
    skills: SkillRefs | None = None
    is_required: bool | None = None
    change_note: ChangeNote = ""
    version: Version | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"these fields may not be null: {', '.join(nulls)}")
        return self


class RevertRequest(BaseModel):
    """Makes a new version equal to ``to_version``. Needs If-Match or ``version``."""

    model_config = ConfigDict(extra="forbid")

    to_version: Version
    change_note: ChangeNote = ""
    version: Version | None = None


class PublishRequest(BaseModel):
    """Publishes ``version`` (by default the latest). An If-Match header, when sent, must name
    the latest version."""

    model_config = ConfigDict(extra="forbid")

    version: Version | None = None


class ItemRead(BaseModel):
    """One item as the caller may see it. ``version`` is the version shown (also the ETag):
    the published one in the published view, the latest in the draft view. ``latest_version``
    and ``has_unpublished_changes`` are for the course's instructors (null for learners).

    ``content`` has an ``<field>_html`` beside each Markdown field (sanitised HTML; math left as
    ``$...$`` text for KaTeX). Learners never get the answer key."""

    content_id: uuid.UUID
    course_id: uuid.UUID
    module_id: uuid.UUID
    view: View
    type: str
    title: str
    sequence_number: int
    is_required: bool
    version: int
    published_version: int | None
    latest_version: int | None
    has_unpublished_changes: bool | None
    content: dict[str, Any]
    metadata: ContentMetadata
    skill_ids: list[uuid.UUID] = Field(description="The skills set on the item.")
    all_skill_ids: list[uuid.UUID] = Field(
        description="The item's skills and its quiz questions' skills: what it teaches or tests."
    )
    created_at: datetime
    updated_at: datetime | None
    published_at: datetime | None = Field(description="When the version shown was published.")


class ItemSummary(BaseModel):
    """An item in a module's list, without its content."""

    content_id: uuid.UUID
    module_id: uuid.UUID
    type: str
    title: str
    sequence_number: int
    is_required: bool
    version: int
    published_version: int | None
    latest_version: int | None
    has_unpublished_changes: bool | None


class VersionSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    type: str
    title: str
    author_id: uuid.UUID | None
    change_note: str
    created_at: datetime
    published_at: datetime | None
    is_published: bool


class VersionRead(VersionSummary):
    content: dict[str, Any]
    metadata: dict[str, Any]
    skill_ids: list[uuid.UUID]


class VersionDiff(BaseModel):
    """What changed from ``from_version`` to ``to_version`` (either may be the older)."""

    content_id: uuid.UUID
    from_version: int
    to_version: int
    changes: list[FieldChange]
