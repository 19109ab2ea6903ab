"""Skill schemas. A skill is referred to by its id or its slug wherever one is named."""

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

SkillRef = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    Field(description="A skill's slug or id."),
]


def _not_an_id(slug: str) -> str:
    try:
        uuid.UUID(slug)
    except ValueError:
        return slug
    raise ValueError("a slug may not look like an id (skills are referred to by either)")


Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=120, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
    AfterValidator(_not_an_id),
    Field(examples=["python-loops"]),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Description = Annotated[str, StringConstraints(max_length=5000)]
SkillRefs = Annotated[list[SkillRef], Field(max_length=100)]


class SkillCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: Name
    description: Description = ""
    prerequisites: SkillRefs = Field(
        default_factory=list, description="The skills this one needs (slugs or ids)."
    )


class SkillUpdate(BaseModel):
    """A partial update; ``prerequisites``, when sent, replaces the whole list."""

    model_config = ConfigDict(extra="forbid")

    slug: Slug | None = None
    name: Name | None = None
    description: Description | None = None
    prerequisites: SkillRefs | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"these fields may not be null: {', '.join(nulls)}")
        return self


class PrerequisiteAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requires: SkillRef


class SkillRead(BaseModel):
    skill_id: uuid.UUID
    slug: str
    name: str
    description: str
    prerequisite_ids: list[uuid.UUID] = Field(description="The skills this one directly needs.")
    created_at: datetime
    updated_at: datetime | None


class SkillNode(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    skill_id: uuid.UUID
    slug: str
    name: str


class SkillEdge(BaseModel):
    """``skill_id`` needs ``requires_id`` (learn ``requires_id`` first)."""

    skill_id: uuid.UUID
    requires_id: uuid.UUID


class SkillGraph(BaseModel):
    """The whole prerequisite graph, a DAG; nodes are ordered by slug, edges by both ends."""

    nodes: list[SkillNode]
    edges: list[SkillEdge]
