"""What every report builder receives, and which builder makes which kind of report."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics.reports.anonymize import Pseudonymizer
from learnwise.analytics.reports.document import ReportDocument
from learnwise.analytics.reports.models import AnalyticsReport
from learnwise.auth.service import Principal
from learnwise.platform.cache import Cache


@dataclass
class BuildContext:
    session: AsyncSession
    cache: Cache
    report: AnalyticsReport
    # The requester, as they are now: a permission lost since the request is a refusal.
    requester: Principal
    pseudonym: Pseudonymizer
    k: int

    @property
    def identities(self) -> bool:
        return self.report.include_identities

    @property
    def since(self) -> datetime | None:
        day = self.report.date_from
        return datetime.combine(day, time.min, UTC) if day else None

    @property
    def until(self) -> datetime | None:
        """The end of the range, excluded (the day after ``date_to``)."""
        day = self.report.date_to
        return datetime.combine(day + timedelta(days=1), time.min, UTC) if day else None

    def in_range(self, moment: datetime | None) -> bool:
        if moment is None:
            return self.since is None and self.until is None
        return (self.since is None or moment >= self.since) and (
            self.until is None or moment < self.until
        )

    def who(self, user_id: uuid.UUID, name: str, email: str) -> list[str]:
        """How a learner appears: a pseudonym, or their name and email when asked and allowed."""
        return [name, email] if self.identities else [self.pseudonym(user_id)]

    def who_columns(self) -> list[str]:
        return ["Name", "Email"] if self.identities else ["Learner (pseudonym)"]

    def facts(self, *extra: tuple[str, str]) -> list[tuple[str, str]]:
        report = self.report
        period = f"{report.date_from or 'the beginning'} to {report.date_to or 'today'}"
        identity = (
            "names and emails (requested by an authorized user)"
            if self.identities
            else f"pseudonymized (keyed HMAC, this export only); groups under {self.k} suppressed"
        )
        return [
            ("Generated", datetime.now(UTC).isoformat(timespec="seconds")),
            ("Period", period),
            ("Learners shown as", identity),
            *extra,
        ]


Builder = Callable[[BuildContext], Awaitable[ReportDocument]]


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
