"""Tests of the OIDC test provider itself, driven with plain httpx + PyJWT."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from oidc_provider import OidcTestProvider

CLIENT_ID = "learnwise"
CLIENT_SECRET = "client-secret-value"
REDIRECT_URI = "http://testserver/auth/oidc/callback"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_provider() -> OidcTestProvider:
    provider = OidcTestProvider().start()
    provider.register_client(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI])
    provider.add_user("alice-sub", "alice@example.com", "Alice Example")
    provider.add_user("bob-sub", "bob@example.com", "Bob Example", email_verified=False)
    return provider


@pytest.fixture
def provider() -> Iterator[OidcTestProvider]:
    p = make_provider()
    try:
        yield p
    finally:
        p.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        yield client


class Flow:
    """One authorization-code + PKCE login attempt against a provider."""

    def __init__(self, provider: OidcTestProvider, http: httpx.Client, **overrides: str):
        self.provider = provider
        self.http = http
        self.verifier = secrets.token_urlsafe(48)
        self.state = secrets.token_urlsafe(16)
        self.nonce = secrets.token_urlsafe(16)
        self.params = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid email profile",
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": s256(self.verifier),
            "code_challenge_method": "S256",
        }
        self.params.update(overrides)
        self.params = {k: v for k, v in self.params.items() if v is not None}

    def authorize(self) -> httpx.Response:
        return self.http.get(self.provider.authorization_endpoint, params=self.params)

    def callback_params(self) -> dict[str, str]:
        response = self.authorize()
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        assert location.startswith(REDIRECT_URI + "?")
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    def code(self) -> str:
        params = self.callback_params()
        assert params["state"] == self.state
        return params["code"]

    def exchange(self, code: str, verifier: str | None = "default", **extra: str):
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
        if verifier == "default":
            verifier = self.verifier
        if verifier is not None:
            data["code_verifier"] = verifier
        data.update(extra)
        return self.http.post(
            self.provider.token_endpoint, data=data, auth=(CLIENT_ID, CLIENT_SECRET)
        )


def verify_id_token(provider: OidcTestProvider, http: httpx.Client, id_token: str) -> dict:
    jwks = http.get(provider.jwks_uri).json()
    header = jwt.get_unverified_header(id_token)
    assert header["alg"] == "RS256"
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    return jwt.decode(
        id_token,
        key=key.key,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer=provider.issuer,
        options={"require": ["iss", "sub", "aud", "exp", "iat"]},
    )


def test_discovery(provider: OidcTestProvider, http: httpx.Client) -> None:
    assert provider.issuer.startswith("http://127.0.0.1:")
    response = http.get(provider.issuer + "/.well-known/openid-configuration")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    config = response.json()
    assert config["issuer"] == provider.issuer
    assert config["authorization_endpoint"] == provider.issuer + "/authorize"
    assert config["token_endpoint"] == provider.issuer + "/token"
    assert config["jwks_uri"] == provider.issuer + "/jwks"
    assert config["userinfo_endpoint"] == provider.issuer + "/userinfo"
    assert config["response_types_supported"] == ["code"]
    assert config["subject_types_supported"] == ["public"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]


def test_jwks_is_public_rsa_key(provider: OidcTestProvider, http: httpx.Client) -> None:
    keys = http.get(provider.jwks_uri).json()["keys"]
    assert len(keys) == 1
    (key,) = keys
    assert key["kty"] == "RSA"
    assert key["kid"] == provider.kid
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert "d" not in key and "p" not in key  # no private material


def test_full_flow(provider: OidcTestProvider, http: httpx.Client) -> None:
    provider.next_login = "alice-sub"
    flow = Flow(provider, http)
    callback = flow.callback_params()
    assert set(callback) == {"code", "state"}
    assert callback["state"] == flow.state

    response = flow.exchange(callback["code"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    token = response.json()
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "openid email profile"
    assert token["access_token"]

    claims = verify_id_token(provider, http, token["id_token"])
    assert claims["iss"] == provider.issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["sub"] == "alice-sub"
    assert claims["nonce"] == flow.nonce
    assert claims["email"] == "alice@example.com"
    assert claims["email_verified"] is True
    assert claims["name"] == "Alice Example"
    assert claims["iat"] <= claims["exp"]
    assert "at_hash" in claims

    userinfo = http.get(
        provider.userinfo_endpoint,
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert userinfo.status_code == 200
    assert userinfo.json() == {
        "sub": "alice-sub",
        "email": "alice@example.com",
        "email_verified": True,
        "name": "Alice Example",
    }

    # The provider recorded what the client sent.
    assert provider.authorize_requests[-1]["code_challenge_method"] == "S256"
    assert provider.authorize_requests[-1]["nonce"] == flow.nonce


def test_client_secret_post(provider: OidcTestProvider, http: httpx.Client) -> None:
    flow = Flow(provider, http, login_hint="bob-sub")
    response = http.post(
        provider.token_endpoint,
        data={
            "grant_type": "authorization_code",
            "code": flow.code(),
            "redirect_uri": REDIRECT_URI,
            "code_verifier": flow.verifier,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert response.status_code == 200, response.text
    claims = verify_id_token(provider, http, response.json()["id_token"])
    assert claims["sub"] == "bob-sub"
    assert claims["email_verified"] is False


def test_login_hint_beats_next_login(provider: OidcTestProvider, http: httpx.Client) -> None:
    provider.next_login = "alice-sub"
    flow = Flow(provider, http, login_hint="bob-sub")
    token = flow.exchange(flow.code()).json()
    assert verify_id_token(provider, http, token["id_token"])["sub"] == "bob-sub"


def test_no_known_user_is_access_denied(provider: OidcTestProvider, http: httpx.Client) -> None:
    # Two users, no next_login and no login_hint: nobody logs in.
    params = Flow(provider, http).callback_params()
    assert params["error"] == "access_denied"
    assert "code" not in params

    params = Flow(provider, http, login_hint="nobody").callback_params()
    assert params["error"] == "access_denied"


def test_token_request_without_verifier_fails(
    provider: OidcTestProvider, http: httpx.Client
) -> None:
    provider.next_login = "alice-sub"
    flow = Flow(provider, http)
    response = flow.exchange(flow.code(), verifier=None)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "id_token" not in response.json()


def test_token_request_with_wrong_verifier_fails(
    provider: OidcTestProvider, http: httpx.Client
) -> None:
    provider.next_login = "alice-sub"
    flow = Flow(provider, http)
    response = flow.exchange(flow.code(), verifier=secrets.token_urlsafe(48))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_code_reuse_fails_and_revokes_tokens(
    provider: OidcTestProvider, http: httpx.Client
) -> None:
    provider.next_login = "alice-sub"
    flow = Flow(provider, http)
    code = flow.code()
    first = flow.exchange(code)
    assert first.status_code == 200
    access_token = first.json()["access_token"]

    second = flow.exchange(code)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"

    userinfo = http.get(
        provider.userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"}
    )
    assert userinfo.status_code == 401


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge": None, "code_challenge_method": None},
        {"code_challenge_method": None},
        {"code_challenge_method": "plain"},
    ],
)
def test_authorize_requires_pkce_s256(
    provider: OidcTestProvider, http: httpx.Client, overrides: dict
) -> None:
    provider.next_login = "alice-sub"
    flow = Flow(provider, http, **overrides)
    params = flow.callback_params()
    assert params["error"] == "invalid_request"
    assert params["state"] == flow.state
    assert "code" not in params


def test_unregistered_redirect_uri_is_not_followed(
    provider: OidcTestProvider, http: httpx.Client
) -> None:
    provider.next_login = "alice-sub"
    response = Flow(provider, http, redirect_uri="http://evil.example/cb").authorize()
    assert response.status_code == 400
    assert "location" not in response.headers


def test_wrong_client_secret(provider: OidcTestProvider, http: httpx.Client) -> None:
    provider.next_login = "alice-sub"
    flow = Flow(provider, http)
    response = http.post(
        provider.token_endpoint,
        data={
            "grant_type": "authorization_code",
            "code": flow.code(),
            "redirect_uri": REDIRECT_URI,
            "code_verifier": flow.verifier,
        },
        auth=(CLIENT_ID, "wrong"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_redirect_uri_mismatch_at_token_endpoint(
    provider: OidcTestProvider, http: httpx.Client
) -> None:
    provider.next_login = "alice-sub"
    flow = Flow(provider, http)
    response = flow.exchange(flow.code(), redirect_uri="http://testserver/other")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_nonce_replay_is_rejected(provider: OidcTestProvider, http: httpx.Client) -> None:
    provider.next_login = "alice-sub"
    first = Flow(provider, http)
    assert "code" in first.callback_params()
    replay = Flow(provider, http, nonce=first.nonce)
    params = replay.callback_params()
    assert params["error"] == "invalid_request"


def test_tamper_next_nonce(provider: OidcTestProvider, http: httpx.Client) -> None:
    provider.next_login = "alice-sub"
    provider.tamper_next_nonce = True
    flow = Flow(provider, http)
    claims = verify_id_token(provider, http, flow.exchange(flow.code()).json()["id_token"])
    assert claims["nonce"] != flow.nonce
    assert provider.tamper_next_nonce is False

    # One-shot: the following login is honest again.
    flow = Flow(provider, http)
    claims = verify_id_token(provider, http, flow.exchange(flow.code()).json()["id_token"])
    assert claims["nonce"] == flow.nonce


def test_next_id_token_claims(provider: OidcTestProvider, http: httpx.Client) -> None:
    provider.next_login = "alice-sub"
    provider.next_id_token_claims = {"aud": "someone-else"}
    flow = Flow(provider, http)
    id_token = flow.exchange(flow.code()).json()["id_token"]
    with pytest.raises(jwt.InvalidAudienceError):
        verify_id_token(provider, http, id_token)
    assert provider.next_id_token_claims is None


def test_userinfo_requires_token(provider: OidcTestProvider, http: httpx.Client) -> None:
    response = http.get(provider.userinfo_endpoint)
    assert response.status_code == 401
    response = http.get(provider.userinfo_endpoint, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert "www-authenticate" in response.headers


def test_two_providers_at_once(http: httpx.Client) -> None:
    with make_provider() as first, make_provider() as second:
        assert first.issuer != second.issuer
        tokens = {}
        for p in (first, second):
            p.next_login = "alice-sub"  # same subject and email at both issuers
            flow = Flow(p, http)
            tokens[p.issuer] = flow.exchange(flow.code()).json()["id_token"]

        one = verify_id_token(first, http, tokens[first.issuer])
        two = verify_id_token(second, http, tokens[second.issuer])
        assert (one["iss"], two["iss"]) == (first.issuer, second.issuer)
        assert one["email"] == two["email"] == "alice@example.com"
        assert one["sub"] == two["sub"]

        # Different signing keys: a token from one issuer fails against the other's JWKS.
        assert first.kid != second.kid
        header = jwt.get_unverified_header(tokens[first.issuer])
        other_keys = jwt.PyJWKSet.from_dict(http.get(second.jwks_uri).json())
        with pytest.raises(KeyError):
            other_keys[header["kid"]]
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(
                tokens[first.issuer],
                key=other_keys.keys[0].key,
                algorithms=["RS256"],
                audience=CLIENT_ID,
            )


def test_stop_closes_the_port(http: httpx.Client) -> None:
    with OidcTestProvider() as p:
        url = p.discovery_url
        assert http.get(url).status_code == 200
    with pytest.raises(httpx.ConnectError):
        http.get(url)
