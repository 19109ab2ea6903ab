"""The content of an item, one schema per type, told apart by ``type``.

Stored content is the ``model_dump(mode="json")`` of these models, ``type`` included, so a stored
document says what it is (``learner_view`` and ``grading.grade_quiz`` need nothing else).

Quiz conventions:

- ``passing_score`` is a fraction of the quiz's points, from 0 to 1 (0.7 = 70 %).
- Question ``skills`` are written as skill slugs or ids; the item service resolves them and
  stores skill ids.
- The answer key is ``correct`` (choice and true/false questions), ``accepted_answers`` (short
  answers, compared after Unicode NFKC normalisation, trimming and collapsing whitespace, and
  ignoring case unless ``case_sensitive``), ``answer`` and ``tolerance`` (numeric: right when
  ``|given - answer| <= tolerance``), plus each question's ``explanation``. ``learner_view``
  removes all of them.
"""

import unicodedata
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    UrlConstraints,
    model_validator,
)

from learnwise.skills.schemas import SkillRef

ContentType = Literal["lesson", "video", "quiz", "exercise", "file", "link"]
CONTENT_TYPES: tuple[str, ...] = ContentType.__args__

MARKDOWN_MAX = 200_000

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"), Field(examples=["q1"])
]
Markdown = Annotated[str, StringConstraints(max_length=MARKDOWN_MAX)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LanguageTag = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)
]
Points = Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)]


def _unique(values: list[Any]) -> list[Any]:
    duplicates = sorted({str(v) for v in values if values.count(v) > 1})
    if duplicates:
        raise ValueError(f"duplicate values: {', '.join(duplicates)}")
    return values


def _unique_ids(items: list[Any]) -> list[Any]:
    _unique([item.id for item in items])
    return items


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------
# Lesson, video, file, link


class LessonContent(_Strict):
    """Markdown with fenced code and ``$...$`` / ``$$...$$`` math, rendered to safe HTML."""

    type: Literal["lesson"]
    body: Annotated[str, StringConstraints(min_length=1, max_length=MARKDOWN_MAX)]

    def learner_view(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Caption(_Strict):
    """A caption track: an uploaded file (``media_id``) or WebVTT text (``vtt``), not both."""

    language: LanguageTag
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    media_id: uuid.UUID | None = None
    vtt: Annotated[str, StringConstraints(max_length=1_000_000)] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.media_id is None) == (self.vtt is None):
            raise ValueError("give exactly one of media_id and vtt")
        if self.vtt is not None and not self.vtt.lstrip("\ufeff").startswith("WEBVTT"):
            raise ValueError("vtt must be a WebVTT document (starting with 'WEBVTT')")
        return self


def _one_track_per_language_and_label(captions: list[Caption]) -> list[Caption]:
    _unique([(c.language, c.label) for c in captions])
    return captions


class VideoContent(_Strict):
    type: Literal["video"]
    media_id: uuid.UUID
    duration_seconds: int = Field(gt=0, le=24 * 3600)
    captions: Annotated[
        list[Caption], Field(max_length=50), AfterValidator(_one_track_per_language_and_label)
    ] = Field(default_factory=list)
    transcript: Annotated[str, StringConstraints(max_length=MARKDOWN_MAX)] | None = None

    def learner_view(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class FileContent(_Strict):
    type: Literal["file"]
    media_id: uuid.UUID
    description: Annotated[str, StringConstraints(max_length=5000)] = ""

    def learner_view(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


WebUrl = Annotated[HttpUrl, UrlConstraints(max_length=2048, allowed_schemes=["http", "https"])]


class LinkContent(_Strict):
    """An external page: http(s) only, so no ``javascript:`` or ``data:`` URL is ever stored."""

    type: Literal["link"]
    url: WebUrl
    description: Annotated[str, StringConstraints(max_length=5000)] = ""

    def learner_view(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# ---------------------------------------------------------------------------------------------
# Exercise


class Criterion(_Strict):
    id: Identifier
    description: ShortText
    points: Points


class Rubric(_Strict):
    criteria: Annotated[
        list[Criterion], Field(min_length=1, max_length=50), AfterValidator(_unique_ids)
    ]


class ExerciseContent(_Strict):
    """Markdown instructions and the rubric it is marked against (shown to learners too)."""

    type: Literal["exercise"]
    instructions: Annotated[str, StringConstraints(min_length=1, max_length=MARKDOWN_MAX)]
    rubric: Rubric
    submission_type: Literal["text", "file", "url"] = "text"

    def learner_view(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# ---------------------------------------------------------------------------------------------
# Quiz


class Choice(_Strict):
    id: Identifier
    text: ShortText


class _Question(_Strict):
    type: str  # each kind narrows it to its Literal, the discriminator
    id: Identifier
    prompt: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    skills: Annotated[list[SkillRef], Field(max_length=20), AfterValidator(_unique)] = Field(
        default_factory=list
    )
    explanation: Annotated[str, StringConstraints(max_length=10_000)] = ""
    points: Points = 1.0

    # The answer key: what learner_view leaves out.
    answer_key_fields: ClassVar[frozenset[str]] = frozenset({"explanation"})

    def learner_view(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude=set(self.answer_key_fields))


class _ChoiceQuestion(_Question):
    options: Annotated[
        list[Choice], Field(min_length=2, max_length=26), AfterValidator(_unique_ids)
    ]

    @property
    def option_ids(self) -> set[str]:
        return {o.id for o in self.options}


class SingleChoiceQuestion(_ChoiceQuestion):
    type: Literal["single_choice"]
    correct: Identifier

    answer_key_fields = frozenset({"explanation", "correct"})

    @model_validator(mode="after")
    def _correct_is_an_option(self) -> Self:
        if self.correct not in self.option_ids:
            raise ValueError(f"correct names no option: {self.correct!r}")
        return self


class MultipleChoiceQuestion(_ChoiceQuestion):
    """Right when exactly the correct options are picked; with ``partial_credit`` each correct
    pick earns its share of the points and each wrong pick takes one share back (never below 0).
    """

    type: Literal["multiple_choice"]
    correct: Annotated[list[Identifier], Field(min_length=1), AfterValidator(_unique)]
    partial_credit: bool = False

    answer_key_fields = frozenset({"explanation", "correct"})

    @model_validator(mode="after")
    def _correct_are_options(self) -> Self:
        unknown = sorted(set(self.correct) - self.option_ids)
        if unknown:
            raise ValueError(f"correct names no option: {', '.join(unknown)}")
        return self


class TrueFalseQuestion(_Question):
    type: Literal["true_false"]
    correct: bool

    answer_key_fields = frozenset({"explanation", "correct"})


def normalise_answer(text: str, *, case_sensitive: bool = False) -> str:
    """How short answers are compared: NFKC, trimmed, inner whitespace collapsed, and case
    folded unless the question is case sensitive."""
    collapsed = " ".join(unicodedata.normalize("NFKC", text).split())
    return collapsed if case_sensitive else collapsed.casefold()


class ShortAnswerQuestion(_Question):
    type: Literal["short_answer"]
    accepted_answers: Annotated[list[ShortText], Field(min_length=1, max_length=50)]
    case_sensitive: bool = False

    answer_key_fields = frozenset({"explanation", "accepted_answers"})

    @model_validator(mode="after")
    def _distinct_after_normalisation(self) -> Self:
        _unique(
            [normalise_answer(a, case_sensitive=self.case_sensitive) for a in self.accepted_answers]
        )
        return self


class NumericQuestion(_Question):
    """Right when ``|given - answer| <= tolerance`` (an absolute tolerance, in ``unit``)."""

    type: Literal["numeric"]
    answer: float = Field(allow_inf_nan=False)
    tolerance: float = Field(0.0, ge=0, allow_inf_nan=False)
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] = ""

    answer_key_fields = frozenset({"explanation", "answer", "tolerance"})


Question = Annotated[
    SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TrueFalseQuestion
    | ShortAnswerQuestion
    | NumericQuestion,
    Field(discriminator="type"),
]


class QuizContent(_Strict):
    type: Literal["quiz"]
    instructions: Markdown = ""
    questions: Annotated[
        list[Question], Field(min_length=1, max_length=200), AfterValidator(_unique_ids)
    ]
    passing_score: float = Field(
        0.7, ge=0, le=1, allow_inf_nan=False, description="Fraction of the points needed to pass."
    )

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.questions)

    def learner_view(self) -> dict[str, Any]:
        view = self.model_dump(mode="json", exclude={"questions"})
        view["questions"] = [q.learner_view() for q in self.questions]
        return view


ItemContent = Annotated[
    LessonContent | VideoContent | QuizContent | ExerciseContent | FileContent | LinkContent,
    Field(discriminator="type"),
]

_CONTENT = TypeAdapter(ItemContent)


def parse_content(content: dict[str, Any]) -> ItemContent:
    """The typed model of a content document; pydantic.ValidationError when it is invalid."""
    return _CONTENT.validate_python(content)


def dump_content(content: ItemContent) -> dict[str, Any]:
    return content.model_dump(mode="json")


def learner_view(content: dict[str, Any]) -> dict[str, Any]:
    """What a learner may see of a stored content document: everything but the answer key
    (correct options, accepted answers, numeric answers and tolerances, explanations)."""
    return parse_content(content).learner_view()


@dataclass(frozen=True, slots=True)
class MediaReference:
    """A media file the content points at: where, and what it must be."""

    field: str
    media_id: uuid.UUID
    kinds: frozenset[str] | None = None
    content_types: frozenset[str] | None = None


def media_references(content: ItemContent) -> list[MediaReference]:
    match content:
        case VideoContent():
            return [
                MediaReference("content.media_id", content.media_id, frozenset({"video"})),
                *(
                    MediaReference(
                        f"content.captions.{index}.media_id",
                        caption.media_id,
                        frozenset({"text"}),
                        frozenset({"text/vtt"}),
                    )
                    for index, caption in enumerate(content.captions)
                    if caption.media_id is not None
                ),
            ]
        case FileContent():
            return [MediaReference("content.media_id", content.media_id)]
        case _:
            return []


def question_skill_refs(content: ItemContent) -> set[str]:
    if isinstance(content, QuizContent):
        return {ref for question in content.questions for ref in question.skills}
    return set()


def with_question_skills(content: ItemContent, skill_ids: dict[str, str]) -> ItemContent:
    """The content with each quiz question's skill references replaced by ``skill_ids[ref]``."""
    if not isinstance(content, QuizContent):
        return content
    questions = [
        q.model_copy(update={"skills": sorted({skill_ids[ref] for ref in q.skills})})
        for q in content.questions
    ]
    return content.model_copy(update={"questions": questions})
