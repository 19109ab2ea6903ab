"""Request dependencies of the analytics API."""

from typing import Annotated

from fastapi import Query

from learnwise.auth.dependencies import RequirePermission
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal

PlatformAnalyst = Annotated[Principal, RequirePermission(Permission.ANALYTICS_PLATFORM)]
CourseAnalyst = Annotated[Principal, RequirePermission(Permission.ANALYTICS_COURSE)]

DaysQuery = Annotated[
    int, Query(ge=1, le=366, description="How many days, ending today, the series cover.")
]
