"""Access tokens (short-lived JWTs) and refresh tokens (opaque, random, stored hashed).

Access tokens are signed with HS256 and the server's secret (at least 256 bits), or with EdDSA
when a private key is configured, in which case /api/v1/auth/jwks.json publishes the public key.
Decoding pins the algorithm, and requires and checks iss, aud, exp, iat, sub, jti and sid, and the
token type, so that no other kind of token is ever taken for an access token.
"""

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cachetools import LRUCache
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from learnwise.auth.exceptions import InvalidToken
from learnwise.config import Settings
from learnwise.db import utcnow

ACCESS_TOKEN_TYPE = "access"
REFRESH_TOKEN_BYTES = 32
# Seconds of clock skew allowed on exp, nbf and iat.
LEEWAY_SECONDS = 5


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    roles: tuple[str, ...]
    expires_at: datetime
    token_id: str


class TokenSigner:
    def __init__(self, settings: Settings) -> None:
        self._issuer = settings.auth.jwt_issuer
        self._audience = settings.auth.jwt_audience
        self._lifetime = timedelta(minutes=settings.auth.access_token_minutes)
        private_pem = settings.auth.jwt_private_key.get_secret_value()
        if private_pem:
            key = serialization.load_pem_private_key(private_pem.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError("LEARNWISE_AUTH__JWT_PRIVATE_KEY must be an Ed25519 key (PEM)")
            self.algorithm = "EdDSA"
            self._signing_key: Any = key
            self._verifying_key: Any = key.public_key()
            self.key_id = _key_id(key)
        else:
            self.algorithm = "HS256"
            self._signing_key = self._verifying_key = settings.secret_key.get_secret_value()
            self.key_id = None
        # Tokens verified lately, by their exact text, with the time their exp (plus leeway)
        # passes: a client sends the same token on every request for its whole lifetime, and
        # checking its signature and claims again would give the same answer until then.
        self._verified: LRUCache[str, tuple[AccessClaims, float]] = LRUCache(maxsize=20_000)

    @property
    def lifetime_seconds(self) -> int:
        return int(self._lifetime.total_seconds())

    def issue(self, *, user_id: uuid.UUID, session_id: uuid.UUID, roles: list[str]) -> str:
        now = utcnow()
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "sid": str(session_id),
            "roles": roles,
            "typ": ACCESS_TOKEN_TYPE,
            "iat": now,
            "nbf": now,
            "exp": now + self._lifetime,
            "jti": secrets.token_urlsafe(12),
        }
        headers = {"kid": self.key_id} if self.key_id else None
        return jwt.encode(claims, self._signing_key, algorithm=self.algorithm, headers=headers)

    def verify(self, token: str) -> AccessClaims:
        verified = self._verified.get(token)
        if verified is not None:
            claims, valid_until = verified
            if time.time() <= valid_until:
                return claims
            del self._verified[token]
        claims = self._decode(token)
        self._verified[token] = (claims, claims.expires_at.timestamp() + LEEWAY_SECONDS)
        return claims

    def _decode(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._verifying_key,
                algorithms=[self.algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "sid", "jti", "typ"]},
                leeway=LEEWAY_SECONDS,
            )
            if claims["typ"] != ACCESS_TOKEN_TYPE:
                raise InvalidToken("This is not an access token.")
            roles = claims.get("roles", [])
            if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
                raise InvalidToken("Malformed roles claim.")
            return AccessClaims(
                user_id=uuid.UUID(claims["sub"]),
                session_id=uuid.UUID(claims["sid"]),
                roles=tuple(roles),
                expires_at=datetime.fromtimestamp(claims["exp"], tz=utcnow().tzinfo),
                token_id=claims["jti"],
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("The access token has expired.") from exc
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise InvalidToken("The access token is invalid.") from exc

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public keys that verify access tokens; empty when tokens are HMAC-signed."""
        if self.algorithm != "EdDSA":
            return {"keys": []}
        raw = self._verifying_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": _b64url(raw),
                    "kid": self.key_id or "",
                    "alg": "EdDSA",
                    "use": "sig",
                }
            ]
        }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _key_id(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def new_refresh_token() -> str:
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def successor_refresh_token(parent: str, secret: str) -> str:
    """The one successor of a refresh token: unpredictable without the server key, and the same
    every time, so a parent replayed within the grace window yields the same child."""
    digest = hmac.new(secret.encode(), b"refresh-successor:" + parent.encode(), hashlib.sha256)
    return _b64url(digest.digest())


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
