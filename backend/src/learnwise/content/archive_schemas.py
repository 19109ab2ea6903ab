"""The course archive format (docs/course-archives.md): manifest.json and course.json, as read
on import and written on export, and what the import endpoint answers.

The fields reuse the types the courses, items and skills APIs accept, so an archive can hold
nothing that could not have been entered by hand. Item content stays a plain document here: its
media references are archive paths, checked against its content type once they are resolved.
"""

from collections import Counter
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from learnwise.content import item_schemas
from learnwise.content.item_schemas import ContentMetadata
from learnwise.content.schemas import (
    CourseRead,
    CourseSettings,
    LanguageTag,
    Level,
    Markdown,
    Minutes,
    Slug,
    Summary,
    Tags,
    Title,
)
from learnwise.skills import schemas as skill_schemas

FORMAT = "learnwise-course-archive"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = frozenset({FORMAT_VERSION})

MANIFEST = "manifest.json"
DOCUMENT = "course.json"
MEDIA_DIRECTORY = "media/"
# media/<SHA-256 of the file>.<an extension of its type>
MEDIA_PATH_PATTERN = r"media/[0-9a-f]{64}\.[a-z0-9]{1,10}"

MAX_MODULES = 1000
MAX_ITEMS_PER_MODULE = 1000
MAX_ITEMS = 10_000
MAX_SKILLS = 10_000
MAX_MEDIA = 5000

MediaPath = Annotated[str, StringConstraints(pattern=f"^{MEDIA_PATH_PATTERN}$")]
# A module's id inside the archive (the exporting installation's id; any name will do).
ArchiveKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
SkillSlug = skill_schemas.Slug
PrintableText = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]*$")]


def _duplicates(values: list[Any]) -> list[str]:
    return sorted(str(value) for value, count in Counter(values).items() if count > 1)


def _refuse_duplicates(values: list[Any], what: str) -> None:
    duplicates = _duplicates(values)
    if duplicates:
        raise ValueError(f"{what} must be unique: {', '.join(duplicates[:10])}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Manifest(_Strict):
    format: str = Field(max_length=100)
    format_version: int
    exported_at: AwareDatetime
    source_url: PrintableText = Field(max_length=2048, description="The exporting installation.")
    source_course_id: PrintableText = Field(max_length=100)


class ArchivedMedia(_Strict):
    path: MediaPath
    content_type: str = Field(max_length=127)
    size_bytes: int = Field(ge=1)
    filename: str = Field("", max_length=255, description="The uploader's name for the file.")


class ArchivedSkill(_Strict):
    slug: SkillSlug
    name: skill_schemas.Name
    description: skill_schemas.Description = ""
    prerequisites: Annotated[list[SkillSlug], Field(max_length=100)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_prerequisites(self) -> Self:
        _refuse_duplicates(self.prerequisites, "prerequisites")
        return self


class ArchivedItem(_Strict):
    title: item_schemas.Title
    # A content document of one of the content types, media referred to by archive path.
    content: dict[str, Any]
    metadata: ContentMetadata = Field(default_factory=ContentMetadata)
    skills: Annotated[list[SkillSlug], Field(max_length=50)] = Field(default_factory=list)
    is_required: bool = True
    published: bool = Field(False, description="Whether learners see the item.")

    @model_validator(mode="after")
    def _unique_skills(self) -> Self:
        _refuse_duplicates(self.skills, "skills")
        return self


class ArchivedModule(_Strict):
    id: ArchiveKey
    title: Title
    description: Markdown = ""
    published: bool = False
    prerequisites: Annotated[list[ArchiveKey], Field(max_length=MAX_MODULES)] = Field(
        default_factory=list
    )
    items: Annotated[list[ArchivedItem], Field(max_length=MAX_ITEMS_PER_MODULE)] = Field(
        default_factory=list
    )

    @model_validator(mode="after")
    def _unique_prerequisites(self) -> Self:
        _refuse_duplicates(self.prerequisites, "prerequisites")
        return self


class ArchivedCourse(_Strict):
    slug: Slug
    title: Title
    summary: Summary = ""
    description: Markdown = ""
    level: Level = Level.BEGINNER
    language: LanguageTag = "en"
    tags: Tags = Field(default_factory=list)
    estimated_minutes: Minutes | None = None
    settings: CourseSettings = Field(default_factory=CourseSettings)
    cover: MediaPath | None = Field(None, description="The cover image.")


class CourseDocument(_Strict):
    """course.json: the course, its modules in order with their items, the skills the items
    name (with the skills those require), and the media files they use."""

    course: ArchivedCourse
    modules: Annotated[list[ArchivedModule], Field(max_length=MAX_MODULES)] = Field(
        default_factory=list
    )
    skills: Annotated[list[ArchivedSkill], Field(max_length=MAX_SKILLS)] = Field(
        default_factory=list
    )
    media: Annotated[list[ArchivedMedia], Field(max_length=MAX_MEDIA)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        _refuse_duplicates([m.id for m in self.modules], "module ids")
        _refuse_duplicates([s.slug for s in self.skills], "skill slugs")
        _refuse_duplicates([m.path for m in self.media], "media paths")
        items = sum(len(m.items) for m in self.modules)
        if items > MAX_ITEMS:
            raise ValueError(f"a course may hold at most {MAX_ITEMS} items, not {items}")
        return self


# ---------------------------------------------------------------------------------------------
# The import endpoint's answer


class CourseImportRead(BaseModel):
    course: CourseRead = Field(description="The new course: a draft owned by the importer.")
    skills_created: list[str] = Field(description="Slugs of the skills the import created.")
    skills_matched: list[str] = Field(description="Slugs of existing skills the items now use.")
    media_stored: int = Field(description="Media files stored for the course.")
    media_reused: int = Field(description="Media files of the importer's own that were reused.")
    source_url: str
    exported_at: datetime
