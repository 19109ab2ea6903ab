"""User settings: the seed's user_settings, with learning preferences validated by a schema."""

import uuid
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

Theme = Literal["light", "dark", "system"]
ContentType = Literal["lesson", "video", "quiz", "exercise", "file", "link"]


def _known_time_zone(name: str) -> str:
    if name not in _TIME_ZONES:
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)")
    return name


_TIME_ZONES = frozenset(available_timezones()) | {"UTC"}

TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_known_time_zone)]
LanguageTag = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)
]
WeeklyMinutes = Annotated[int, Field(ge=0, le=7 * 24 * 60)]
# The probability of recall at which spaced-repetition reviews fall due.
DesiredRetention = Annotated[float, Field(ge=0.7, le=0.97)]


class Goal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["course", "skill", "text"]
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    target_date: datetime | None = None


Goals = Annotated[list[Goal], Field(max_length=20)]
ContentTypes = Annotated[list[ContentType], Field(max_length=6)]


class LearningPreferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goals: Goals = Field(default_factory=list)
    weekly_time_budget_minutes: WeeklyMinutes = 180
    preferred_content_types: ContentTypes = Field(default_factory=list)
    language: LanguageTag = "en"
    time_zone: TimeZone = "UTC"
    desired_retention: DesiredRetention = 0.9


class LearningPreferencesUpdate(BaseModel):
    """Any subset of the learning preferences; a field left out or null keeps its value."""

    model_config = ConfigDict(extra="forbid")

    goals: Goals | None = None
    weekly_time_budget_minutes: WeeklyMinutes | None = None
    preferred_content_types: ContentTypes | None = None
    language: LanguageTag | None = None
    time_zone: TimeZone | None = None
    desired_retention: DesiredRetention | None = None


class SettingsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: uuid.UUID
    theme: Theme
    notifications_enabled: bool
    learning_preferences: LearningPreferences
    analytics_consent: bool = Field(
        description="Whether the user's activity events may be stored for analytics (opt-in)."
    )
    updated_at: datetime | None


class SettingsUpdate(BaseModel):
    """A partial update: only the fields sent (and not null) change. ``learning_preferences``
    is merged field by field as well."""

    model_config = ConfigDict(extra="forbid")

    theme: Theme | None = None
    notifications_enabled: bool | None = None
    learning_preferences: LearningPreferencesUpdate | None = None
    analytics_consent: bool | None = None
