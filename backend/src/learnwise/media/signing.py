"""Signed, expiring media URLs: ``?expires=<unix time>&signature=<HMAC>``.

Anyone holding such a URL may fetch the file (and its thumbnail) until it expires, with no
sign-in, so a CDN can cache and serve it. The HMAC-SHA256 key is derived from the application
secret for this one purpose, so a media signature is never valid as anything else.
"""

import base64
import hashlib
import hmac
import time
import uuid

from learnwise.media.exceptions import InvalidSignature, SignatureExpired

_PURPOSE = b"learnwise/media-url/v1"


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()


def sign(secret: str, media_id: uuid.UUID, expires: int) -> str:
    message = f"{media_id}:{expires}".encode()
    digest = hmac.new(_key(secret), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify(
    secret: str, media_id: uuid.UUID, expires: int, signature: str, now: float | None = None
) -> int:
    """Checks the signature, then the expiry; returns the seconds left."""
    expected = sign(secret, media_id, expires).encode()
    if not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        raise InvalidSignature("The media URL's signature does not match.")
    remaining = expires - int(now if now is not None else time.time())
    if remaining <= 0:
        raise SignatureExpired("The media URL has expired; ask for a new one.")
    return remaining
