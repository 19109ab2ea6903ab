"""Anonymization of exports: keyed pseudonyms for learners, and k-anonymity for groups.

A pseudonym is an HMAC-SHA256 of the learner's id under a key only the server holds, salted
with the report's id: the same learner has the same pseudonym throughout one export, different
pseudonyms in different exports (exports cannot be joined), and nobody without the key can
tell who is behind one.
"""

import hashlib
import hmac
import uuid

from learnwise.config import Settings

SUPPRESSED = "suppressed"


def pseudonym_key(settings: Settings) -> bytes:
    configured = settings.reports.pseudonym_key.get_secret_value()
    if configured:
        return configured.encode()
    # Derived, so that it differs from every other use of the secret key.
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, b"learnwise report pseudonyms", hashlib.sha256).digest()


class Pseudonymizer:
    def __init__(self, key: bytes, report_id: uuid.UUID) -> None:
        self._key = key
        self._salt = report_id.bytes

    def __call__(self, user_id: uuid.UUID) -> str:
        digest = hmac.new(self._key, self._salt + user_id.bytes, hashlib.sha256).hexdigest()
        return f"L-{digest[:16]}"


def small(count: int, k: int) -> bool:
    """Whether a group of ``count`` people is too small to show (0 shows nobody)."""
    return 0 < count < k
