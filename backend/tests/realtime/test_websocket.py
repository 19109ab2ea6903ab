"""The WebSocket endpoint against a real server: authentication, channels and their
authorization, replay after a reconnect, resync, heartbeats, slow consumers, and domain events
relayed to the channels they belong to."""

import asyncio
import os
import time

import pytest
from sqlalchemy.exc import OperationalError
from websockets.exceptions import InvalidStatus

from learnwise.auth import service as auth_service
from learnwise.db import commit
from learnwise.platform import events
from learnwise.platform.events import EventType
from learnwise.realtime import service as realtime_service
from learnwise.realtime.exceptions import InvalidChannel

from .conftest import (
    PROTOCOL,
    Server,
    connected,
    make_course,
    make_person,
    token_expiring_in,
)

POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013

# ---------------------------------------------------------------------------------------------
# Authentication


async def test_auth_by_first_message(server: Server) -> None:
    learner = await make_person(server.runtime)
    async with connected(server) as client:
        await client.send(type="auth", token=learner.token)
        welcome = await client.expect("authenticated")
        assert welcome["user_id"] == str(learner.user_id)
        assert welcome["heartbeat_seconds"] == server.runtime.settings.realtime.heartbeat_seconds
        assert (await client.subscribe(learner.channel))["type"] == "subscribed"


async def test_auth_by_subprotocol_never_echoes_the_token(server: Server) -> None:
    learner = await make_person(server.runtime)
    async with connected(server, subprotocols=[PROTOCOL, f"bearer.{learner.token}"]) as client:
        assert client.ws.subprotocol == PROTOCOL
        welcome = await client.expect("authenticated")
        assert welcome["user_id"] == str(learner.user_id)


async def test_a_subprotocol_list_without_ours_is_refused(server: Server) -> None:
    learner = await make_person(server.runtime)
    with pytest.raises(InvalidStatus):
        async with connected(server, subprotocols=[f"bearer.{learner.token}"]):
            pass


@pytest.mark.parametrize("parameter", ["token", "access_token", "Authorization"])
async def test_a_token_in_the_url_is_refused(server: Server, parameter: str) -> None:
    learner = await make_person(server.runtime)
    async with connected(server, url_suffix=f"?{parameter}={learner.token}") as client:
        # Even a valid one, before anything else happens.
        assert await client.closed() == (POLICY_VIOLATION, "tokens in the URL are refused")


async def test_no_authentication_within_the_deadline_closes(start_server) -> None:
    server = await start_server(auth_timeout_seconds=0.5)
    async with connected(server) as client:
        started = time.monotonic()
        assert await client.closed() == (POLICY_VIOLATION, "authentication timeout")
        assert time.monotonic() - started < 3


async def test_a_first_message_other_than_auth_closes(server: Server) -> None:
    learner = await make_person(server.runtime)
    async with connected(server) as client:
        await client.send(type="subscribe", channel=learner.channel)
        assert await client.closed() == (POLICY_VIOLATION, "authentication required")


async def test_expired_and_invalid_tokens_are_closed(server: Server) -> None:
    learner = await make_person(server.runtime)
    expired = token_expiring_in(server.runtime, learner, -60)
    async with connected(server) as client:
        await client.send(type="auth", token=expired)
        assert await client.closed() == (POLICY_VIOLATION, "The access token has expired.")
    async with connected(server, subprotocols=[PROTOCOL, f"bearer.{expired}"]) as client:
        assert await client.closed() == (POLICY_VIOLATION, "The access token has expired.")
    async with connected(server) as client:
        await client.send(type="auth", token=learner.token[:-4] + "AAAA")
        assert await client.closed() == (POLICY_VIOLATION, "The access token is invalid.")


async def test_the_connection_closes_when_its_token_expires(server: Server) -> None:
    learner = await make_person(server.runtime)
    short = token_expiring_in(server.runtime, learner, 1.5)
    async with connected(server) as client:
        await client.send(type="auth", token=short)
        await client.expect("authenticated")
        started = time.monotonic()
        assert await client.closed() == (POLICY_VIOLATION, "token expired")
        assert time.monotonic() - started < 3


async def test_a_fresh_token_before_expiry_keeps_the_connection(server: Server) -> None:
    learner = await make_person(server.runtime)
    async with connected(server) as client:
        await client.send(type="auth", token=token_expiring_in(server.runtime, learner, 1.0))
        await client.expect("authenticated")
        await client.send(type="auth", token=token_expiring_in(server.runtime, learner, 600))
        renewed = await client.expect("authenticated")
        assert renewed["user_id"] == str(learner.user_id)
        await asyncio.sleep(1.5)
        await client.send(type="ping")
        assert (await client.expect("pong"))["type"] == "pong"


async def test_a_token_of_another_user_closes(server: Server) -> None:
    learner, other = await make_person(server.runtime), await make_person(server.runtime)
    async with connected(server, learner) as client:
        await client.send(type="auth", token=other.token)
        assert await client.closed() == (POLICY_VIOLATION, "a connection cannot change user")


async def test_a_revoked_session_is_closed_within_the_check_interval(server: Server) -> None:
    runtime = server.runtime
    learner = await make_person(runtime)
    async with connected(server, learner) as client:
        await client.subscribe(learner.channel)
        async with runtime.sessionmaker() as session:
            auth_session = await auth_service.get_own_session(
                session=session, user_id=learner.user_id, session_id=learner.session_id
            )
            await auth_service.revoke_session(
                session=session, runtime=runtime, auth_session=auth_session, reason="test"
            )
            await commit(session)
        started = time.monotonic()
        assert await client.closed() == (POLICY_VIOLATION, "session revoked")
        check = runtime.settings.realtime.session_check_seconds
        assert time.monotonic() - started < check + 1.5


# ---------------------------------------------------------------------------------------------
# Channels


async def test_only_ones_own_user_channel(server: Server) -> None:
    learner, other = await make_person(server.runtime), await make_person(server.runtime)
    async with connected(server, learner) as client:
        refused = await client.subscribe(other.channel)
        assert refused["type"] == "error"
        assert refused["code"] == "channel-forbidden"
        assert refused["channel"] == other.channel
        # Nothing was subscribed: the other user's messages never arrive.
        await realtime_service.publish(server.runtime, other.channel, {"secret": True})
        await client.nothing_within(0.5)


@pytest.mark.parametrize(
    "name", ["user:", "user:not-a-uuid", "team:00000000-0000-0000-0000-000000000000", "x" * 65]
)
async def test_malformed_channels_are_refused(server: Server, name: str) -> None:
    learner = await make_person(server.runtime)
    async with connected(server, learner) as client:
        refused = await client.subscribe(name)
        assert refused["type"] == "error"
        assert refused["code"] in ("invalid-channel", "invalid-message")


async def test_uppercase_ids_are_not_another_name_for_ones_channel(server: Server) -> None:
    learner = await make_person(server.runtime)
    async with connected(server, learner) as client:
        refused = await client.subscribe(f"user:{str(learner.user_id).upper()}")
        assert refused["code"] == "invalid-channel"


async def test_course_channels_are_for_the_courses_instructors(server: Server) -> None:
    runtime = server.runtime
    owner = await make_person(runtime, "instructor")
    co_instructor = await make_person(runtime, "instructor")
    other_instructor = await make_person(runtime, "instructor")
    learner = await make_person(runtime)
    admin = await make_person(runtime, "admin")
    course_id = await make_course(runtime, owner, co_instructor)
    channel = f"course:{course_id}"

    for teacher in (owner, co_instructor):
        async with connected(server, teacher) as client:
            assert (await client.subscribe(channel))["type"] == "subscribed"
    for outsider in (other_instructor, learner, admin):
        async with connected(server, outsider) as client:
            refused = await client.subscribe(channel)
            assert (refused["type"], refused["code"]) == ("error", "channel-forbidden")
    async with connected(server, owner) as client:
        missing = await client.subscribe("course:00000000-0000-4000-8000-000000000000")
        assert missing["code"] == "channel-forbidden"


async def test_unsubscribe_stops_the_messages(server: Server) -> None:
    learner = await make_person(server.runtime)
    async with connected(server, learner) as client:
        await client.subscribe(learner.channel)
        await client.send(type="unsubscribe", channel=learner.channel)
        assert (await client.expect("unsubscribed"))["channel"] == learner.channel
        await realtime_service.publish(server.runtime, learner.channel, {"n": 1})
        await client.nothing_within(0.5)


async def test_bad_messages_get_an_error_and_change_nothing(server: Server) -> None:
    learner = await make_person(server.runtime)
    async with connected(server, learner) as client:
        for bad in ("not json", "[]", '{"type":"dance"}', '{"type":"subscribe"}'):
            await client.ws.send(bad)
            assert (await client.expect("error"))["code"] == "invalid-message"
        await client.send(type="subscribe", channel=learner.channel, since=-1)
        assert (await client.expect("error"))["code"] == "invalid-message"
        await client.ws.send(b"\x00binary")
        assert (await client.expect("error"))["code"] == "invalid-message"
        assert (await client.subscribe(learner.channel))["type"] == "subscribed"


async def test_publish_refuses_names_that_are_not_channels(server: Server) -> None:
    with pytest.raises(InvalidChannel):
        await realtime_service.publish(server.runtime, "everyone", {"n": 1})


# ---------------------------------------------------------------------------------------------
# Sequence numbers, replay and resync


async def test_a_reconnect_replays_what_was_missed_without_a_gap(server: Server) -> None:
    runtime = server.runtime
    learner = await make_person(runtime)
    async with connected(server, learner) as client:
        assert (await client.subscribe(learner.channel))["seq"] == 0
        for n in range(3):
            await realtime_service.publish(runtime, learner.channel, {"n": n})
        seen = [await client.expect("message") for _ in range(3)]
        assert [m["seq"] for m in seen] == [1, 2, 3]
        assert [m["data"] for m in seen] == [{"n": 0}, {"n": 1}, {"n": 2}]
        assert all(m["channel"] == learner.channel for m in seen)

    for n in range(3, 6):  # while away
        await realtime_service.publish(runtime, learner.channel, {"n": n})

    async with connected(server, learner) as client:
        subscribed = await client.subscribe(learner.channel, since=3)
        assert subscribed == {"type": "subscribed", "channel": learner.channel, "seq": 6}
        replayed = [await client.expect("message") for _ in range(3)]
        await realtime_service.publish(runtime, learner.channel, {"n": 6})
        live = await client.expect("message")
        assert [m["seq"] for m in [*replayed, live]] == [4, 5, 6, 7]
        assert [m["data"]["n"] for m in [*replayed, live]] == [3, 4, 5, 6]


async def test_messages_published_during_the_replay_are_neither_lost_nor_doubled(
    server: Server,
) -> None:
    runtime = server.runtime
    learner = await make_person(runtime)
    for n in range(20):
        await realtime_service.publish(runtime, learner.channel, {"n": n})
    async with connected(server, learner) as client:

        async def publish_more() -> None:
            for n in range(20, 60):
                await realtime_service.publish(runtime, learner.channel, {"n": n})

        publishing = asyncio.create_task(publish_more())
        await client.send(type="subscribe", channel=learner.channel, since=5)
        await client.expect("subscribed")
        await publishing
        received = [await client.expect("message") for _ in range(60 - 5)]
        assert [m["seq"] for m in received] == list(range(6, 61))
        await client.nothing_within(0.3)


async def test_after_the_window_a_reconnect_is_told_to_resync(start_server) -> None:
    server = await start_server(replay_window_seconds=0.5)
    runtime = server.runtime
    learner = await make_person(runtime)
    async with connected(server, learner) as client:
        await client.subscribe(learner.channel)
        await realtime_service.publish(runtime, learner.channel, {"n": 1})
        assert (await client.expect("message"))["seq"] == 1
    await realtime_service.publish(runtime, learner.channel, {"n": 2})
    await asyncio.sleep(0.8)

    async with connected(server, learner) as client:
        assert (await client.subscribe(learner.channel, since=1))["seq"] == 2
        assert await client.expect("resync") == {
            "type": "resync",
            "channel": learner.channel,
            "seq": 2,
        }
        await realtime_service.publish(runtime, learner.channel, {"n": 3})
        assert (await client.expect("message"))["seq"] == 3


async def test_a_number_from_the_future_is_told_to_resync(server: Server) -> None:
    learner = await make_person(server.runtime)
    async with connected(server, learner) as client:
        await client.subscribe(learner.channel, since=41)
        assert (await client.expect("resync"))["seq"] == 0


async def test_nothing_missed_needs_no_resync(start_server) -> None:
    server = await start_server(replay_window_seconds=0.3)
    learner = await make_person(server.runtime)
    await realtime_service.publish(server.runtime, learner.channel, {"n": 1})
    await asyncio.sleep(0.5)
    async with connected(server, learner) as client:
        assert (await client.subscribe(learner.channel, since=1))["seq"] == 1
        await client.nothing_within(0.3)


# ---------------------------------------------------------------------------------------------
# Heartbeats and slow consumers


async def test_heartbeat_pings_and_a_silent_client_is_closed(start_server) -> None:
    server = await start_server(heartbeat_seconds=0.2, idle_timeout_seconds=0.8)
    learner = await make_person(server.runtime)
    async with connected(server, learner) as client:
        # A client that answers stays.
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            assert (await client.receive(2, pings=True))["type"] == "ping"
            await client.send(type="pong")
        # One that stops answering is closed.
        started = time.monotonic()
        assert await client.closed() == (POLICY_VIOLATION, "heartbeat timeout")
        assert time.monotonic() - started < 1.5


async def test_a_slow_consumer_is_disconnected(start_server) -> None:
    server = await start_server(client_queue_size=8)
    runtime = server.runtime
    learner = await make_person(runtime)
    # No compression, a one-message client buffer: the socket's buffers fill up for real.
    async with connected(server, learner, compression=None, max_queue=1, max_size=None) as client:
        await client.subscribe(learner.channel)
        blob = os.urandom(32 * 1024).hex()
        for n in range(600):
            await realtime_service.publish(runtime, learner.channel, {"n": n, "blob": blob})
            if n % 50 == 0:
                await asyncio.sleep(0)  # let the server's writer run
        assert await client.closed(wait=30) == (TRY_AGAIN_LATER, "slow consumer")


# ---------------------------------------------------------------------------------------------
# Domain events, relayed


async def test_a_committed_event_reaches_the_users_channel_at_once(server: Server) -> None:
    runtime = server.runtime
    learner = await make_person(runtime)
    async with connected(server, learner) as client:
        await client.subscribe(learner.channel)
        async with runtime.sessionmaker() as session:
            event = await events.record(
                session=session,
                type=EventType.ACHIEVEMENT_AWARDED,
                user_id=learner.user_id,
                payload={"key": "first-steps"},
            )
            await commit(session)
        # The relay polls every 30 s in these tests: the commit woke it.
        message = await client.expect("message", wait=3)
        assert message["seq"] == 1
        assert message["data"]["event_id"] == str(event.event_id)
        assert message["data"]["type"] == "achievement.awarded"
        assert message["data"]["payload"] == {"key": "first-steps"}


async def test_learner_progress_reaches_the_course_channel_of_its_instructors(
    server: Server,
) -> None:
    runtime = server.runtime
    owner = await make_person(runtime, "instructor")
    learner = await make_person(runtime)
    course_id = await make_course(runtime, owner)
    async with connected(server, owner) as instructor, connected(server, learner) as student:
        await instructor.subscribe(f"course:{course_id}")
        await student.subscribe(learner.channel)
        async with runtime.sessionmaker() as session:
            for type in (EventType.ITEM_COMPLETED, EventType.COURSE_COMPLETED):
                await events.record(
                    session=session,
                    type=type,
                    user_id=learner.user_id,
                    course_id=course_id,
                    payload={},
                )
            await commit(session)
        activity = [await instructor.expect("message", wait=3) for _ in range(2)]
        assert [m["data"]["type"] for m in activity] == ["item.completed", "course.completed"]
        assert [m["seq"] for m in activity] == [1, 2]
        assert all(m["data"]["user_id"] == str(learner.user_id) for m in activity)
        # The learner hears of the completed course (and what it earned them), not of items.
        note = await student.expect("message", wait=3)
        assert note["data"]["type"] == "course.completed"
        later = await student.all_within(0.5)
        assert all(m["data"]["type"] == "achievement.awarded" for m in later)


# ---------------------------------------------------------------------------------------------
# The database or Redis unavailable


async def test_authentication_without_the_database_closes_with_try_again_later(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner = await make_person(server.runtime)

    async def out_of_connections(**_: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("sorry, too many clients already"))

    monkeypatch.setattr(auth_service, "load_principal", out_of_connections)
    async with connected(server) as client:
        await client.send(type="auth", token=learner.token)
        assert await client.closed() == (TRY_AGAIN_LATER, "unavailable, try again")


async def test_a_subscription_without_the_database_is_answered_unavailable(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = server.runtime
    owner = await make_person(runtime, "instructor")
    course_id = await make_course(runtime, owner)
    async with connected(server, owner) as client:

        async def out_of_connections(**_: object) -> None:
            raise OperationalError("SELECT 1", {}, Exception("sorry, too many clients already"))

        monkeypatch.setattr(realtime_service, "authorize_subscription", out_of_connections)
        refused = await client.subscribe(f"course:{course_id}")
        assert (refused["type"], refused["code"]) == ("error", "unavailable")
        monkeypatch.undo()
        # The connection stays open: the client tries again and gets through.
        assert (await client.subscribe(f"course:{course_id}"))["type"] == "subscribed"
