"""Completion rules: when an item counts as complete, and what a learner's completed items make
of a course.

Items:

- a video when the ranges watched cover ``VIDEO_COMPLETION_PERCENTAGE`` of it;
- a lesson when read (a scroll depth of ``LESSON_READ_DEPTH`` % after at least
  ``lesson_min_read_seconds`` on it), or when marked complete;
- exercises, files and links when marked complete;
- a quiz when an attempt passes: its score reaches both the quiz's passing score and the
  course's (``passing_fraction``).

A course is the published modules and items its learners see (its published outline). A module
is complete when all its required items are; it is unlocked when the course does not enforce
prerequisites or all the modules it requires are complete. The course is complete when it has
required items and all are complete; the next item is the first incomplete required item of an
unlocked module, in course order.
"""

import math
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from learnwise.content.content_types import QuizContent
from learnwise.content.schemas import CourseSettings, OutlineModule

VIDEO_COMPLETION_PERCENTAGE = 90
LESSON_READ_DEPTH = 90
# Reading a lesson takes at least this share of its reading time (at READING_SPEED words a
# minute, or the item's estimated minutes), within the bounds below.
READING_SPEED = 200
MIN_READ_SHARE = 0.3
MIN_READ_SECONDS = 5
MAX_READ_SECONDS = 300

# Item types a learner may mark complete; videos and quizzes complete by what was done.
MARKABLE_TYPES = frozenset({"lesson", "exercise", "file", "link"})


def video_threshold(settings: CourseSettings) -> int:
    """The percentage of a video to watch for it to count as complete."""
    return VIDEO_COMPLETION_PERCENTAGE


def lesson_min_read_seconds(body: str, estimated_minutes: int | None) -> int:
    """The time on a lesson below which scrolling to its end does not count as reading it."""
    reading_seconds = (
        estimated_minutes * 60
        if estimated_minutes is not None
        else len(body.split()) * 60 / READING_SPEED
    )
    return max(MIN_READ_SECONDS, min(MAX_READ_SECONDS, math.ceil(reading_seconds * MIN_READ_SHARE)))


def passing_fraction(quiz: QuizContent, settings: CourseSettings) -> float:
    """The score (a fraction of the points) a quiz attempt needs to pass: the quiz's own
    passing score, and never less than the course's."""
    return max(quiz.passing_score, settings.passing_score / 100)


@dataclass(frozen=True, slots=True)
class ModuleCompletion:
    module_id: uuid.UUID
    title: str
    required_items: int
    completed_required_items: int
    unlocked: bool

    @property
    def completed(self) -> bool:
        return self.completed_required_items == self.required_items


@dataclass(frozen=True, slots=True)
class NextItem:
    content_id: uuid.UUID
    module_id: uuid.UUID
    title: str
    type: str


@dataclass(frozen=True, slots=True)
class CourseCompletion:
    modules: list[ModuleCompletion]
    required_items: int
    completed_required_items: int
    next_item: NextItem | None

    @property
    def percent_complete(self) -> float:
        if not self.required_items:
            return 0.0
        return round(100 * self.completed_required_items / self.required_items, 1)

    @property
    def completed(self) -> bool:
        return self.required_items > 0 and self.completed_required_items == self.required_items

    def module(self, module_id: uuid.UUID) -> ModuleCompletion | None:
        return next((m for m in self.modules if m.module_id == module_id), None)


def evaluate(
    outline: Sequence[OutlineModule],
    completed: Collection[uuid.UUID],
    *,
    enforce_prerequisites: bool,
) -> CourseCompletion:
    """The course as a learner who completed the items ``completed`` stands in it."""
    module_done: dict[uuid.UUID, bool] = {}
    counts: dict[uuid.UUID, tuple[int, int]] = {}
    for module in outline:
        required = [item for item in module.items if item.is_required]
        done = sum(1 for item in required if item.content_id in completed)
        counts[module.module_id] = (len(required), done)
        module_done[module.module_id] = done == len(required)
    modules = [
        ModuleCompletion(
            module_id=module.module_id,
            title=module.title,
            required_items=counts[module.module_id][0],
            completed_required_items=counts[module.module_id][1],
            unlocked=not enforce_prerequisites
            or all(module_done.get(required, True) for required in module.prerequisite_ids),
        )
        for module in outline
    ]
    return CourseCompletion(
        modules=modules,
        required_items=sum(m.required_items for m in modules),
        completed_required_items=sum(m.completed_required_items for m in modules),
        next_item=_next_item(outline, modules, completed),
    )


def _next_item(
    outline: Sequence[OutlineModule],
    modules: Sequence[ModuleCompletion],
    completed: Collection[uuid.UUID],
) -> NextItem | None:
    for module, state in zip(outline, modules, strict=True):
        if not state.unlocked:
            continue
        for item in module.items:
            if item.is_required and item.content_id not in completed:
                return NextItem(
                    content_id=item.content_id,
                    module_id=module.module_id,
                    title=item.title,
                    type=item.type,
                )
    return None
