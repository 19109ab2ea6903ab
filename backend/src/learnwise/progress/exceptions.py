"""Progress errors, each a stable problem code. Items one may not see are the content domain's
ItemNotFound (404); items of a course one is not enrolled in, its EnrollmentRequired (403)."""

from learnwise.errors import Conflict, Forbidden, InvalidInput, NotFound


class InvalidProgress(InvalidInput):
    """A report that does not fit the item (watched ranges for a lesson, "complete" for a
    video, ranges outside the video)."""

    code, title = "invalid-progress", "This progress report does not fit the item"


class ModuleLocked(Forbidden):
    code, title = "module-locked", "This module's prerequisites are not complete yet"


class NotAQuiz(InvalidInput):
    code, title = "not-a-quiz", "This item is not a quiz"


class UnknownQuizVersion(InvalidInput):
    code, title = "unknown-quiz-version", "The quiz was never published in this version"


class QuizVersionOutdated(Conflict):
    """The version was published once, but replaced too long ago to be graded."""

    code, title = "quiz-version-outdated", "This version of the quiz is no longer accepted"


class InvalidAnswers(InvalidInput):
    code, title = "invalid-answers", "The answers do not fit this version of the quiz"


class AttemptLimitReached(Conflict):
    code, title = "attempt-limit-reached", "No attempts left on this quiz"


class LearnerProgressDenied(Forbidden):
    code, title = "learner-progress-denied", "Only the course's instructors see its learners"


class LearnerNotFound(NotFound):
    code, title = "learner-not-found", "This user is not a learner of the course"
