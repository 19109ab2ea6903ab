"""Achievement and certificate errors, each a stable problem code."""

from learnwise.errors import Conflict, NotFound


class AchievementNotFound(NotFound):
    """Someone else's achievements get the same answer as missing ones."""

    code, title = "achievement-not-found", "Achievement not found"


class CertificateNotFound(NotFound):
    """Someone else's certificates get the same answer as missing ones."""

    code, title = "certificate-not-found", "Certificate not found"


class CourseNotCompleted(Conflict):
    code, title = "course-not-completed", "Complete the course first"
