"""Review errors, each a stable problem code."""

from learnwise.errors import InvalidInput, NotFound


class ReviewCardNotFound(NotFound):
    code, title = "review-card-not-found", "Review card not found"


class ReviewSubjectInvalid(InvalidInput):
    code, title = "review-subject-invalid", "Name exactly one content item or one skill"
