"""Content errors: each a stable problem code."""

from typing import Any

from learnwise.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound


class CourseNotFound(NotFound):
    """Missing and invisible courses get this same answer, so drafts do not leak."""

    code, title = "course-not-found", "Course not found"


class ModuleNotFound(NotFound):
    code, title = "module-not-found", "Module not found"


class CourseAccessDenied(Forbidden):
    code, title = "course-access-denied", "You may not change this course"


class SlugTaken(Conflict):
    code, title = "slug-taken", "A course with this slug already exists"


class CourseInUse(Conflict):
    code, title = "course-in-use", "The course has learners"


class StatusFilterDenied(Forbidden):
    code, title = "status-filter-denied", "You may not list courses by this status"


class InvalidStatusChange(Conflict):
    code, title = "invalid-status-change", "The course cannot move to this status"


class NotEnrollable(Conflict):
    code, title = "not-enrollable", "This course does not accept enrollments"


class ReorderMismatch(InvalidInput):
    code, title = "reorder-mismatch", "The new order must list exactly the current elements"


class InvalidPrerequisite(InvalidInput):
    code, title = "invalid-prerequisite", "Invalid prerequisite"


class PrerequisiteCycle(InvalidInput):
    """A prerequisite edge that would close a cycle; ``cycle`` lists the nodes in order, the
    first repeated at the end (``[a, b, a]``)."""

    code, title = "prerequisite-cycle", "Prerequisites must not form a cycle"

    def __init__(self, cycle: list[Any], detail: str | None = None) -> None:
        names = " -> ".join(str(node) for node in cycle)
        super().__init__(
            detail or f"This prerequisite would create the cycle {names}.",
            cycle=[str(node) for node in cycle],
        )
        self.cycle = cycle


class UnknownMedia(InvalidInput):
    code, title = "unknown-media", "No such media file"


class InvalidCoInstructor(InvalidInput):
    code, title = "invalid-co-instructor", "This user cannot be a co-instructor"


class PreconditionRequired(AppError):
    status, code, title = 428, "precondition-required", "If-Match header required"


class PreconditionFailed(AppError):
    status, code, title = 412, "precondition-failed", "The resource has changed"
