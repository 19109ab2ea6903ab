"""The WebSocket protocol of /api/v1/ws: JSON text messages, each with a ``type``.

Client to server:

- ``{"type": "auth", "token": "<access token>"}``: the first message (unless the token came as
  the subprotocol ``bearer.<token>`` beside ``learnwise.v1``), and again with a fresh token
  before the current one expires.
- ``{"type": "subscribe", "channel": "user:<id>" | "course:<id>", "since": N}``: ``since``, the
  last sequence number the client saw on that channel, asks for what it missed.
- ``{"type": "unsubscribe", "channel": ...}``
- ``{"type": "pong"}`` (the answer to a ping) and ``{"type": "ping"}`` (answered by a pong).

Server to client:

- ``{"type": "authenticated", "user_id", "expires_at", "heartbeat_seconds"}``
- ``{"type": "subscribed", "channel", "seq"}``: ``seq`` is the channel's latest number; missed
  messages (if ``since`` was given) follow in order.
- ``{"type": "message", "channel", "seq", "data"}``: ``seq`` goes up by one per channel.
- ``{"type": "resync", "channel", "seq"}``: messages were missed and can no longer be replayed;
  reload the state and carry on from ``seq``.
- ``{"type": "unsubscribed", "channel"}``, ``{"type": "ping"}``, ``{"type": "pong"}``
- ``{"type": "error", "code", "detail", "channel"?}``: a refused message; nothing changed.

The server closes with 1008 (policy violation) when authentication fails, is missing, expires or
its session is revoked, or the client stops answering pings; with 1013 (try again later) and
the reason "slow consumer" when the client cannot keep up with its messages, or "unavailable, try
again" when the database or Redis could not check its token (reconnect after a short backoff).
A subscription that cannot be checked for the same reason gets the error ``unavailable``.
"""

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

CHANNEL_MAX_LENGTH = 64


class _ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuthMessage(_ClientMessage):
    type: Literal["auth"]
    token: str = Field(min_length=1, max_length=4096)


class SubscribeMessage(_ClientMessage):
    type: Literal["subscribe"]
    channel: str = Field(max_length=CHANNEL_MAX_LENGTH)
    since: int | None = Field(None, ge=0)


class UnsubscribeMessage(_ClientMessage):
    type: Literal["unsubscribe"]
    channel: str = Field(max_length=CHANNEL_MAX_LENGTH)


class PingMessage(_ClientMessage):
    type: Literal["ping"]


class PongMessage(_ClientMessage):
    type: Literal["pong"]


ClientMessage = Annotated[
    AuthMessage | SubscribeMessage | UnsubscribeMessage | PingMessage | PongMessage,
    Field(discriminator="type"),
]
client_message = TypeAdapter[ClientMessage](ClientMessage)


def frame(type: str, **fields: Any) -> str:
    return json.dumps({"type": type, **fields})


def authenticated(user_id: Any, expires_at: datetime, heartbeat_seconds: float) -> str:
    return frame(
        "authenticated",
        user_id=str(user_id),
        expires_at=expires_at.isoformat(),
        heartbeat_seconds=heartbeat_seconds,
    )


def error(code: str, detail: str, channel: str | None = None) -> str:
    fields: dict[str, Any] = {"code": code, "detail": detail}
    if channel is not None:
        fields["channel"] = channel
    return frame("error", **fields)
