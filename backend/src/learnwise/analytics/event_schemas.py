"""The client events of POST /api/v1/analytics/events: one schema per type, told apart by
``type``. Unknown fields and unknown types are refused, so that nothing unexpected is stored."""

import uuid
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

Seconds = Annotated[float, Field(ge=0, le=24 * 3600)]


class _ClientEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID = Field(description="Made by the client; an event sent again is stored once.")
    occurred_at: AwareDatetime = Field(description="When it happened, with its UTC offset.")
    user_id: uuid.UUID | None = Field(
        None, description="Optional; if sent, it must be the caller's own id."
    )


class _ItemEvent(_ClientEvent):
    content_id: uuid.UUID


class LessonView(_ItemEvent):
    type: Literal["lesson_view"]


class VideoPlay(_ItemEvent):
    type: Literal["video_play"]
    position_seconds: Seconds


class VideoPause(_ItemEvent):
    type: Literal["video_pause"]
    position_seconds: Seconds


class VideoSeek(_ItemEvent):
    """A seek backwards counts as a replay of the item."""

    type: Literal["video_seek"]
    from_seconds: Seconds
    to_seconds: Seconds


class VideoSpeed(_ItemEvent):
    type: Literal["video_speed"]
    position_seconds: Seconds
    rate: Annotated[float, Field(ge=0.25, le=4)]


class Heartbeat(_ClientEvent):
    """Time on task: sent every so often while the learner is active on a page."""

    type: Literal["heartbeat"]
    content_id: uuid.UUID | None = None
    seconds: Annotated[int, Field(ge=1, le=300)]


class Search(_ClientEvent):
    type: Literal["search"]
    query: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    results: Annotated[int, Field(ge=0, le=1_000_000)]


ClientEvent = Annotated[
    LessonView | VideoPlay | VideoPause | VideoSeek | VideoSpeed | Heartbeat | Search,
    Field(discriminator="type"),
]


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The configured limit (analytics.max_batch_events) is checked by the service; this bound
    # only keeps a huge body from being validated at all.
    events: Annotated[list[ClientEvent], Field(min_length=1, max_length=2000)]


class BatchResult(BaseModel):
    received: int
    stored: int
    duplicates: int = Field(description="Events already stored (sent before, or twice here).")
    not_stored_without_consent: int = Field(
        description="Events dropped because the caller has not consented to analytics."
    )


_STORED_AS_COLUMNS = {"id", "occurred_at", "user_id", "type", "content_id"}


def event_data(event: BaseModel) -> dict[str, object]:
    """What an event carries besides the columns it is stored in."""
    return event.model_dump(mode="json", exclude=_STORED_AS_COLUMNS)
