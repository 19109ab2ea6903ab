"""Request dependencies of the progress API."""

from typing import Annotated, Literal

from fastapi import Query

from learnwise.auth.dependencies import RequirePermission
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal

Learner = Annotated[Principal, RequirePermission(Permission.PROGRESS_WRITE)]
"""Someone who may make progress (learners; instructors and admins as learners too)."""

EnrollmentStatusQuery = Annotated[
    Literal["active", "dropped"] | None,
    Query(description="Only the learners with this enrollment status."),
]
