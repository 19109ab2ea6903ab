"""Progress schemas: what learners report, what quizzes return, and the progress views."""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from learnwise.content.content_types import Identifier
from learnwise.platform.idempotency import KEY_PATTERN

# The most time one report may add: a heartbeat per minute is the rule, but a client may
# sum up what it could not send.
MAX_REPORT_SECONDS = 4 * 3600
MAX_VIDEO_SECONDS = 24 * 3600
MAX_BATCH_EVENTS = 500


class ProgressStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("give a time zone (2026-01-31T09:30:00Z or with an offset)")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("out of range") from exc


ClientTime = Annotated[
    datetime | None,
    AfterValidator(_utc),
    Field(
        description="When it happened, by the client's clock: for reports queued offline. "
        "Now when omitted; at most 30 days back and a few minutes ahead."
    ),
]
Second = Annotated[float, Field(ge=0, le=MAX_VIDEO_SECONDS, allow_inf_nan=False)]


def _ordered(pair: tuple[float, float]) -> tuple[float, float]:
    if pair[0] > pair[1]:
        raise ValueError("a range starts before it ends: [start, end]")
    return pair


WatchedRange = Annotated[tuple[Second, Second], AfterValidator(_ordered)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProgressUpdate(_Strict):
    """One report of work on an item. Everything in it only ever moves progress forward."""

    content_version: int | None = Field(
        None, ge=1, description="The version of the item shown (its published version)."
    )
    time_spent_seconds: int = Field(
        0,
        ge=0,
        le=MAX_REPORT_SECONDS,
        description="Seconds spent on the item since the last report.",
    )
    completion_percentage: float | None = Field(
        None,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Lessons: the scroll depth reached; exercises, files, links: how much is "
        "done. Not for videos (their ranges count) or quizzes (their attempts do).",
    )
    watched_ranges: Annotated[list[WatchedRange], Field(max_length=1000)] | None = Field(
        None, description="Videos: the [start, end] ranges played, in seconds."
    )
    completed: bool = Field(
        False, description="Mark the item complete (lessons, exercises, files and links)."
    )
    occurred_at: ClientTime = None


Answer = (
    Annotated[str, StringConstraints(max_length=2000)]
    | bool
    | int
    | float
    | Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=26)]
)


class AttemptSubmit(_Strict):
    """A quiz attempt: the answers to the version of the quiz that was shown."""

    content_version: int = Field(ge=1, description="The version of the quiz shown.")
    answers: Annotated[dict[Identifier, Answer], Field(max_length=200)] = Field(
        description="By question id: an option id (single choice), option ids (multiple "
        "choice), a boolean (true/false), text (short answer) or a number (numeric)."
    )
    question_seconds: Annotated[
        dict[Identifier, Annotated[float, Field(ge=0, le=MAX_REPORT_SECONDS, allow_inf_nan=False)]],
        Field(max_length=200),
    ] = Field(default_factory=dict, description="Seconds spent on each question.")
    duration_seconds: int | None = Field(None, ge=0, le=MAX_REPORT_SECONDS)
    started_at: ClientTime = None
    occurred_at: ClientTime = None


class ItemProgressRead(BaseModel):
    content_id: uuid.UUID
    course_id: uuid.UUID
    module_id: uuid.UUID
    type: str
    status: ProgressStatus
    completion_percentage: int
    time_spent_seconds: int
    last_accessed: datetime | None
    completed_at: datetime | None
    content_version: int | None
    watched_ranges: list[list[float]] = Field(description="Videos: the merged ranges watched.")
    best_score: float | None = Field(description="Quizzes: the best score, from 0 to 1.")
    attempts_count: int
    attempts_remaining: int | None = Field(description="Quizzes: null when unlimited.")


class QuestionFeedback(BaseModel):
    """One question of an attempt; what was right is shown as the course's settings allow."""

    question_id: str
    answered: bool
    points_possible: float
    correct: bool | None = None
    points_awarded: float | None = None
    explanation: str | None = None


class AttemptRead(BaseModel):
    attempt_id: uuid.UUID
    content_id: uuid.UUID
    content_version: int
    attempt_number: int
    score: float = Field(description="From 0 to 1.")
    points: float
    max_points: float
    passed: bool
    passing_score: float = Field(description="The score needed to pass, from 0 to 1.")
    duration_seconds: int | None
    started_at: datetime | None
    submitted_at: datetime
    feedback_shown: bool
    questions: list[QuestionFeedback]


class AttemptResult(AttemptRead):
    progress: ItemProgressRead


class ProgressEvent(ProgressUpdate):
    """A progress report from a client's offline queue."""

    kind: Literal["progress"]
    idempotency_key: Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
    content_id: uuid.UUID


class AttemptEvent(AttemptSubmit):
    """A quiz attempt from a client's offline queue."""

    kind: Literal["quiz_attempt"]
    idempotency_key: Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
    content_id: uuid.UUID


BatchEvent = Annotated[ProgressEvent | AttemptEvent, Field(discriminator="kind")]


class ProgressBatch(_Strict):
    events: Annotated[list[BatchEvent], Field(min_length=1, max_length=MAX_BATCH_EVENTS)]


class BatchEventError(BaseModel):
    """The problem (as the single request would have answered it) that kept an event out."""

    status: int
    code: str
    title: str
    detail: str
    extra: dict[str, Any] = Field(default_factory=dict)


class BatchEventResult(BaseModel):
    index: int
    idempotency_key: str
    kind: Literal["progress", "quiz_attempt"]
    outcome: Literal["applied", "replayed", "failed"] = Field(
        description="replayed: an earlier request with this key did it (its result is shown). "
        "failed: nothing was done; retry later after 409, drop it after other errors."
    )
    progress: ItemProgressRead | None = None
    attempt: AttemptResult | None = None
    error: BatchEventError | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> Self:
        if (self.error is not None) != (self.outcome == "failed"):
            raise ValueError("a failed event has an error, and only a failed one")
        return self


class BatchResult(BaseModel):
    applied: int
    replayed: int
    failed: int
    results: list[BatchEventResult]


class ResetRequest(_Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ModuleProgressRead(BaseModel):
    module_id: uuid.UUID
    title: str
    required_items: int
    completed_required_items: int
    completed: bool
    unlocked: bool


class NextItemRead(BaseModel):
    content_id: uuid.UUID
    module_id: uuid.UUID
    title: str
    type: str


class CourseProgressRead(BaseModel):
    course_id: uuid.UUID
    title: str
    percent_complete: float = Field(description="Over the required items, from 0 to 100.")
    required_items: int
    completed_required_items: int
    completed_items: int = Field(description="Optional items included.")
    completed: bool
    completed_at: datetime | None
    completed_modules: int
    modules: list[ModuleProgressRead]
    next_item: NextItemRead | None = Field(
        description="The first incomplete required item of an unlocked module."
    )
    time_spent_seconds: int
    last_activity_at: datetime | None


class LearnerProgressSummary(BaseModel):
    user_id: uuid.UUID
    display_name: str
    email: str
    enrollment_status: Literal["active", "dropped"]
    enrolled_at: datetime
    percent_complete: float
    required_items: int
    completed_required_items: int
    completed: bool
    time_spent_seconds: int
    last_activity_at: datetime | None


class LearnerItemProgress(ItemProgressRead):
    title: str
    is_required: bool


class LearnerProgressDetail(BaseModel):
    user_id: uuid.UUID
    course: CourseProgressRead
    items: list[LearnerItemProgress]


class ItemProgressSummary(BaseModel):
    """One item over the course's active learners."""

    content_id: uuid.UUID
    module_id: uuid.UUID
    title: str
    type: str
    is_required: bool
    learners: int
    started: int
    completed: int
    average_completion_percentage: float
    average_time_spent_seconds: float
    average_best_score: float | None = Field(description="Quizzes, over those who tried.")
    attempts: int
