"""Analytics errors, each a stable problem code."""

from learnwise.errors import Forbidden, InvalidInput, PayloadTooLarge


class BatchTooLarge(PayloadTooLarge):
    code, title = "event-batch-too-large", "Too many events in one batch"


class EventTimeOutOfRange(InvalidInput):
    code, title = "event-time-out-of-range", "An event's time is in the future or too far back"


class EventUserMismatch(Forbidden):
    code, title = "event-user-mismatch", "Events may only be sent for oneself"


class UnknownEventContent(InvalidInput):
    code, title = "unknown-event-content", "An event names a content item that does not exist"


class CourseAnalyticsDenied(Forbidden):
    code, title = "course-analytics-denied", "Only the course's instructors and admins see this"


class LearnerAnalyticsDenied(Forbidden):
    code, title = "learner-analytics-denied", "Only admins see another user's analytics"
