"""A user's activity events as xAPI 1.0.3 statements, for a Learning Record Store or for the
user's own copy of their data (GET /analytics/xapi/statements).

The actor is the user's account on this platform (its id, never an email); objects are the
platform's API URLs of items and courses; verbs are ADL's and the xAPI video profile's.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics.learner import check_may_read
from learnwise.analytics.models import ActivityEvent
from learnwise.auth import service as auth_service
from learnwise.auth.service import Principal

_ADL = "http://adlnet.gov/expapi/verbs/"
_VIDEO = "https://w3id.org/xapi/video/verbs/"
VERBS = {
    "course.enrolled": (_ADL + "registered", "registered"),
    "progress.recorded": (_ADL + "progressed", "progressed"),
    "quiz.submitted": (_ADL + "scored", "scored"),
    "item.completed": (_ADL + "completed", "completed"),
    "module.completed": (_ADL + "completed", "completed"),
    "course.completed": (_ADL + "completed", "completed"),
    "lesson_view": (_ADL + "experienced", "experienced"),
    "heartbeat": (_ADL + "experienced", "experienced"),
    "video_play": (_VIDEO + "played", "played"),
    "video_pause": (_VIDEO + "paused", "paused"),
    "video_seek": (_VIDEO + "seeked", "seeked"),
    "video_speed": (_ADL + "interacted", "interacted"),
    "search": ("http://id.tincanapi.com/verb/searched", "searched"),
}


def _activity(base: str, event: ActivityEvent) -> dict[str, Any]:
    if event.content_id is not None:
        return {"objectType": "Activity", "id": f"{base}/api/v1/items/{event.content_id}"}
    if event.course_id is not None:
        return {"objectType": "Activity", "id": f"{base}/api/v1/courses/{event.course_id}"}
    if event.type == "search":
        return {"objectType": "Activity", "id": f"{base}/api/v1/courses?search"}
    return {"objectType": "Activity", "id": f"{base}/api/v1"}


def _result(event: ActivityEvent) -> dict[str, Any] | None:
    data = event.data or {}
    if event.type == "quiz.submitted" and data.get("score") is not None:
        return {"score": {"scaled": float(data["score"])}, "success": bool(data.get("passed"))}
    if event.type.endswith(".completed"):
        return {"completion": True}
    if event.type == "heartbeat":
        return {"duration": f"PT{int(data.get('seconds') or 0)}S"}
    return None


def statement(base: str, event: ActivityEvent) -> dict[str, Any]:
    verb_id, verb_name = VERBS.get(event.type, (_ADL + "interacted", "interacted"))
    made: dict[str, Any] = {
        "id": str(event.event_id),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": base, "name": str(event.user_id)},
        },
        "verb": {"id": verb_id, "display": {"en-US": verb_name}},
        "object": _activity(base, event),
        "timestamp": event.occurred_at.isoformat(),
        "stored": event.recorded_at.isoformat(),
    }
    result = _result(event)
    if result is not None:
        made["result"] = result
    if event.content_id is not None and event.course_id is not None:
        made["context"] = {
            "contextActivities": {
                "parent": [
                    {"objectType": "Activity", "id": f"{base}/api/v1/courses/{event.course_id}"}
                ]
            }
        }
    return made


async def statements(
    *,
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    base_url: str,
    since: datetime | None,
    after: uuid.UUID | None,
    limit: int,
) -> tuple[list[dict[str, Any]], uuid.UUID | None]:
    """The user's statements in the order they were recorded, a page at a time; returns them
    and the cursor of the next page (None on the last)."""
    check_may_read(principal, user_id)
    if user_id != principal.user_id:
        await auth_service.get_user(session=session, user_id=user_id)
    query = select(ActivityEvent).where(ActivityEvent.user_id == user_id)
    if since is not None:
        query = query.where(ActivityEvent.occurred_at >= since)
    if after is not None:
        query = query.where(ActivityEvent.event_id > after)
    events = list(await session.scalars(query.order_by(ActivityEvent.event_id).limit(limit + 1)))
    page = events[:limit]
    cursor = page[-1].event_id if len(events) > limit else None
    return [statement(base_url, event) for event in page], cursor
