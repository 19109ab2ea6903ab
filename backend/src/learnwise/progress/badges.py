"""Achievements exported as Open Badges 3.0: an OpenBadgeCredential (a W3C Verifiable
Credential), signed as a VC-JWT (Open Badges 3.0, section 8.2).

The JWT's payload is the credential itself, with the registered claims that mirror it: ``iss``
(the issuer's id), ``jti`` (the credential's id) and ``nbf`` (``validFrom``). The recipient is
identified by a salted SHA-256 hash of their email address, as Open Badges recommends. The key is
an Ed25519 key derived from the platform's secret key (HKDF, a purpose of its own), so every
instance signs alike; its public key travels in the JOSE header (``jwk``) and is published at
``/api/v1/achievements/badges/jwks.json``.
"""

import base64
import hashlib
import hmac
import uuid
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service as auth_service
from learnwise.config import Settings
from learnwise.progress import achievement_service
from learnwise.progress.achievement_rules import RULES_BY_TYPE

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME = "Learnwise"
_KEY_PURPOSE = b"learnwise open badges 3.0 signing key"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@lru_cache(maxsize=4)
def _signing_key(secret: str) -> Ed25519PrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_PURPOSE).derive(
        secret.encode()
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_jwk(settings: Settings) -> dict[str, str]:
    raw = (
        _signing_key(settings.secret_key.get_secret_value())
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    # RFC 7638 thumbprint: the members in lexicographic order, no whitespace.
    thumbprint = hashlib.sha256(
        f'{{"crv":"Ed25519","kty":"OKP","x":"{jwk["x"]}"}}'.encode()
    ).digest()
    return {**jwk, "kid": _b64url(thumbprint), "alg": "EdDSA", "use": "sig"}


def _salt(settings: Settings, achievement_id: uuid.UUID) -> str:
    """A salt of the recipient's hash, the same for every export of one achievement."""
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, b"badge salt " + achievement_id.bytes, hashlib.sha256).hexdigest()[:16]


def _api(settings: Settings) -> str:
    return f"{settings.public_url.rstrip('/')}/api/v1"


def credential(
    *,
    settings: Settings,
    achievement_id: uuid.UUID,
    achievement_type: str,
    awarded_at: str,
    recipient_email: str,
    salt: str,
) -> dict[str, Any]:
    rule = RULES_BY_TYPE.get(achievement_type)
    name = rule.title if rule else achievement_type
    description = rule.description if rule else achievement_type
    identity = hashlib.sha256((recipient_email.lower() + salt).encode()).hexdigest()
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{achievement_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": settings.public_url.rstrip("/"),
            "type": ["Profile"],
            "name": ISSUER_NAME,
            "url": settings.public_url.rstrip("/"),
        },
        "validFrom": awarded_at,
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": f"sha256${identity}",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": {
                "id": f"{_api(settings)}/achievements/rules#{achievement_type}",
                "type": ["Achievement"],
                "name": name,
                "description": description,
                "criteria": {"narrative": description},
            },
        },
    }


def sign(settings: Settings, document: dict[str, Any], *, not_before: int) -> str:
    key = _signing_key(settings.secret_key.get_secret_value())
    jwk = public_jwk(settings)
    claims = {
        **document,
        "iss": document["issuer"]["id"],
        "jti": document["id"],
        "nbf": not_before,
    }
    headers = {
        "typ": "JWT",
        "kid": jwk["kid"],
        "jwk": {name: jwk[name] for name in ("kty", "crv", "x")},
    }
    return jwt.encode(claims, key, algorithm="EdDSA", headers=headers)


async def badge(
    *, session: AsyncSession, settings: Settings, user_id: uuid.UUID, achievement_id: uuid.UUID
) -> tuple[dict[str, Any], str]:
    """The caller's achievement as an OpenBadgeCredential and as its signed VC-JWT."""
    achievement = await achievement_service.get_own_achievement(
        session=session, user_id=user_id, achievement_id=achievement_id
    )
    user = await auth_service.get_user(session=session, user_id=user_id)
    awarded_at = achievement.awarded_at.replace(microsecond=0)
    document = credential(
        settings=settings,
        achievement_id=achievement.achievement_id,
        achievement_type=achievement.type,
        awarded_at=awarded_at.isoformat().replace("+00:00", "Z"),
        recipient_email=user.email,
        salt=_salt(settings, achievement.achievement_id),
    )
    return document, sign(settings, document, not_before=int(awarded_at.timestamp()))
