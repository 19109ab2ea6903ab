"""Realtime: who may listen to a channel, and publishing to one.

    await realtime_service.publish(runtime, user_channel(user_id), {"kind": "report.ready", ...})

Messages published this way are not stored in the database: a client that was away longer
than the replay window is told to resync and reloads what it shows. What must not be lost is
recorded as a domain event (``events.record``), which the relay publishes here.
"""

from typing import Any

from learnwise.auth.service import Principal
from learnwise.content import service as content_service
from learnwise.content.exceptions import CourseNotFound
from learnwise.platform.runtime import Runtime
from learnwise.realtime.channels import Channel, parse_channel
from learnwise.realtime.exceptions import ChannelForbidden, InvalidChannel


async def publish(runtime: Runtime, channel: str, message: dict[str, Any]) -> int:
    """Sends ``message`` (JSON-serialisable) to the channel's subscribers on every instance;
    returns its sequence number in the channel."""
    if parse_channel(channel) is None:
        raise InvalidChannel(f"{channel!r} is not a channel name.")
    return await runtime.hub.publish(channel, message)


async def authorize_subscription(*, runtime: Runtime, principal: Principal, name: str) -> Channel:
    """The channel if the principal may listen to it: their own ``user:`` channel, or the
    ``course:`` channel of a course they teach (own or co-teach)."""
    channel = parse_channel(name)
    if channel is None:
        raise InvalidChannel(
            "Channels are 'user:<id>' or 'course:<id>', with the id in lower-case UUID form."
        )
    if channel.kind == "user":
        if channel.id != principal.user_id:
            raise ChannelForbidden("Only your own user channel can be subscribed to.")
        return channel
    async with runtime.sessionmaker() as session:
        try:
            course = await content_service.get_course_for_read(
                session=session, principal=principal, course_id=channel.id
            )
        except CourseNotFound:
            course = None
        teaches = course is not None and await content_service.is_instructor(
            session=session, user_id=principal.user_id, course=course
        )
    if not teaches:
        raise ChannelForbidden("Only the course's instructors may follow its activity.")
    return channel
