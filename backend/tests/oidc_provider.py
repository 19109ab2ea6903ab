"""A real, small OpenID Connect provider for end-to-end tests.

This is not a mock: it is an Authlib ``AuthorizationServer`` with the
``authorization_code`` grant, the OpenID Connect ``OpenIDCode`` extension and a
PKCE extension that *requires* ``S256``, served over HTTP on 127.0.0.1 by the
standard library's ``ThreadingHTTPServer`` in a daemon thread.  Clients talk to
it with real HTTP requests, receive real RS256-signed ID tokens and verify them
against the real JWKS endpoint.

There is no login page: the authorize endpoint auto-consents and redirects
(302) straight back to the client.  Which user "logs in" is chosen by, in order:

1. the ``login_hint`` query parameter of the authorize request (a subject),
2. ``provider.next_login`` (a subject; stays set until changed),
3. the only registered user, if exactly one user exists.

If none of these yields a known user, the authorize endpoint redirects back
with ``error=access_denied`` (which is also a handy way to simulate a user who
refuses consent).

Usage::

    with OidcTestProvider() as provider:
        provider.register_client("learnwise", "s3cret", ["http://testserver/cb"])
        provider.add_user("alice-sub", "alice@example.com", "Alice")
        provider.next_login = "alice-sub"
        discovery_url = provider.issuer + "/.well-known/openid-configuration"
        ...
"""

from __future__ import annotations

import json
import logging
import secrets
import socketserver
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    ResourceProtector,
    grants,
)
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo
from joserfc.jwk import KeySet, RSAKey

log = logging.getLogger(__name__)

SUPPORTED_SCOPES = ("openid", "email", "profile")
TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

_Response = tuple[int, Any, list[tuple[str, str]]]


# --------------------------------------------------------------------------- models


@dataclass
class ProviderUser:
    subject: str
    email: str
    name: str
    email_verified: bool = True

    def claims(self) -> UserInfo:
        return UserInfo(
            sub=self.subject,
            email=self.email,
            email_verified=self.email_verified,
            name=self.name,
        )


@dataclass
class ProviderClient:
    """An OAuth client registered at the provider (Authlib ``ClientMixin``)."""

    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        # Unknown scopes are silently dropped, as most real providers do.
        return " ".join(s for s in scope_to_list(scope or "") or [] if s in SUPPORTED_SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match only

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if endpoint == "token":
            return method in TOKEN_ENDPOINT_AUTH_METHODS
        return True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _AuthorizationCode:
    """Authlib ``AuthorizationCodeMixin`` (OIDC flavour)."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    subject: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str] | None:
        return None


@dataclass
class _AccessToken:
    access_token: str
    client_id: str
    subject: str
    scope: str
    issued_at: float
    expires_in: int
    code: str | None = None
    revoked: bool = False

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked


# ------------------------------------------------------------- Authlib server side


class _Payload(OAuth2Payload):
    def __init__(self, pairs: list[tuple[str, str]]):
        self._datalist: dict[str, list[str]] = {}
        for key, value in pairs:
            self._datalist.setdefault(key, []).append(value)
        # Like Flask's request.values: first value wins.
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:  # type: ignore[override]
        return self._datalist


class _Request(OAuth2Request):
    """Framework-less OAuth2Request built from the raw HTTP request."""

    def __init__(self, method: str, uri: str, headers: Any, query: str, body: bytes):
        super().__init__(method=method, uri=uri, headers=headers)
        self._args = dict(parse_qsl(query, keep_blank_values=True))
        form_pairs: list[tuple[str, str]] = []
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body and content_type == "application/x-www-form-urlencoded":
            form_pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        self._form = dict(form_pairs)
        self.payload = _Payload(parse_qsl(query, keep_blank_values=True) + form_pairs)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _RequireS256(CodeChallenge):
    """PKCE, mandatory for every client, S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__(required=True)

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing 'code_challenge'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE 'code_challenge_method' must be 'S256'.")
        super().validate_code_challenge(grant, redirect_uri)


class _OpenIDCode(OpenIDCode):
    def __init__(self, provider: OidcTestProvider):
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce, request):
        return (request.payload.client_id, nonce) in self.provider._used_nonces

    def resolve_client_private_key(self, client):
        return self.provider.signing_key

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": self.provider.kid, "typ": "JWT"}

    def get_client_claims(self, client):
        now = int(time.time())
        return {
            "iss": self.provider.issuer,
            "aud": client.get_client_id(),
            "iat": now,
            "exp": now + self.provider.id_token_lifetime,
        }

    def generate_user_info(self, user, scope):
        # Authlib merges these claims last into the ID token, so this is also
        # where the test hooks (tamper_next_nonce, next_id_token_claims) act.
        claims = dict(user.claims().filter(scope))
        provider = self.provider
        if provider.tamper_next_nonce:
            provider.tamper_next_nonce = False
            claims["nonce"] = "tampered-" + generate_token(16)
        if provider.next_id_token_claims:
            claims.update(provider.next_id_token_claims)
            provider.next_id_token_claims = None
        return UserInfo(claims)


class _AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_ENDPOINT_AUTH_METHODS

    @property
    def provider(self) -> OidcTestProvider:
        return self.server.provider

    def save_authorization_code(self, code, request):
        nonce = request.payload.data.get("nonce")
        item = _AuthorizationCode(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            subject=request.user.subject,
            nonce=nonce,
            code_challenge=request.payload.data.get("code_challenge"),
            code_challenge_method=request.payload.data.get("code_challenge_method"),
            auth_time=int(time.time()),
            expires_at=time.time() + self.provider.code_lifetime,
        )
        self.provider._codes[code] = item
        if nonce:
            self.provider._used_nonces.add((item.client_id, nonce))

    def query_authorization_code(self, code, client):
        provider = self.provider
        if code in provider._redeemed_codes:
            # RFC 6749 section 4.1.2: a reused code is refused and the tokens
            # issued from it are revoked.
            for token in provider._tokens.values():
                if token.code == code:
                    token.revoked = True
            return None
        item = provider._codes.get(code)
        if item is None or item.client_id != client.get_client_id():
            return None
        if time.time() >= item.expires_at:
            return None
        return item

    def delete_authorization_code(self, authorization_code):
        self.provider._codes.pop(authorization_code.code, None)
        self.provider._redeemed_codes.add(authorization_code.code)

    def authenticate_user(self, authorization_code):
        return self.provider.users.get(authorization_code.subject)


class _BearerValidator(BearerTokenValidator):
    def __init__(self, provider: OidcTestProvider):
        super().__init__()
        self.provider = provider

    def authenticate_token(self, token_string):
        return self.provider._tokens.get(token_string)


class _AuthorizationServer(AuthorizationServer):
    def __init__(self, provider: OidcTestProvider):
        super().__init__()
        self.provider = provider
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: generate_token(42),
                expires_generator=provider.access_token_lifetime,
            ),
        )
        self.register_grant(_AuthorizationCodeGrant, [_RequireS256(), _OpenIDCode(provider)])

    def query_client(self, client_id):
        return self.provider.clients.get(client_id)

    def save_token(self, token, request):
        code = request.authorization_code
        self.provider._tokens[token["access_token"]] = _AccessToken(
            access_token=token["access_token"],
            client_id=request.client.get_client_id(),
            subject=request.user.subject,
            scope=token.get("scope", ""),
            issued_at=time.time(),
            expires_in=int(token.get("expires_in", 0)),
            code=code.code if code else None,
        )

    def create_oauth2_request(self, request):
        return request  # already a _Request

    def handle_response(self, status, body, headers) -> _Response:
        return status, body, list(headers)

    def send_signal(self, name, *args, **kwargs):
        pass


# ------------------------------------------------------------------- HTTP plumbing


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    provider: OidcTestProvider

    def server_bind(self) -> None:
        # Skip HTTPServer.server_bind's reverse-DNS lookup (getfqdn).
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("oidc test provider: " + format, *args)

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, payload, headers = self.server.provider._handle(
                method, self.path, self.headers, body
            )
        except Exception:
            log.exception("oidc test provider crashed on %s %s", method, self.path)
            status, payload, headers = 500, {"error": "server_error"}, []
        if isinstance(payload, dict | list):
            data = json.dumps(payload).encode()
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
            headers.append(("Content-Type", "application/json"))
        else:
            data = str(payload or "").encode()
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# ------------------------------------------------------------------------ provider


class OidcTestProvider:
    """A real OIDC provider on ``http://127.0.0.1:<free port>``; see module docstring."""

    def __init__(
        self,
        *,
        access_token_lifetime: int = 3600,
        id_token_lifetime: int = 3600,
        code_lifetime: int = 600,
    ) -> None:
        self.access_token_lifetime = access_token_lifetime
        self.id_token_lifetime = id_token_lifetime
        self.code_lifetime = code_lifetime

        self.kid = generate_token(16)
        self.signing_key: RSAKey = RSAKey.generate_key(
            2048, parameters={"kid": self.kid, "use": "sig", "alg": "RS256"}
        )

        self.clients: dict[str, ProviderClient] = {}
        self.users: dict[str, ProviderUser] = {}

        #: Subject of the user who "logs in" when the authorize request has no login_hint.
        self.next_login: str | None = None
        #: One-shot: the next ID token carries a random nonce instead of the requested one.
        self.tamper_next_nonce: bool = False
        #: One-shot: claims merged over the next ID token (e.g. {"aud": "x"}, {"exp": 0}).
        self.next_id_token_claims: dict[str, Any] | None = None
        #: Query/form parameters of every authorize request received, in order.
        self.authorize_requests: list[dict[str, str]] = []

        self._codes: dict[str, _AuthorizationCode] = {}
        self._redeemed_codes: set[str] = set()
        self._tokens: dict[str, _AccessToken] = {}
        self._used_nonces: set[tuple[str, str]] = set()

        self._lock = threading.RLock()
        self._oauth = _AuthorizationServer(self)
        self._resource_protector = ResourceProtector()
        self._resource_protector.register_token_validator(_BearerValidator(self))
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> OidcTestProvider:
        if self._httpd is not None:
            raise RuntimeError("OidcTestProvider already started")
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.provider = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"oidc-test-provider-{httpd.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OidcTestProvider:
        if self._httpd is None:  # allow `with OidcTestProvider().start() as p:` too
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- configuration -----------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("OidcTestProvider is not started")
        return self._httpd.server_port

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    @property
    def authorization_endpoint(self) -> str:
        return self.issuer + "/authorize"

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/token"

    @property
    def jwks_uri(self) -> str:
        return self.issuer + "/jwks"

    @property
    def userinfo_endpoint(self) -> str:
        return self.issuer + "/userinfo"

    def register_client(
        self, client_id: str, client_secret: str, redirect_uris: list[str] | tuple[str, ...]
    ) -> ProviderClient:
        with self._lock:
            client = ProviderClient(client_id, client_secret, list(redirect_uris))
            self.clients[client_id] = client
            return client

    def add_user(
        self, subject: str, email: str, name: str, email_verified: bool = True
    ) -> ProviderUser:
        with self._lock:
            user = ProviderUser(subject, email, name, email_verified)
            self.users[subject] = user
            return user

    def jwks(self) -> dict[str, Any]:
        """The public JWK set (what ``/jwks`` serves)."""
        return KeySet([self.signing_key]).as_dict(private=False)

    def openid_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": self.token_endpoint,
            "jwks_uri": self.jwks_uri,
            "userinfo_endpoint": self.userinfo_endpoint,
            "scopes_supported": list(SUPPORTED_SCOPES),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": list(TOKEN_ENDPOINT_AUTH_METHODS),
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "at_hash",
                "email",
                "email_verified",
                "name",
            ],
        }

    # -- request handling ----------------------------------------------------------

    def _handle(self, method: str, raw_path: str, headers: Any, body: bytes) -> _Response:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        with self._lock:
            if path == "/.well-known/openid-configuration" and method == "GET":
                return 200, self.openid_configuration(), []
            if path == "/jwks" and method == "GET":
                return 200, self.jwks(), []
            request = _Request(method, self.issuer + raw_path, headers, parts.query, body)
            if path == "/authorize" and method in ("GET", "POST"):
                return self._authorize(request)
            if path == "/token" and method == "POST":
                return self._oauth.create_token_response(request)
            if path == "/userinfo" and method in ("GET", "POST"):
                return self._userinfo(request)
            return 404, {"error": "not_found"}, []

    def _authorize(self, request: _Request) -> _Response:
        self.authorize_requests.append(dict(request.payload.data))
        subject = request.payload.data.get("login_hint") or self.next_login
        if subject is None and len(self.users) == 1:
            subject = next(iter(self.users))
        user = self.users.get(subject) if subject else None
        try:
            grant = self._oauth.get_consent_grant(request, end_user=user)
        except OAuth2Error as error:
            return self._oauth.handle_error_response(request, error)
        return self._oauth.create_authorization_response(request, grant_user=user, grant=grant)

    def _userinfo(self, request: _Request) -> _Response:
        try:
            token = self._resource_protector.validate_request(["openid"], request)
        except OAuth2Error as error:
            return self._oauth.handle_error_response(request, error)
        user = self.users[token.subject]
        return 200, dict(user.claims().filter(token.scope)), []
