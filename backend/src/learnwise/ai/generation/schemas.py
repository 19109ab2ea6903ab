"""Generation schemas: the material generated (also the structured output asked of an LLM),
and the API's request and response."""

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Output = Literal["quiz", "summary", "flashcards", "objectives", "glossary"]
ALL_OUTPUTS: frozenset[str] = frozenset(Output.__args__)


class GeneratedQuestion(BaseModel):
    prompt: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    answer: Term = Field(description="The right answer, short.")
    distractors: Annotated[list[Term], Field(max_length=5)] = Field(
        default_factory=list, description="Plausible wrong answers (three is best)."
    )
    explanation: Annotated[str, StringConstraints(max_length=4000)] = Field(
        "", description="Why the answer is right, citing the source."
    )

    @model_validator(mode="after")
    def _distractors_are_wrong_and_distinct(self) -> Self:
        keys = [d.casefold() for d in self.distractors]
        if self.answer.casefold() in keys:
            raise ValueError("a distractor repeats the answer")
        if len(set(keys)) != len(keys):
            raise ValueError("distractors repeat each other")
        return self


class Flashcard(BaseModel):
    front: Line
    back: Line


class GlossaryEntry(BaseModel):
    term: Term
    definition: Line


class GeneratedMaterial(BaseModel):
    """Study material generated from one source text."""

    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)] = ""
    learning_objectives: Annotated[list[Line], Field(max_length=20)] = Field(default_factory=list)
    questions: Annotated[list[GeneratedQuestion], Field(max_length=50)] = Field(
        default_factory=list
    )
    flashcards: Annotated[list[Flashcard], Field(max_length=50)] = Field(default_factory=list)
    glossary: Annotated[list[GlossaryEntry], Field(max_length=50)] = Field(default_factory=list)


class GenerateRequest(BaseModel):
    """Generate from a content item (``content_id``) or from pasted ``text``. Drafts go to the
    item's module, or to ``module_id`` of ``course_id`` (required with text)."""

    model_config = ConfigDict(extra="forbid")

    content_id: uuid.UUID | None = None
    text: str | None = None
    course_id: uuid.UUID | None = None
    module_id: uuid.UUID | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    outputs: Annotated[list[Output], Field(min_length=1, max_length=5)] = Field(
        default_factory=lambda: sorted(ALL_OUTPUTS)
    )
    question_count: int = Field(5, ge=1, le=30)
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = "en"

    @model_validator(mode="after")
    def _one_source_and_a_place(self) -> Self:
        if (self.content_id is None) == (self.text is None):
            raise ValueError("give exactly one of content_id and text")
        if self.text is not None and (self.course_id is None or self.module_id is None):
            raise ValueError("course_id and module_id say where drafts from a text go")
        if (self.course_id is None) != (self.module_id is None):
            raise ValueError("give course_id and module_id together")
        return self


class DraftItem(BaseModel):
    content_id: uuid.UUID
    type: str
    title: str
    version: int


class GenerationRead(BaseModel):
    generation_id: uuid.UUID
    status: str = Field(description="queued, running, succeeded or failed.")
    job_id: uuid.UUID | None = Field(
        description="The ai.generate job doing the work: its progress is at /api/v1/jobs/{id}."
    )
    engine: str | None = Field(description="offline or llm: the path that produced the result.")
    course_id: uuid.UUID
    module_id: uuid.UUID
    source_content_id: uuid.UUID | None
    source_version: int | None
    source_chars: int
    outputs: list[str]
    result: GeneratedMaterial | None
    drafts: list[DraftItem] = Field(description="The unpublished items made for review.")
    error: str | None
    created_at: datetime
    finished_at: datetime | None
