"""Permissions and the built-in roles: the one place that says who may do what.

A permission is ``resource:action``. Custom roles (the ``role`` table) are made of the same
permissions; a user's permissions are the union over their roles.
"""

from enum import StrEnum


class Permission(StrEnum):
    COURSE_READ = "course:read"
    COURSE_CREATE = "course:create"
    COURSE_WRITE = "course:write"  # one's own and co-taught courses
    COURSE_WRITE_ANY = "course:write_any"
    PROGRESS_WRITE = "progress:write"
    LEARNERS_READ = "learners:read"  # the learners of one's own courses
    AI_USE = "ai:use"
    AI_GENERATE = "ai:generate"
    ANALYTICS_COURSE = "analytics:course"
    ANALYTICS_PLATFORM = "analytics:platform"
    REPORT_CREATE = "report:create"
    REPORT_IDENTIFY = "report:identify"  # names and emails in exports instead of pseudonyms
    USER_READ = "user:read"
    USER_MANAGE = "user:manage"
    ROLE_MANAGE = "role:manage"
    METRICS_READ = "metrics:read"
    JOB_MANAGE = "job:manage"  # every user's background jobs


class BuiltinRole(StrEnum):
    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    LEARNER = "learner"


_LEARNER = frozenset({Permission.COURSE_READ, Permission.PROGRESS_WRITE, Permission.AI_USE})
_INSTRUCTOR = _LEARNER | {
    Permission.COURSE_CREATE,
    Permission.COURSE_WRITE,
    Permission.LEARNERS_READ,
    Permission.AI_GENERATE,
    Permission.ANALYTICS_COURSE,
    Permission.REPORT_CREATE,
}

BUILTIN_ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    BuiltinRole.LEARNER: _LEARNER,
    BuiltinRole.INSTRUCTOR: frozenset(_INSTRUCTOR),
    BuiltinRole.ADMIN: frozenset(Permission),
}

DEFAULT_ROLE = BuiltinRole.LEARNER
