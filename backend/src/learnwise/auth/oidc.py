"""An OpenID Connect relying party: what single sign-on needs from a provider.

The provider's discovery document and key set are fetched with httpx and cached (per issuer and
per key set URL, in the shared cache) for an hour; an ID token signed with a key not in the
cached set makes the set be fetched again, for providers that rotate keys. The code is exchanged
with client_secret_basic or client_secret_post, as the provider announces, and the ID token is
checked as OpenID Connect Core 3.1.3.7 says: signature, iss (exactly the configured issuer),
aud, azp, exp, iat and nonce.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import jwt
from pydantic import TypeAdapter, ValidationError

from learnwise.auth.exceptions import SsoError
from learnwise.auth.schemas import Email
from learnwise.config import OidcProviderSettings
from learnwise.platform.runtime import Runtime

METADATA_TTL_SECONDS = 3600
HTTP_TIMEOUT = httpx.Timeout(10.0)
CLOCK_LEEWAY_SECONDS = 60
# Only the provider's published public keys may sign: no "none", and no HMAC with the client
# secret, which anyone holding that secret could forge.
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_email = TypeAdapter(Email)


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """What the provider's discovery document says, as far as this client needs it."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    token_endpoint_auth_methods: tuple[str, ...]
    id_token_algorithms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProviderIdentity:
    """The verified claims of one sign-in."""

    subject: str
    email: str | None
    email_verified: bool
    name: str


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def code_challenge(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636 4.2)."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


# ---------------------------------------------------------------------------------------------
# The provider's documents: discovery and keys, cached


def _http() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False)


def _json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


async def _get_json(http: httpx.AsyncClient, url: str, what: str, **kwargs: Any) -> Any:
    try:
        response = await http.get(url, **kwargs)
    except httpx.HTTPError as exc:
        raise SsoError(f"The provider's {what} could not be fetched.") from exc
    body = _json_of(response)
    if response.status_code != 200 or body is None:
        raise SsoError(f"The provider's {what} could not be read (HTTP {response.status_code}).")
    return body


def _metadata_from(document: Any, provider: OidcProviderSettings) -> ProviderMetadata:
    # OpenID Connect Discovery 4.3: the document must name exactly the configured issuer.
    if not isinstance(document, dict) or document.get("issuer") != provider.issuer:
        raise SsoError("The provider's discovery document does not name the configured issuer.")
    endpoints = {}
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(field)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise SsoError(f"The provider's discovery document has no valid {field}.")
        endpoints[field] = value
    userinfo = document.get("userinfo_endpoint")
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    algorithms = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    return ProviderMetadata(
        issuer=provider.issuer,
        userinfo_endpoint=userinfo if isinstance(userinfo, str) else None,
        token_endpoint_auth_methods=tuple(m for m in methods if isinstance(m, str)),
        id_token_algorithms=tuple(a for a in algorithms if a in SIGNING_ALGORITHMS),
        **endpoints,
    )


async def provider_metadata(
    runtime: Runtime, http: httpx.AsyncClient, provider: OidcProviderSettings
) -> ProviderMetadata:
    key = f"sso:discovery:{provider.issuer}"
    cached = await runtime.cache.get(key)
    if cached is not None:
        return _metadata_from(json.loads(cached), provider)
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = await _get_json(http, url, "discovery document")
    metadata = _metadata_from(document, provider)
    await runtime.cache.set(key, json.dumps(document), ttl_seconds=METADATA_TTL_SECONDS)
    return metadata


async def _key_set(
    runtime: Runtime, http: httpx.AsyncClient, jwks_uri: str, *, fresh: bool
) -> dict[str, Any]:
    key = f"sso:jwks:{jwks_uri}"
    if not fresh and (cached := await runtime.cache.get(key)) is not None:
        return json.loads(cached)
    document = await _get_json(http, jwks_uri, "key set")
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise SsoError("The provider's key set is malformed.")
    await runtime.cache.set(key, json.dumps(document), ttl_seconds=METADATA_TTL_SECONDS)
    return document


def _signing_key(jwks: dict[str, Any], kid: Any) -> dict[str, Any] | None:
    candidates = [
        k
        for k in jwks.get("keys", [])
        if isinstance(k, dict)
        and k.get("use", "sig") == "sig"
        and k.get("kty") in ("RSA", "EC", "OKP")
        and (kid is None or k.get("kid") == kid)
    ]
    return candidates[0] if len(candidates) == 1 else None


# ---------------------------------------------------------------------------------------------
# ID tokens


def _unverified_header(id_token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise SsoError("The provider returned a malformed ID token.") from exc


def verify_id_token(
    id_token: str,
    *,
    jwks: dict[str, Any],
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: Collection[str],
) -> dict[str, Any]:
    """The claims of an ID token after the checks of OpenID Connect Core 3.1.3.7."""
    header = _unverified_header(id_token)
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in SIGNING_ALGORITHMS:
        raise SsoError("The ID token is not signed with an accepted algorithm.")
    if algorithm not in algorithms:
        raise SsoError("The ID token is signed with an algorithm the provider does not announce.")
    jwk = _signing_key(jwks, header.get("kid"))
    if jwk is None:
        raise SsoError("The ID token is signed with a key the provider does not publish.")
    try:
        # A key that names its algorithm is used with that one only.
        key = jwt.PyJWK(jwk, algorithm=None if jwk.get("alg") else algorithm)
        claims = jwt.decode(
            id_token,
            key=key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.PyJWTError as exc:
        raise SsoError(f"The ID token is not valid: {exc}.") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise SsoError("The ID token was issued to another party (azp).")
    if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise SsoError("The ID token does not carry the nonce of this sign-in.")
    subject = claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise SsoError("The ID token has no valid subject.")
    return claims


def _valid_email(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return _email.validate_python(value)
    except ValidationError:
        return None


def _identity_from(claims: dict[str, Any]) -> ProviderIdentity:
    email = _valid_email(claims.get("email"))
    verified = claims.get("email_verified")
    name = claims.get("name") or claims.get("preferred_username") or ""
    name = " ".join(str(name).split())[:120] if isinstance(name, str) else ""
    return ProviderIdentity(
        subject=claims["sub"],
        email=email,
        # Some providers send the boolean as a string.
        email_verified=email is not None and (verified is True or verified == "true"),
        name=name or (email.split("@")[0] if email else "SSO user"),
    )


def _token_auth_method(metadata: ProviderMetadata, *, has_secret: bool) -> str:
    if not has_secret:
        return "none"
    supported = metadata.token_endpoint_auth_methods
    if "client_secret_basic" in supported or "client_secret_post" not in supported:
        return "client_secret_basic"
    return "client_secret_post"


async def _exchange_code(
    http: httpx.AsyncClient,
    provider: OidcProviderSettings,
    metadata: ProviderMetadata,
    *,
    redirect_uri: str,
    code: str,
    code_verifier: str,
) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    headers = {"Accept": "application/json"}
    secret = provider.client_secret.get_secret_value()
    method = _token_auth_method(metadata, has_secret=bool(secret))
    if method == "client_secret_basic":
        # RFC 6749 2.3.1: both parts are form-encoded before the Basic encoding.
        credentials = f"{quote(provider.client_id, safe='')}:{quote(secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    else:
        data["client_id"] = provider.client_id
        if method == "client_secret_post":
            data["client_secret"] = secret
    try:
        response = await http.post(metadata.token_endpoint, data=data, headers=headers)
    except httpx.HTTPError as exc:
        raise SsoError("The provider's token endpoint could not be reached.") from exc
    body = _json_of(response)
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        reason = str(error)[:64] if error else f"HTTP {response.status_code}"
        raise SsoError(f"The provider refused the authorization code ({reason}).")
    if not isinstance(body.get("id_token"), str):
        raise SsoError("The provider returned no ID token.")
    return body


# ---------------------------------------------------------------------------------------------
# The two steps of a sign-in


async def authorization_url(
    runtime: Runtime,
    provider: OidcProviderSettings,
    *,
    redirect_uri: str,
    state: str,
    nonce: str,
    code_verifier: str,
) -> str:
    """Where to send the browser: the authorization code flow, with PKCE (S256) and a nonce."""
    async with _http() as http:
        metadata = await provider_metadata(runtime, http, provider)
    scopes = provider.scopes.split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge(code_verifier),
        "code_challenge_method": "S256",
    }
    return str(httpx.URL(metadata.authorization_endpoint).copy_merge_params(params))


async def identify(
    runtime: Runtime,
    provider: OidcProviderSettings,
    *,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    nonce: str,
) -> ProviderIdentity:
    """Exchanges the code and returns who the verified ID token (and user info) says signed in."""
    async with _http() as http:
        metadata = await provider_metadata(runtime, http, provider)
        tokens = await _exchange_code(
            http,
            provider,
            metadata,
            redirect_uri=redirect_uri,
            code=code,
            code_verifier=code_verifier,
        )
        id_token = tokens["id_token"]
        kid = _unverified_header(id_token).get("kid")
        jwks = await _key_set(runtime, http, metadata.jwks_uri, fresh=False)
        if _signing_key(jwks, kid) is None:  # the provider may have rotated its keys
            jwks = await _key_set(runtime, http, metadata.jwks_uri, fresh=True)
        claims = verify_id_token(
            id_token,
            jwks=jwks,
            issuer=provider.issuer,
            client_id=provider.client_id,
            nonce=nonce,
            algorithms=metadata.id_token_algorithms,
        )
        access_token = tokens.get("access_token")
        if (
            _valid_email(claims.get("email")) is None
            and metadata.userinfo_endpoint
            and access_token
        ):
            info = await _get_json(
                http,
                metadata.userinfo_endpoint,
                "user info",
                headers={"Authorization": f"Bearer {access_token}"},
            )
            # OpenID Connect Core 5.3.2: user info about anyone else must not be used.
            if isinstance(info, dict) and info.get("sub") == claims["sub"]:
                claims = {**info, **{k: v for k, v in claims.items() if v is not None}}
    return _identity_from(claims)
