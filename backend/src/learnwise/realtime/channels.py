"""Channel names, and which domain events go to which channel.

``user:<id>`` carries a user's own notifications; ``course:<id>`` the live activity of a course's
learners, for its instructors.
"""

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent

ChannelKind = Literal["user", "course"]

USER_NOTIFICATIONS = frozenset(
    {
        EventType.ACHIEVEMENT_AWARDED,
        EventType.COURSE_COMPLETED,
        EventType.REPORT_READY,
        EventType.AI_JOB_PROGRESS,
    }
)
COURSE_ACTIVITY = frozenset(
    {
        EventType.PROGRESS_RECORDED,
        EventType.QUIZ_SUBMITTED,
        EventType.ITEM_COMPLETED,
        EventType.MODULE_COMPLETED,
        EventType.COURSE_COMPLETED,
        EventType.ENROLLED,
    }
)


@dataclass(frozen=True, slots=True)
class Channel:
    kind: ChannelKind
    id: uuid.UUID

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.id}"


def user_channel(user_id: uuid.UUID) -> str:
    return Channel("user", user_id).name


def course_channel(course_id: uuid.UUID) -> str:
    return Channel("course", course_id).name


def parse_channel(name: str) -> Channel | None:
    """The channel a name denotes, or None if it denotes none. Names are canonical: the kind,
    a colon, and the id in lower-case hyphenated form."""
    kind, _, raw_id = name.partition(":")
    if kind not in ("user", "course"):
        return None
    try:
        parsed = uuid.UUID(raw_id)
    except ValueError:
        return None
    if str(parsed) != raw_id:
        return None
    return Channel(kind, parsed)  # type: ignore[arg-type]


def channels_of_event(event: OutboxEvent) -> list[str]:
    channels = []
    if event.type in USER_NOTIFICATIONS and event.user_id is not None:
        channels.append(user_channel(event.user_id))
    if event.type in COURSE_ACTIVITY and event.course_id is not None:
        channels.append(course_channel(event.course_id))
    return channels


def event_message(event: OutboxEvent) -> dict[str, Any]:
    """What a realtime client receives of a domain event."""
    return {
        "event_id": str(event.event_id),
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "user_id": str(event.user_id) if event.user_id else None,
        "course_id": str(event.course_id) if event.course_id else None,
        "payload": event.payload,
    }
