"""Realtime errors: sent to the client as ``{"type": "error", "code": ...}`` messages."""

from learnwise.errors import Forbidden, InvalidInput


class InvalidChannel(InvalidInput):
    code, title = "invalid-channel", "No such channel"


class ChannelForbidden(Forbidden):
    code, title = "channel-forbidden", "You may not subscribe to this channel"


class TooManySubscriptions(InvalidInput):
    code, title = "too-many-subscriptions", "Too many subscriptions on one connection"
