"""Single sign-on, end to end against a real OpenID Connect provider (tests/oidc_provider.py).

The browser is played by two clients: the app's ASGI client (which keeps our cookies) for our
endpoints, and a plain httpx client for the provider, whose authorize endpoint consents at once
and redirects back to our callback with a code and the state.
"""

import base64
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey
from oidc_provider import OidcTestProvider
from redis.asyncio import Redis
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import oidc, sso
from learnwise.auth.exceptions import SsoError
from learnwise.auth.models import AuthSession, OidcIdentity, OidcLoginState, User
from learnwise.config import AuthSettings, OidcProviderSettings
from learnwise.db import utcnow
from learnwise.errors import PROBLEM_JSON
from learnwise.main import create_app
from learnwise.platform.runtime import Runtime
from tests.conftest import REDIS_URL, make_settings

SSO = "/api/v1/auth/sso"
CLIENT_ID = "learnwise"
CLIENT_SECRET = "provider-client-secret"


def callback_url(provider: str) -> str:
    return f"http://testserver{SSO}/{provider}/callback"


@pytest.fixture(scope="module")
def idp() -> Iterator[OidcTestProvider]:
    """The main provider ("keycloak")."""
    with OidcTestProvider() as provider:
        provider.register_client(CLIENT_ID, CLIENT_SECRET, [callback_url("keycloak")])
        provider.add_user("alice-sub", "alice@example.org", "Alice Liddell")
        provider.add_user("bob-sub", "Bob@Example.org", "Bob", email_verified=False)
        yield provider


@pytest.fixture(scope="module")
def corp_idp() -> Iterator[OidcTestProvider]:
    """A second provider (another issuer) that asserts the same email address as alice's."""
    with OidcTestProvider() as provider:
        provider.register_client(CLIENT_ID, CLIENT_SECRET, [callback_url("corp")])
        provider.add_user("someone-at-corp", "alice@example.org", "Not Alice")
        yield provider


@pytest.fixture(scope="module")
async def app_and_runtime(
    database_url: str, idp: OidcTestProvider, corp_idp: OidcTestProvider
) -> AsyncIterator[tuple[object, Runtime]]:
    """This module's app, configured with both providers; conftest's ``client``,
    ``db_session`` and ``make_account`` use it through this override."""
    providers = [
        OidcProviderSettings(
            name="keycloak",
            display_name="Keycloak",
            issuer=idp.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        ),
        OidcProviderSettings(
            name="corp",
            display_name="Corp",
            issuer=corp_idp.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        ),
        # Discovery at the same URL, but the document names the issuer without the slash.
        OidcProviderSettings(
            name="misconfigured",
            display_name="Misconfigured",
            issuer=idp.issuer + "/",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        ),
    ]
    settings = make_settings(
        database_url,
        public_url="http://testserver",
        auth=AuthSettings(oidc_providers=providers),
    )
    app = create_app(settings)
    async with LifespanManager(app):
        yield app, app.state.runtime
    if REDIS_URL:
        redis = Redis.from_url(REDIS_URL)
        keys = [k async for k in redis.scan_iter(match=f"{settings.redis_prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


@pytest.fixture(autouse=True)
def fresh_providers(idp: OidcTestProvider, corp_idp: OidcTestProvider) -> Iterator[None]:
    yield
    for provider in (idp, corp_idp):
        provider.next_login = None
        provider.tamper_next_nonce = False
        provider.next_id_token_claims = None


# ---------------------------------------------------------------------------------------------
# The browser's part


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def start(client: httpx.AsyncClient, provider: str = "keycloak", **params: str) -> str:
    """Our login endpoint; returns the provider's authorization URL it redirects to."""
    response = await client.get(f"{SSO}/{provider}/login", params=params)
    assert response.status_code == 302, response.text
    return response.headers["location"]


async def authorize(authorization_url: str) -> str:
    """The provider's part; returns the callback URL it redirects back to."""
    async with httpx.AsyncClient(timeout=10) as browser:
        response = await browser.get(authorization_url)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith("http://testserver/"), location
    return location


async def sign_in(
    client: httpx.AsyncClient,
    idp: OidcTestProvider,
    subject: str,
    *,
    provider: str = "keycloak",
    json: bool = False,
    **params: str,
) -> httpx.Response:
    idp.next_login = subject
    url = await authorize(await start(client, provider, **params))
    return await client.get(url, headers={"Accept": "application/json"} if json else {})


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def set_cookies(response: httpx.Response) -> dict[str, dict[str, Any]]:
    cookies: dict[str, dict[str, Any]] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            cookies[name] = {"value": morsel.value, **{k: v for k, v in morsel.items() if v}}
    return cookies


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["code"] == code, body
    return body


async def count(db_session: AsyncSession, model: type) -> int:
    return await db_session.scalar(select(func.count()).select_from(model))


async def assert_nothing_created(db_session: AsyncSession) -> None:
    assert await count(db_session, User) == 0
    assert await count(db_session, OidcIdentity) == 0
    assert await count(db_session, AuthSession) == 0


async def me(client: httpx.AsyncClient, access_token: str) -> dict[str, Any]:
    response = await client.get("/api/v1/auth/me", headers=bearer(access_token))
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------------------------------------
# Signing in


async def test_providers_are_listed_publicly(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{SSO}/providers")
    assert response.status_code == 200
    assert response.json() == [
        {
            "name": "keycloak",
            "display_name": "Keycloak",
            "login_url": f"http://testserver{SSO}/keycloak/login",
        },
        {"name": "corp", "display_name": "Corp", "login_url": f"http://testserver{SSO}/corp/login"},
        {
            "name": "misconfigured",
            "display_name": "Misconfigured",
            "login_url": f"http://testserver{SSO}/misconfigured/login",
        },
    ]


async def test_first_sign_in_creates_a_linked_account_with_a_cookie_session(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    response = await sign_in(client, idp, "alice-sub", redirect="/courses/42?tab=notes")

    assert response.status_code == 302, response.text
    assert response.headers["location"] == "/courses/42?tab=notes"
    assert response.headers["cache-control"] == "no-store"
    cookies = set_cookies(response)
    assert cookies["lw_refresh"]["httponly"] is True
    assert cookies["lw_refresh"]["path"] == "/api/v1/auth"
    assert cookies["lw_refresh"]["samesite"].lower() == "lax"
    assert cookies["lw_csrf"]["path"] == "/"

    # What the web app does on the page it lands on: refresh with the cookie and the CSRF token.
    refreshed = await client.post(
        "/api/v1/auth/refresh", headers={"X-CSRF-Token": client.cookies["lw_csrf"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    user = await me(client, refreshed.json()["access_token"])
    assert user["email"] == "alice@example.org"
    assert user["display_name"] == "Alice Liddell"
    assert user["has_password"] is False
    assert user["email_verified_at"] is not None
    assert user["roles"] == ["learner"]

    sessions = await client.get(
        "/api/v1/auth/sessions", headers=bearer(refreshed.json()["access_token"])
    )
    assert [s["auth_method"] for s in sessions.json()] == ["oidc:keycloak"]
    identity = await db_session.scalar(select(OidcIdentity))
    assert identity is not None
    assert (identity.provider, identity.issuer, identity.subject) == (
        "keycloak",
        idp.issuer,
        "alice-sub",
    )
    assert str(identity.user_id) == user["user_id"]
    assert await count(db_session, OidcLoginState) == 0  # the state was used up


async def test_the_callback_answers_json_to_api_clients(
    client: httpx.AsyncClient, idp: OidcTestProvider
) -> None:
    response = await sign_in(client, idp, "alice-sub", json=True)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] is None  # it is in the cookie, as in cookie-mode login
    assert body["csrf_token"]
    assert "lw_refresh" in set_cookies(response)
    assert (await me(client, body["access_token"]))["email"] == "alice@example.org"


async def test_signing_in_again_reaches_the_same_account(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    first = await sign_in(client, idp, "alice-sub", json=True)
    second = await sign_in(client, idp, "alice-sub", json=True)

    assert first.status_code == second.status_code == 200
    first_user = await me(client, first.json()["access_token"])
    second_user = await me(client, second.json()["access_token"])
    assert first_user["user_id"] == second_user["user_id"]
    assert first.json()["session_id"] != second.json()["session_id"]
    assert await count(db_session, User) == 1
    assert await count(db_session, OidcIdentity) == 1


async def test_an_unverified_email_makes_an_unverified_account(
    client: httpx.AsyncClient, idp: OidcTestProvider
) -> None:
    response = await sign_in(client, idp, "bob-sub", json=True)

    user = await me(client, response.json()["access_token"])
    assert user["email"] == "bob@example.org"
    assert user["email_verified_at"] is None


async def test_the_email_comes_from_user_info_when_the_id_token_lacks_it(
    client: httpx.AsyncClient, idp: OidcTestProvider
) -> None:
    idp.next_id_token_claims = {"email": None, "email_verified": None}
    response = await sign_in(client, idp, "alice-sub", json=True)

    assert response.status_code == 200, response.text
    assert (await me(client, response.json()["access_token"]))["email"] == "alice@example.org"


# ---------------------------------------------------------------------------------------------
# State, nonce and PKCE


async def test_a_wrong_state_is_refused(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    idp.next_login = "alice-sub"
    params = query_of(await authorize(await start(client)))

    for state in ("login.made-up.state", "", "x" * 129):
        response = await client.get(f"{SSO}/keycloak/callback", params={**params, "state": state})
        assert_problem(response, 400, "sso-failed")
    no_state = await client.get(f"{SSO}/keycloak/callback", params={"code": params["code"]})
    assert_problem(no_state, 400, "sso-failed")
    await assert_nothing_created(db_session)


async def test_a_state_works_once(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    idp.next_login = "alice-sub"
    url = await authorize(await start(client))

    assert (await client.get(url)).status_code == 302
    replay = await client.get(url)

    assert_problem(replay, 400, "sso-failed")
    assert await count(db_session, AuthSession) == 1


async def test_a_state_of_another_provider_is_refused(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    idp.next_login = "alice-sub"
    params = query_of(await authorize(await start(client)))

    response = await client.get(f"{SSO}/corp/callback", params=params)

    assert_problem(response, 400, "sso-failed")
    await assert_nothing_created(db_session)


async def test_an_expired_state_is_refused(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    idp.next_login = "alice-sub"
    url = await authorize(await start(client))
    await db_session.execute(
        update(OidcLoginState).values(expires_at=utcnow() - sso.STATE_LIFETIME)
    )
    await db_session.commit()

    response = await client.get(url)

    assert_problem(response, 400, "sso-failed")
    await assert_nothing_created(db_session)


async def test_a_callback_in_another_browser_is_refused(
    client: httpx.AsyncClient, client_from, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    """Login CSRF: a callback URL made in the attacker's browser does not sign in the victim."""
    idp.next_login = "alice-sub"
    url = await authorize(await start(client))

    async with client_from("203.0.113.9") as victim:
        response = await victim.get(url)

    assert_problem(response, 400, "sso-failed")
    assert "another browser" in response.json()["detail"]
    await assert_nothing_created(db_session)


async def test_a_wrong_nonce_is_refused(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    idp.tamper_next_nonce = True
    response = await sign_in(client, idp, "alice-sub")

    assert_problem(response, 400, "sso-failed")
    assert "nonce" in response.json()["detail"]
    await assert_nothing_created(db_session)
    assert await count(db_session, OidcLoginState) == 0  # a failed attempt spends its state


async def test_every_authorization_request_carries_an_s256_challenge_of_the_stored_verifier(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    idp.next_login = "alice-sub"
    authorization_url = await start(client, redirect="/home")
    await authorize(authorization_url)

    received = idp.authorize_requests[-1]
    row = await db_session.get(OidcLoginState, received["state"])
    assert row is not None
    assert received["code_challenge_method"] == "S256"
    assert received["code_challenge"] == s256(row.code_verifier)
    assert received["nonce"] == row.nonce
    assert received["redirect_uri"] == callback_url("keycloak")
    assert received["scope"] == "openid email profile"
    assert row.redirect_after == "/home"


async def test_the_provider_refuses_a_code_without_its_verifier(
    client: httpx.AsyncClient, idp: OidcTestProvider
) -> None:
    idp.next_login = "alice-sub"
    code = query_of(await authorize(await start(client)))["code"]

    async with httpx.AsyncClient(timeout=10) as http:
        for verifier in (None, secrets.token_urlsafe(64)):
            data = {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": callback_url("keycloak"),
            }
            if verifier:
                data["code_verifier"] = verifier
            response = await http.post(
                idp.token_endpoint, data=data, auth=(CLIENT_ID, CLIENT_SECRET)
            )
            assert response.status_code == 400, response.text
            assert response.json()["error"] in ("invalid_request", "invalid_grant")


@pytest.mark.parametrize("stored_verifier", ["", "another-verifier-" + "v" * 40])
async def test_a_lost_verifier_makes_the_sign_in_fail(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    idp: OidcTestProvider,
    stored_verifier: str,
) -> None:
    idp.next_login = "alice-sub"
    url = await authorize(await start(client))
    await db_session.execute(update(OidcLoginState).values(code_verifier=stored_verifier))
    await db_session.commit()

    response = await client.get(url)

    body = assert_problem(response, 400, "sso-failed")
    assert "refused the authorization code" in body["detail"]
    await assert_nothing_created(db_session)


# ---------------------------------------------------------------------------------------------
# The ID token


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        pytest.param(lambda now: {"aud": "another-client"}, "Audience", id="wrong-aud"),
        pytest.param(
            lambda now: {"aud": ["another-client", CLIENT_ID]}, "azp", id="aud-without-azp"
        ),
        pytest.param(lambda now: {"iss": "https://evil.example"}, "issuer", id="wrong-iss"),
        pytest.param(lambda now: {"exp": now - 3600, "iat": now - 7200}, "expired", id="expired"),
        pytest.param(lambda now: {"iat": now + 3600, "exp": now + 7200}, "iat", id="issued-later"),
        pytest.param(lambda now: {"sub": ""}, "subject", id="empty-sub"),
    ],
)
async def test_an_invalid_id_token_is_refused(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    idp: OidcTestProvider,
    claims: Any,
    reason: str,
) -> None:
    idp.next_id_token_claims = claims(int(time.time()))
    response = await sign_in(client, idp, "alice-sub")

    body = assert_problem(response, 400, "sso-failed")
    assert reason in body["detail"]
    await assert_nothing_created(db_session)


def forged_tokens(idp: OidcTestProvider, claims: dict[str, Any]) -> dict[str, str]:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "signed by another key": jwt.encode(
            claims, other_key, algorithm="RS256", headers={"kid": idp.kid}
        ),
        "unsigned": jwt.encode(claims, None, algorithm="none"),
        "HMAC with the client secret": jwt.encode(
            claims, CLIENT_SECRET + "-padded-to-32-bytes!", algorithm="HS256"
        ),
    }


def test_only_the_providers_signature_is_accepted(idp: OidcTestProvider) -> None:
    now = int(time.time())
    claims = {
        "iss": idp.issuer,
        "sub": "alice-sub",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
    }
    check = {
        "jwks": idp.jwks(),
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "nonce": "n-1",
        "algorithms": ["RS256"],
    }
    genuine = jwt.encode(
        claims,
        idp.signing_key.as_pem(private=True),
        algorithm="RS256",
        headers={"kid": idp.kid},
    )
    assert oidc.verify_id_token(genuine, **check)["sub"] == "alice-sub"
    for name, forged in forged_tokens(idp, claims).items():
        with pytest.raises(SsoError):
            oidc.verify_id_token(forged, **check)
            pytest.fail(f"accepted an ID token {name}")


async def test_rotated_provider_keys_are_fetched_again(
    client: httpx.AsyncClient, runtime: Runtime, idp: OidcTestProvider
) -> None:
    assert (await sign_in(client, idp, "alice-sub", json=True)).status_code == 200
    assert await runtime.cache.get(f"sso:discovery:{idp.issuer}") is not None
    assert await runtime.cache.get(f"sso:jwks:{idp.jwks_uri}") is not None
    old_kid, old_key = idp.kid, idp.signing_key
    idp.kid = "rotated-" + secrets.token_hex(4)
    idp.signing_key = RSAKey.generate_key(
        2048, parameters={"kid": idp.kid, "use": "sig", "alg": "RS256"}
    )
    try:
        response = await sign_in(client, idp, "alice-sub", json=True)
    finally:
        idp.kid, idp.signing_key = old_kid, old_key

    assert response.status_code == 200, response.text


async def test_a_discovery_document_for_another_issuer_is_refused(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await client.get(f"{SSO}/misconfigured/login")

    body = assert_problem(response, 400, "sso-failed")
    assert "issuer" in body["detail"]
    assert await count(db_session, OidcLoginState) == 0


# ---------------------------------------------------------------------------------------------
# Accounts are linked by (issuer, subject), never by email


async def test_the_same_email_at_another_issuer_does_not_take_over_the_account(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    idp: OidcTestProvider,
    corp_idp: OidcTestProvider,
) -> None:
    assert (await sign_in(client, idp, "alice-sub", json=True)).status_code == 200

    response = await sign_in(client, corp_idp, "someone-at-corp", provider="corp", json=True)

    body = assert_problem(response, 409, "sso-email-conflict")
    assert "password" in body["detail"] and "link" in body["detail"]
    assert await count(db_session, User) == 1
    assert await count(db_session, OidcIdentity) == 1
    assert await count(db_session, AuthSession) == 1


async def test_an_existing_password_account_is_not_taken_over(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider, make_account
) -> None:
    await make_account(email="alice@example.org")

    response = await sign_in(client, idp, "alice-sub")

    assert_problem(response, 409, "sso-email-conflict")
    assert await count(db_session, OidcIdentity) == 0
    assert await count(db_session, User) == 1
    assert await count(db_session, AuthSession) == 1  # make_account's own sign-in


async def test_a_signed_in_user_can_link_a_provider_and_then_sign_in_with_it(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider, make_account
) -> None:
    account = await make_account(email="alice@example.org")
    started = await client.post(
        f"{SSO}/keycloak/link", headers=account.headers, params={"redirect": "/settings"}
    )
    assert started.status_code == 200, started.text
    idp.next_login = "alice-sub"

    linked = await client.get(await authorize(started.json()["authorization_url"]))

    assert linked.status_code == 302, linked.text
    assert linked.headers["location"] == "/settings"
    identity = await db_session.scalar(select(OidcIdentity))
    assert identity is not None and identity.user_id == account.user_id
    signed_in = await sign_in(client, idp, "alice-sub", json=True)
    assert signed_in.status_code == 200, signed_in.text
    assert (await me(client, signed_in.json()["access_token"]))["user_id"] == str(account.user_id)


async def test_a_provider_account_links_to_one_user_only(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider, make_account
) -> None:
    assert (await sign_in(client, idp, "alice-sub", json=True)).status_code == 200
    other = await make_account()
    started = await client.post(f"{SSO}/keycloak/link", headers=other.headers)
    idp.next_login = "alice-sub"

    response = await client.get(
        await authorize(started.json()["authorization_url"]),
        headers={"Accept": "application/json"},
    )

    assert_problem(response, 409, "sso-identity-linked")
    identity = await db_session.scalar(select(OidcIdentity))
    assert identity is not None and identity.user_id != other.user_id
    assert await count(db_session, OidcIdentity) == 1


async def test_linking_needs_a_signed_in_user(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{SSO}/keycloak/link")
    assert response.status_code == 401


# ---------------------------------------------------------------------------------------------
# Bad requests


async def test_an_unknown_provider_is_not_found(client: httpx.AsyncClient, make_account) -> None:
    account = await make_account()
    for response in (
        await client.get(f"{SSO}/nope/login"),
        await client.get(f"{SSO}/nope/callback", params={"code": "c", "state": "s"}),
        await client.post(f"{SSO}/nope/link", headers=account.headers),
    ):
        assert_problem(response, 404, "not-found")


async def test_a_refusal_by_the_provider_fails_cleanly(
    client: httpx.AsyncClient, db_session: AsyncSession, idp: OidcTestProvider
) -> None:
    # An unknown user at the provider: it redirects back with error=access_denied.
    response = await sign_in(client, idp, "nobody")

    body = assert_problem(response, 400, "sso-failed")
    assert "access_denied" in body["detail"]
    await assert_nothing_created(db_session)
    assert await count(db_session, OidcLoginState) == 0


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "courses",
        "",
    ],
)
async def test_the_redirect_never_leaves_the_site(
    client: httpx.AsyncClient, idp: OidcTestProvider, target: str
) -> None:
    response = await sign_in(client, idp, "alice-sub", redirect=target)

    assert response.status_code == 302, response.text
    assert response.headers["location"] == "/"
