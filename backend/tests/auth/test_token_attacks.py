"""Forged, tampered, expired and misused tokens: none is taken for an access token, and each
is answered with 401, problem+json and a Bearer challenge."""

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from learnwise.platform.runtime import Runtime
from tests.auth.flows import (
    AUTH,
    assert_problem,
    assert_signed_in,
    assert_unauthorized,
    me,
    refresh,
    register,
)

Claims = dict[str, Any]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: Claims) -> str:
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(claims).encode())}."


def without(*names: str) -> Callable[[Claims], Claims]:
    return lambda claims: {k: v for k, v in claims.items() if k not in names}


def with_claims(**changes: Any) -> Callable[[Claims], Claims]:
    return lambda claims: {**claims, **changes}


def expired(claims: Claims) -> Claims:
    now = int(time.time())
    return {**claims, "iat": now - 3600, "nbf": now - 3600, "exp": now - 60}


def not_yet_valid(claims: Claims) -> Claims:
    return {**claims, "nbf": int(time.time()) + 600}


# Claims transformations signed with the server's own key and algorithm: only the content is
# wrong. Each is refused as an invalid token.
BAD_CLAIMS = {
    "expired": expired,
    "not yet valid": not_yet_valid,
    "wrong audience": with_claims(aud="another-api"),
    "wrong issuer": with_claims(iss="https://evil.example"),
    "missing sid": without("sid"),
    "missing jti": without("jti"),
    "missing sub": without("sub"),
    "missing exp": without("exp"),
    "missing iat": without("iat"),
    "missing typ": without("typ"),
    "refresh typ": with_claims(typ="refresh"),
    "id-token typ": with_claims(typ="id"),
    "sub not a uuid": with_claims(sub="admin"),
    "sid not a uuid": with_claims(sid="1 OR 1=1"),
    "roles not a list": with_claims(roles="admin"),
}


@pytest.fixture
async def signed_in(client: httpx.AsyncClient) -> dict[str, Any]:
    return await register(client)


def claims_of(tokens: dict[str, Any]) -> Claims:
    return jwt.decode(tokens["access_token"], options={"verify_signature": False})


def secret_of(runtime: Runtime) -> str:
    return runtime.settings.secret_key.get_secret_value()


@pytest.mark.parametrize("change", BAD_CLAIMS.values(), ids=BAD_CLAIMS.keys())
async def test_a_token_with_bad_claims_is_refused(
    client: httpx.AsyncClient,
    runtime: Runtime,
    signed_in: dict[str, Any],
    change: Callable[[Claims], Claims],
) -> None:
    token = jwt.encode(change(claims_of(signed_in)), secret_of(runtime), algorithm="HS256")

    assert_unauthorized(await me(client, token), "invalid-token")
    await assert_signed_in(client, signed_in["access_token"])


def tampered_payload(claims: Claims, original: str, secret: str) -> str:
    header, _, signature = original.split(".")
    payload = b64url(json.dumps({**claims, "roles": ["admin"]}).encode())
    return f"{header}.{payload}.{signature}"


def forged_signature(claims: Claims, original: str, secret: str) -> str:
    header, payload, _ = original.split(".")
    return f"{header}.{payload}.{b64url(b'0' * 32)}"


def alg_none(claims: Claims, original: str, secret: str) -> str:
    return unsigned(claims)


def alg_none_keeping_the_signature(claims: Claims, original: str, secret: str) -> str:
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    _, payload, signature = original.split(".")
    return f"{header}.{payload}.{signature}"


def another_hmac_key(claims: Claims, original: str, secret: str) -> str:
    return jwt.encode(claims, "another-secret-of-at-least-32-bytes!!", algorithm="HS256")


def another_hmac_algorithm(claims: Claims, original: str, secret: str) -> str:
    return jwt.encode(claims, secret, algorithm="HS512")


def an_eddsa_key_of_the_attacker(claims: Claims, original: str, secret: str) -> str:
    return jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA")


def garbage(claims: Claims, original: str, secret: str) -> str:
    return "garbage"


def three_garbage_segments(claims: Claims, original: str, secret: str) -> str:
    return "a.b.c"


def oversized(claims: Claims, original: str, secret: str) -> str:
    """Correctly signed, but too large to be one of ours: refused before any decoding."""
    return jwt.encode({**claims, "padding": "A" * 8192}, secret, algorithm="HS256")


# Tokens the server never signed, or signed some other way.
FORGERIES = [
    tampered_payload,
    forged_signature,
    alg_none,
    alg_none_keeping_the_signature,
    another_hmac_key,
    another_hmac_algorithm,
    an_eddsa_key_of_the_attacker,
    garbage,
    three_garbage_segments,
    oversized,
]


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__)
async def test_a_forged_token_is_refused(
    client: httpx.AsyncClient,
    runtime: Runtime,
    signed_in: dict[str, Any],
    forge: Callable[[Claims, str, str], str],
) -> None:
    token = forge(claims_of(signed_in), signed_in["access_token"], secret_of(runtime))

    body = assert_unauthorized(await me(client, token), "invalid-token")

    assert body["detail"] == "The access token is invalid."
    await assert_signed_in(client, signed_in["access_token"])


async def test_an_expired_token_says_so(
    client: httpx.AsyncClient, runtime: Runtime, signed_in: dict[str, Any]
) -> None:
    token = jwt.encode(expired(claims_of(signed_in)), secret_of(runtime), algorithm="HS256")

    body = assert_unauthorized(await me(client, token), "invalid-token")

    assert body["detail"] == "The access token has expired."


async def test_a_token_naming_another_users_session_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, signed_in: dict[str, Any]
) -> None:
    """Even correctly signed, a token is only good for the user its session belongs to."""
    victim = await register(client)
    claims = {**claims_of(signed_in), "sid": claims_of(victim)["sid"]}
    token = jwt.encode(claims, secret_of(runtime), algorithm="HS256")

    assert_unauthorized(await me(client, token), "session-revoked")
    await assert_signed_in(client, victim["access_token"])


async def test_a_token_of_a_session_that_never_existed_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, signed_in: dict[str, Any]
) -> None:
    claims = {**claims_of(signed_in), "sid": str(uuid.uuid4())}
    token = jwt.encode(claims, secret_of(runtime), algorithm="HS256")

    assert_unauthorized(await me(client, token), "session-revoked")


async def test_a_refresh_token_is_not_an_access_token(
    client: httpx.AsyncClient, signed_in: dict[str, Any]
) -> None:
    assert_unauthorized(await me(client, signed_in["refresh_token"]), "invalid-token")
    assert_unauthorized(await me(client, signed_in["csrf_token"]), "invalid-token")
    assert (await refresh(client, signed_in["refresh_token"])).status_code == 200


async def test_an_access_token_is_not_a_refresh_token(
    client: httpx.AsyncClient, signed_in: dict[str, Any]
) -> None:
    """Refresh tokens are short; a JWT is refused by the length bound before any lookup."""
    response = await refresh(client, signed_in["access_token"])

    body = assert_problem(response, 422, "validation-failed")
    assert body["errors"][0]["loc"] == ["body", "refresh_token"]
    await assert_signed_in(client, signed_in["access_token"])
    assert (await refresh(client, signed_in["refresh_token"])).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "bearer"],
)
async def test_a_missing_or_other_scheme_authorization_is_refused(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.get(f"{AUTH}/me", headers={"Authorization": authorization})

    assert_unauthorized(response, "unauthorized")


async def test_the_scheme_is_case_insensitive(
    client: httpx.AsyncClient, signed_in: dict[str, Any]
) -> None:
    response = await client.get(
        f"{AUTH}/me", headers={"Authorization": f"bearer {signed_in['access_token']}"}
    )

    assert response.status_code == 200


async def test_a_token_for_a_protected_route_of_another_domain_is_checked_the_same(
    client: httpx.AsyncClient, runtime: Runtime, signed_in: dict[str, Any]
) -> None:
    token = jwt.encode(
        with_claims(aud="another-api")(claims_of(signed_in)), secret_of(runtime), algorithm="HS256"
    )

    response = await client.get(
        "/api/v1/users/me/settings", headers={"Authorization": f"Bearer {token}"}
    )

    assert_unauthorized(response, "invalid-token")


async def test_the_server_publishes_no_keys_for_hmac_tokens(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{AUTH}/jwks.json")

    assert response.status_code == 200
    assert response.json() == {"keys": []}
