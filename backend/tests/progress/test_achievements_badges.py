"""Achievements exported as signed Open Badges 3.0 credentials (VC-JWT, EdDSA)."""

import hashlib
import uuid

import httpx
import jwt
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import passwords
from learnwise.platform.events import EventType
from learnwise.platform.runtime import Runtime
from learnwise.progress import achievement_service

from .rewards import happened

API = "/api/v1/achievements"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        passwords,
        "password_hash",
        PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),)),
    )


async def earn_perfect_quiz(session: AsyncSession, user_id: uuid.UUID) -> uuid.UUID:
    event = await happened(
        session, EventType.QUIZ_SUBMITTED, user_id, {"score": 1.0, "passed": True}
    )
    made = await achievement_service.evaluate(session=session, event=event)
    await session.commit()
    return next(a.achievement_id for a in made if a.type == "perfect_quiz")


async def test_an_achievement_as_a_signed_open_badge(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account, runtime: Runtime
) -> None:
    learner = await make_account("learner")
    achievement_id = await earn_perfect_quiz(db_session, learner.user_id)

    response = await client.get(f"{API}/{achievement_id}/badge", headers=learner.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    credential = body["credential"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/")
    assert credential["id"] == f"urn:uuid:{achievement_id}"
    assert credential["issuer"]["id"] == runtime.settings.public_url
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "Perfect score"
    assert achievement["type"] == ["Achievement"]
    assert achievement["criteria"]["narrative"]
    [identity] = credential["credentialSubject"]["identifier"]
    expected = hashlib.sha256((learner.email + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert learner.email not in response.text

    # The JWT verifies with the published key, and carries the credential.
    keys = (await client.get(f"{API}/badges/jwks.json")).json()["keys"]
    header = jwt.get_unverified_header(body["jwt"])
    assert header["alg"] == "EdDSA"
    [key] = [k for k in keys if k["kid"] == header["kid"]]
    assert header["jwk"] == {"kty": "OKP", "crv": "Ed25519", "x": key["x"]}
    claims = jwt.decode(body["jwt"], jwt.PyJWK(key).key, algorithms=["EdDSA"])
    assert claims["iss"] == credential["issuer"]["id"]
    assert claims["jti"] == credential["id"]
    assert {k: v for k, v in claims.items() if k not in {"iss", "jti", "nbf"}} == credential

    # A tampered token does not verify.
    head, payload, signature = body["jwt"].split(".")
    forged = f"{head}.{payload[:-2]}AA.{signature}"
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(forged, jwt.PyJWK(key).key, algorithms=["EdDSA"])

    # Exporting again gives the same credential.
    again = await client.get(f"{API}/{achievement_id}/badge", headers=learner.headers)
    assert again.json() == body


async def test_badges_are_their_owner_s_only(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account
) -> None:
    learner = await make_account("learner")
    other = await make_account("learner")
    achievement_id = await earn_perfect_quiz(db_session, learner.user_id)
    url = f"{API}/{achievement_id}/badge"

    assert (await client.get(url)).status_code == 401
    hidden = await client.get(url, headers=other.headers)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "achievement-not-found"
    missing = await client.get(f"{API}/{uuid.uuid4()}/badge", headers=learner.headers)
    assert missing.status_code == 404
