"""Content item errors, each a stable problem code. Preconditions (428/412) are the course
service's PreconditionRequired and PreconditionFailed."""

from learnwise.errors import Conflict, Forbidden, InvalidInput, NotFound


class ItemNotFound(NotFound):
    """Missing items and items the caller may not see get the same answer."""

    code, title = "item-not-found", "Content item not found"


class VersionNotFound(NotFound):
    code, title = "version-not-found", "No such version of this item"


class EnrollmentRequired(Forbidden):
    code, title = "enrollment-required", "Enroll in the course to see its content"


class DraftAccessDenied(Forbidden):
    code, title = "draft-access-denied", "Only the course's instructors may see drafts"


class TypeChangeRefused(InvalidInput):
    code, title = "type-change-refused", "An item's type cannot change"


class VersionNotRestorable(Conflict):
    """An old version that no longer passes today's checks (a skill since deleted, a schema
    since tightened): reverting to it would store invalid content."""

    code, title = "version-not-restorable", "This version can no longer be restored"
