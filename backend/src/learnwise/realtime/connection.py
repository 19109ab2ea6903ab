"""One WebSocket client of /api/v1/ws (the protocol is described in ``schemas``).

A connection runs four tasks: the reader (the client's messages), the writer (drains a bounded
queue onto the socket), the heartbeat (pings; closes a silent client) and the guard (closes the
connection when its token expires or its session is revoked). The hub hands messages to
``deliver`` without waiting: a client whose queue is full is disconnected, never waited for.

Authentication is by access token, sent as the first message or as the subprotocol
``bearer.<token>`` beside ``learnwise.v1``, never in the URL: URLs end up in logs. Cookies are
not used, so another site's page cannot open a connection in a user's name.
"""

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field

import structlog
from fastapi import WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from learnwise.auth import service as auth_service
from learnwise.auth.exceptions import InvalidToken, SessionRevoked
from learnwise.auth.service import Principal
from learnwise.auth.tokens import AccessClaims
from learnwise.db import utcnow
from learnwise.errors import AppError
from learnwise.platform.runtime import Runtime
from learnwise.realtime import schemas
from learnwise.realtime import service as realtime_service
from learnwise.realtime.exceptions import TooManySubscriptions
from learnwise.realtime.schemas import (
    AuthMessage,
    PingMessage,
    SubscribeMessage,
    UnsubscribeMessage,
)

log = structlog.get_logger(__name__)

PROTOCOL = "learnwise.v1"
BEARER_PREFIX = "bearer."
URL_TOKEN_PARAMETERS = frozenset({"token", "access_token", "jwt", "bearer", "authorization"})
MAX_TOKEN_LENGTH = 4096

POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009
INTERNAL_ERROR = 1011
TRY_AGAIN_LATER = 1013

# The database or Redis failing or out of connections: the client should try again shortly.
UNAVAILABLE = (SQLAlchemyError, RedisError, OSError, TimeoutError)
_TRY_AGAIN = "Try subscribing again shortly."


class Close(Exception):
    """Ends the connection with this close code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(slots=True)
class _Subscription:
    # The last sequence number sent to the client; None when it is unknown (after a resync
    # for messages the hub lost), in which case the next message is taken as it comes.
    last: int | None = None
    # Live messages that arrive while the replay is read, sent after it (None once live).
    pending: list[tuple[int, str]] | None = field(default_factory=list)


class Connection:
    def __init__(self, websocket: WebSocket, runtime: Runtime) -> None:
        self._ws = websocket
        self._runtime = runtime
        self._settings = runtime.settings.realtime
        self._queue: asyncio.Queue[str] = asyncio.Queue(self._settings.client_queue_size)
        self._closing: asyncio.Future[Close | None] = asyncio.get_running_loop().create_future()
        self._claims: AccessClaims | None = None
        self._principal: Principal | None = None
        self._reauthenticated = asyncio.Event()
        self._subscriptions: dict[str, _Subscription] = {}
        self._heard_at = time.monotonic()

    async def serve(self) -> None:
        offered = list(self._ws.scope.get("subprotocols") or [])
        if offered and PROTOCOL not in offered:
            # Refuses the handshake: a browser fails a connection whose protocol it did not ask.
            await self._ws.close(code=POLICY_VIOLATION)
            return
        await self._ws.accept(subprotocol=PROTOCOL if offered else None)
        outcome: Close | None
        try:
            if URL_TOKEN_PARAMETERS & {key.lower() for key in self._ws.query_params}:
                raise Close(POLICY_VIOLATION, "tokens in the URL are refused")
            token = _bearer_token(offered) or await self._first_auth_message()
            await self._authenticate(token)
            outcome = await self._run()
        except Close as close:
            outcome = close
        except WebSocketDisconnect:
            outcome = None
        finally:
            for channel in list(self._subscriptions):
                self._drop(channel)
        if outcome is not None:
            log.info(
                "realtime_connection_closed",
                code=outcome.code,
                reason=outcome.reason,
                user_id=str(self._claims.user_id) if self._claims else None,
            )
            with contextlib.suppress(Exception):
                await self._ws.close(code=outcome.code, reason=outcome.reason)

    # -----------------------------------------------------------------------------------------
    # Authentication

    async def _first_auth_message(self) -> str:
        try:
            async with asyncio.timeout(self._settings.auth_timeout_seconds):
                text = await self._receive_text()
        except TimeoutError as exc:
            raise Close(POLICY_VIOLATION, "authentication timeout") from exc
        try:
            message = schemas.client_message.validate_json(text)
        except ValidationError as exc:
            raise Close(POLICY_VIOLATION, "authentication required") from exc
        if not isinstance(message, AuthMessage):
            raise Close(POLICY_VIOLATION, "authentication required")
        return message.token

    async def _authenticate(self, token: str) -> None:
        if len(token) > MAX_TOKEN_LENGTH:
            raise Close(POLICY_VIOLATION, "invalid token")
        try:
            claims = self._runtime.signer.verify(token)
        except InvalidToken as exc:
            raise Close(POLICY_VIOLATION, exc.detail) from exc
        if self._claims is not None and claims.user_id != self._claims.user_id:
            raise Close(POLICY_VIOLATION, "a connection cannot change user")
        try:
            principal = await self._load_principal(claims)
        except UNAVAILABLE as exc:
            log.warning(
                "realtime_authentication_unavailable", user_id=str(claims.user_id), exc_info=True
            )
            raise Close(TRY_AGAIN_LATER, "unavailable, try again") from exc
        renewed = self._claims is not None
        self._claims, self._principal = claims, principal
        self._reauthenticated.set()
        self._send(
            schemas.authenticated(
                claims.user_id, claims.expires_at, self._settings.heartbeat_seconds
            )
        )
        if renewed:
            await self._recheck_subscriptions()

    async def _load_principal(self, claims: AccessClaims) -> Principal:
        try:
            return await auth_service.load_principal(
                runtime=self._runtime, user_id=claims.user_id, session_id=claims.session_id
            )
        except SessionRevoked as exc:
            raise Close(POLICY_VIOLATION, "session revoked") from exc

    async def _recheck_subscriptions(self) -> None:
        """With a new token, what the user may follow may have changed (a co-instructor
        removed from a course): drop what they no longer may."""
        assert self._principal is not None
        for channel in list(self._subscriptions):
            try:
                await realtime_service.authorize_subscription(
                    runtime=self._runtime, principal=self._principal, name=channel
                )
            except AppError as exc:
                self._drop(channel)
                self._send(schemas.error(exc.code, exc.detail, channel))
            except UNAVAILABLE:
                # Kept until the next token checks it again: refusing on an outage would drop
                # channels the user may still follow.
                log.warning("realtime_recheck_unavailable", channel=channel, exc_info=True)

    async def _guard(self) -> None:
        """Closes the connection when its token expires (unless a fresh one came) or its
        session is revoked, checked every ``session_check_seconds``."""
        while True:
            assert self._claims is not None
            remaining = (self._claims.expires_at - utcnow()).total_seconds()
            if remaining <= 0:
                raise Close(POLICY_VIOLATION, "token expired")
            self._reauthenticated.clear()
            # Spread over the second half of the interval: connections opened together (an
            # instance restarted, its clients reconnecting at once) must not all check at once.
            spread = random.uniform(0.5, 1.0)  # noqa: S311 (timing, not security)
            wait = min(remaining, self._settings.session_check_seconds * spread)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reauthenticated.wait(), wait)
                continue
            if self._claims.expires_at <= utcnow():
                continue
            try:
                self._principal = await self._load_principal(self._claims)
            except Close:
                raise
            except Exception:
                # The cache or database is away: the next check decides.
                log.warning("realtime_session_check_failed", exc_info=True)

    # -----------------------------------------------------------------------------------------
    # Running

    async def _run(self) -> Close | None:
        tasks = [
            asyncio.create_task(self._until_closed(work()))
            for work in (self._read, self._write, self._heartbeat, self._guard)
        ]
        try:
            return await self._closing
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _until_closed(self, work: object) -> None:
        try:
            await work  # type: ignore[misc]
        except Close as close:
            self._close_soon(close)
        except WebSocketDisconnect:
            self._close_soon(None)
        except Exception:
            log.exception("realtime_connection_failed")
            self._close_soon(Close(INTERNAL_ERROR, "internal error"))

    def _close_soon(self, close: Close | None) -> None:
        if not self._closing.done():
            self._closing.set_result(close)

    async def _receive_text(self) -> str:
        while True:
            message = await self._ws.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            text = message.get("text")
            if text is None:
                self._send(schemas.error("invalid-message", "Send JSON text messages."))
                continue
            if len(text) > self._settings.max_client_message_bytes:
                raise Close(MESSAGE_TOO_BIG, "message too big")
            return text

    async def _read(self) -> None:
        while True:
            text = await self._receive_text()
            self._heard_at = time.monotonic()
            try:
                message = schemas.client_message.validate_json(text)
            except ValidationError as exc:
                detail = "; ".join(
                    f"{'.'.join(map(str, e['loc'])) or 'message'}: {e['msg']}"
                    for e in exc.errors()[:3]
                )
                self._send(schemas.error("invalid-message", detail))
                continue
            if isinstance(message, AuthMessage):
                await self._authenticate(message.token)
            elif isinstance(message, SubscribeMessage):
                await self._subscribe(message.channel, message.since)
            elif isinstance(message, UnsubscribeMessage):
                self._drop(message.channel)
                self._send(schemas.frame("unsubscribed", channel=message.channel))
            elif isinstance(message, PingMessage):
                self._send(schemas.frame("pong"))

    async def _write(self) -> None:
        while True:
            await self._ws.send_text(await self._queue.get())

    async def _heartbeat(self) -> None:
        interval = self._settings.heartbeat_seconds
        idle_timeout = self._settings.idle_timeout_seconds
        next_ping = time.monotonic() + interval
        while True:
            now = time.monotonic()
            silent_until = self._heard_at + idle_timeout
            if now >= silent_until:
                raise Close(POLICY_VIOLATION, "heartbeat timeout")
            if now >= next_ping:
                self._send(schemas.frame("ping"))
                next_ping = now + interval
            await asyncio.sleep(max(0.0, min(next_ping, silent_until) - time.monotonic()))

    def _send(self, frame: str) -> None:
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            self._close_soon(Close(TRY_AGAIN_LATER, "slow consumer"))

    # -----------------------------------------------------------------------------------------
    # Subscriptions

    async def _subscribe(self, channel: str, since: int | None) -> None:
        assert self._principal is not None
        if channel not in self._subscriptions and (
            len(self._subscriptions) >= self._settings.max_subscriptions
        ):
            error = TooManySubscriptions(
                f"At most {self._settings.max_subscriptions} channels per connection."
            )
            self._send(schemas.error(error.code, error.detail, channel))
            return
        try:
            await realtime_service.authorize_subscription(
                runtime=self._runtime, principal=self._principal, name=channel
            )
        except AppError as exc:
            self._send(schemas.error(exc.code, exc.detail, channel))
            return
        except UNAVAILABLE:
            log.warning("realtime_subscribe_unavailable", channel=channel, exc_info=True)
            self._send(schemas.error("unavailable", _TRY_AGAIN, channel))
            return
        # Subscribing again starts over from ``since``.
        self._drop(channel)
        subscription = _Subscription()
        self._subscriptions[channel] = subscription
        hub = self._runtime.hub
        # Attached before the replay is read, so that nothing falls between the two.
        hub.attach(channel, self)
        try:
            replay = await hub.replay(channel, since)
        except Exception:
            log.exception("realtime_replay_failed", channel=channel)
            self._drop(channel)
            self._send(schemas.error("unavailable", _TRY_AGAIN, channel))
            return
        self._send(schemas.frame("subscribed", channel=channel, seq=replay.head))
        if since is None:
            subscription.last = replay.head
        elif replay.frames is None:
            self._send(schemas.frame("resync", channel=channel, seq=replay.head))
            subscription.last = replay.head
        else:
            subscription.last = since
            for seq, frame in replay.frames:
                self._send(frame)
                subscription.last = seq
        pending, subscription.pending = subscription.pending or [], None
        for seq, frame in pending:
            self._forward(channel, subscription, seq, frame)

    def _drop(self, channel: str) -> None:
        if self._subscriptions.pop(channel, None) is not None:
            self._runtime.hub.detach(channel, self)

    def deliver(self, channel: str, seq: int, frame: str) -> None:
        subscription = self._subscriptions.get(channel)
        if subscription is None:
            return
        if subscription.pending is not None:
            subscription.pending.append((seq, frame))
        else:
            self._forward(channel, subscription, seq, frame)

    def interrupted(self, channel: str) -> None:
        subscription = self._subscriptions.get(channel)
        if subscription is not None and subscription.pending is None:
            self._send(schemas.frame("resync", channel=channel, seq=subscription.last))
            subscription.last = None

    def _forward(self, channel: str, subscription: _Subscription, seq: int, frame: str) -> None:
        last = subscription.last
        if last is not None and seq <= last:
            return  # already sent, by the replay
        if last is not None and seq != last + 1:
            self._send(schemas.frame("resync", channel=channel, seq=seq - 1))
        self._send(frame)
        subscription.last = seq


def _bearer_token(subprotocols: list[str]) -> str | None:
    for protocol in subprotocols:
        if protocol.startswith(BEARER_PREFIX):
            return protocol.removeprefix(BEARER_PREFIX)
    return None
