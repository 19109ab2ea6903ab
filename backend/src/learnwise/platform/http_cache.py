"""HTTP caching of JSON responses: ETags, If-None-Match answered with 304 Not Modified, and
Cache-Control (RFC 9110 §8.8.3 and §13.1.2, RFC 9111 §5.2).

A 304 carries the ETag, Cache-Control and Vary it stands for and no body; the caller decides
whether it may answer one before building the body (``body`` may be a function).
"""

import hashlib
import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Header, Response

# Personal responses: any cache may keep them only for this user, and must ask before reuse
# (a cheap 304 when nothing changed).
PRIVATE_REVALIDATE = "private, no-cache"
# Responses that are the same for everyone and must be revalidated before reuse.
PUBLIC_REVALIDATE = "public, no-cache"

_ENTITY_TAG = re.compile(r'(?:W/)?"[^"]*"')

IfNoneMatch = Annotated[
    str | None,
    Header(
        max_length=4000,
        description="ETags you hold: when the current one is among them, the answer is a 304 "
        "without a body.",
    ),
]


def public(max_age_seconds: int) -> str:
    """Cache-Control of a response anyone (a CDN too) may reuse for ``max_age_seconds``."""
    if max_age_seconds <= 0:
        return PUBLIC_REVALIDATE
    return f"public, max-age={max_age_seconds}"


def digest(text: str, length: int = 20) -> str:
    """A short hex digest of ``text``, to name it in an ETag."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def etag_of(body: str) -> str:
    """A weak ETag naming this exact body."""
    return f'W/"{digest(body)}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison: whether ``etag`` is among the ETags sent (or ``*``)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == opaque for tag in _ENTITY_TAG.findall(if_none_match))


def json_response(
    *,
    body: str | Callable[[], str],
    etag: str,
    cache_control: str,
    if_none_match: str | None,
    status_code: int = 200,
    vary: str = "Authorization",
) -> Response:
    """The JSON ``body`` with its validators, or a 304 when the client holds ``etag`` already
    (``body`` is then never called)."""
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": vary}
    if matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    content = body() if callable(body) else body
    return Response(
        content=content, status_code=status_code, media_type="application/json", headers=headers
    )
