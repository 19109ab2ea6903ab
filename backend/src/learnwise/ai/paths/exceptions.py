"""Learning-path errors, each a stable problem code."""

from learnwise.errors import Conflict, InvalidInput, NotFound


class PathNotFound(NotFound):
    code, title = "path-not-found", "Learning path not found"


class GoalNotCovered(InvalidInput):
    """No published content teaches the goal (or the learner has already mastered it all)."""

    code, title = "goal-not-covered", "No content covers this goal"


class PrerequisiteGap(InvalidInput):
    """A prerequisite skill that the learner lacks and that no content teaches."""

    code, title = "prerequisite-gap", "A prerequisite is taught by no content"


class PathCycle(Conflict):
    """Module order and skill prerequisites together ask for A before B and B before A."""

    code, title = "prerequisite-cycle", "The prerequisites form a cycle"


class NoTimeBudget(InvalidInput):
    code, title = "no-time-budget", "A weekly time budget is needed to schedule a path"
