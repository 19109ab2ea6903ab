"""Analysis errors, each a stable problem code."""

from learnwise.errors import Forbidden


class CourseNeeded(Forbidden):
    """Instructors see a learner's analysis through a course they teach, never outside one."""

    code, title = "analysis-course-needed", "Another learner's analysis needs a course you teach"
