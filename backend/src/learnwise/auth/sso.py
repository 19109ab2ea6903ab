"""Single sign-on with OpenID Connect providers (Google, Microsoft, Keycloak, ...).

The authorization code flow with PKCE (S256), state and nonce:

1. ``begin`` stores a single-use login state (nonce, PKCE verifier, where to go afterwards) and
   returns the provider's authorization URL for it.
2. ``complete`` spends the state, has ``oidc.identify`` exchange the code with the verifier and
   verify the ID token, then signs the user in, or links the provider to the user who started a
   linking flow.

The state is also bound to the browser that started the flow: its last part is an HMAC of a
random value held in an HttpOnly cookie, so a callback URL obtained in one browser cannot sign
another browser in (login CSRF, RFC 6749 section 10.12).

Accounts are matched by (issuer, subject) only, never by email: an email address is only as
trustworthy as the least careful provider that asserts it.
"""

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import structlog
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import oidc, service
from learnwise.auth.exceptions import (
    AccountInactive,
    EmailTaken,
    SsoCallbackFailed,
    SsoEmailConflict,
    SsoError,
    SsoIdentityLinked,
)
from learnwise.auth.models import OidcIdentity, OidcLoginState, User
from learnwise.auth.oidc import ProviderIdentity
from learnwise.auth.service import ClientInfo, IssuedTokens
from learnwise.config import OidcProviderSettings, Settings
from learnwise.db import after_commit, utcnow
from learnwise.errors import NotFound
from learnwise.platform.runtime import Runtime

log = structlog.get_logger(__name__)

SSO_PATH = "/api/v1/auth/sso"
STATE_LIFETIME = timedelta(minutes=10)
LOGIN, LINK = "login", "link"
_BINDING = re.compile(r"^[A-Za-z0-9_-]{43}$")

EMAIL_CONFLICT_DETAIL = (
    "An account with this email address already exists. Sign in with your password, then link "
    "{provider} from your account to use it for signing in."
)


@dataclass(frozen=True, slots=True)
class SsoOutcome:
    user: User
    redirect_after: str
    # None when the flow linked the provider to the user who started it, without a new session.
    tokens: IssuedTokens | None


@dataclass(frozen=True, slots=True)
class _SpentState:
    purpose: str
    nonce: str
    code_verifier: str
    redirect_after: str


# ---------------------------------------------------------------------------------------------
# Configuration


def get_provider(settings: Settings, name: str) -> OidcProviderSettings:
    for provider in settings.auth.oidc_providers:
        if provider.name == name:
            return provider
    raise NotFound(f"There is no single sign-on provider named {name!r}.")


def login_url(settings: Settings, name: str) -> str:
    return f"{settings.public_url.rstrip('/')}{SSO_PATH}/{name}/login"


def redirect_uri(settings: Settings, name: str) -> str:
    return f"{settings.public_url.rstrip('/')}{SSO_PATH}/{name}/callback"


def safe_redirect(target: str | None) -> str:
    """``target`` when it is a path on this site, else "/": the flow never leads off the site."""
    if not target or len(target) > 1024 or not target.startswith("/"):
        return "/"
    # "//host" and "/\\host" are read by browsers as other hosts; control characters are
    # stripped by them, which could turn "/\t/host" into "//host".
    if (
        target.startswith("//")
        or "\\" in target
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    ):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def browser_binding(existing: str | None) -> str:
    """The random value, kept in a cookie, that ties login states to one browser. An existing
    one is kept so that sign-ins started in two tabs both work."""
    if existing and _BINDING.fullmatch(existing):
        return existing
    return secrets.token_urlsafe(32)


def _binding_mac(runtime: Runtime, purpose: str, token: str, binding: str) -> str:
    key = runtime.settings.secret_key.get_secret_value().encode()
    message = f"sso-state|{purpose}|{token}|{binding}".encode()
    return oidc.b64url(hmac.new(key, message, hashlib.sha256).digest())


def _link_key(state: str) -> str:
    return f"sso:link:{state}"


# ---------------------------------------------------------------------------------------------
# The flow


async def begin(
    *,
    session: AsyncSession,
    runtime: Runtime,
    provider: OidcProviderSettings,
    redirect: str | None,
    binding: str,
    client: ClientInfo,
    link_user_id: uuid.UUID | None = None,
) -> str:
    """Stores a login state and returns the provider's authorization URL for it."""
    await runtime.limiter.hit(
        runtime.settings.auth.login_rate_per_ip, "sso-login", client.ip_address
    )
    purpose = LINK if link_user_id is not None else LOGIN
    token = secrets.token_urlsafe(24)
    state = f"{purpose}.{token}.{_binding_mac(runtime, purpose, token, binding)}"
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters (RFC 7636: 43 to 128)
    url = await oidc.authorization_url(
        runtime,
        provider,
        redirect_uri=redirect_uri(runtime.settings, provider.name),
        state=state,
        nonce=nonce,
        code_verifier=verifier,
    )
    now = utcnow()
    await session.execute(delete(OidcLoginState).where(OidcLoginState.expires_at < now))
    session.add(
        OidcLoginState(
            state=state,
            provider=provider.name,
            nonce=nonce,
            code_verifier=verifier,
            redirect_after=safe_redirect(redirect),
            created_at=now,
            expires_at=now + STATE_LIFETIME,
        )
    )
    await session.flush()
    if link_user_id is not None:

        async def remember_link() -> None:
            await runtime.cache.set(
                _link_key(state),
                str(link_user_id),
                ttl_seconds=int(STATE_LIFETIME.total_seconds()),
            )

        after_commit(session, remember_link)
    return url


async def complete(
    *,
    session: AsyncSession,
    runtime: Runtime,
    provider: OidcProviderSettings,
    code: str | None,
    state: str | None,
    error: str | None,
    binding: str | None,
    client: ClientInfo,
) -> SsoOutcome:
    """Handles the provider's redirect back: signs the user in, or links the provider.

    Every failure leaves the state spent and creates nothing.
    """
    spent = await _spend_state(session, runtime, provider, state, binding)
    link_user_id = await _link_target(runtime, state, spent) if spent.purpose == LINK else None
    try:
        if error:
            raise SsoError(f"The provider did not sign you in ({error[:64]}).")
        if not code:
            raise SsoError("The provider sent no authorization code.")
        identity = await oidc.identify(
            runtime,
            provider,
            redirect_uri=redirect_uri(runtime.settings, provider.name),
            code=code,
            code_verifier=spent.code_verifier,
            nonce=spent.nonce,
        )
    except SsoError as exc:
        log.warning("sso_failed", provider=provider.name, reason=exc.detail)
        raise SsoCallbackFailed(exc.detail) from exc

    if link_user_id is not None:
        user = await _link(session, provider, identity, link_user_id)
        return SsoOutcome(user=user, redirect_after=spent.redirect_after, tokens=None)
    user = await _account_for(session, provider, identity)
    tokens = await service.start_session(
        session=session, runtime=runtime, user=user, client=client, method=f"oidc:{provider.name}"
    )
    return SsoOutcome(user=user, redirect_after=spent.redirect_after, tokens=tokens)


async def _spend_state(
    session: AsyncSession,
    runtime: Runtime,
    provider: OidcProviderSettings,
    state: str | None,
    binding: str | None,
) -> _SpentState:
    unknown = SsoCallbackFailed("This sign-in request is unknown or was already used; start again.")
    if not state or len(state) > 128:
        raise unknown
    # DELETE ... RETURNING: of two callbacks with the same state, exactly one gets the row.
    row = (
        await session.execute(
            delete(OidcLoginState)
            .where(OidcLoginState.state == state, OidcLoginState.provider == provider.name)
            .returning(
                OidcLoginState.nonce,
                OidcLoginState.code_verifier,
                OidcLoginState.redirect_after,
                OidcLoginState.expires_at,
            )
        )
    ).one_or_none()
    if row is None:
        raise unknown
    expires_at: datetime = row.expires_at
    if expires_at <= utcnow():
        raise SsoCallbackFailed("This sign-in took too long; start again.")
    purpose, _, rest = state.partition(".")
    token, _, mac = rest.rpartition(".")
    expected = _binding_mac(runtime, purpose, token, binding or "")
    if not binding or not hmac.compare_digest(mac.encode(), expected.encode()):
        raise SsoCallbackFailed(
            "This sign-in was started in another browser (or its cookie was lost); start again."
        )
    return _SpentState(
        purpose=purpose,
        nonce=row.nonce,
        code_verifier=row.code_verifier,
        redirect_after=row.redirect_after,
    )


async def _link_target(runtime: Runtime, state: str | None, spent: _SpentState) -> uuid.UUID:
    key = _link_key(state or "")
    user_id = await runtime.cache.get(key)
    await runtime.cache.delete(key)
    if user_id is None:
        raise SsoCallbackFailed("This linking request has expired; start again from your account.")
    return uuid.UUID(user_id)


async def _identity_row(
    session: AsyncSession, provider: OidcProviderSettings, subject: str
) -> OidcIdentity | None:
    return await session.scalar(
        select(OidcIdentity).where(
            OidcIdentity.issuer == provider.issuer, OidcIdentity.subject == subject
        )
    )


async def _add_identity(
    session: AsyncSession,
    provider: OidcProviderSettings,
    identity: ProviderIdentity,
    user: User,
) -> None:
    session.add(
        OidcIdentity(
            user_id=user.user_id,
            provider=provider.name,
            issuer=provider.issuer,
            subject=identity.subject,
            email=identity.email,
            last_login_at=utcnow(),
        )
    )
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # a concurrent sign-in linked the same account first
        raise SsoIdentityLinked(
            f"This {provider.display_name} account is already linked to a Learnwise account."
        ) from exc


async def _account_for(
    session: AsyncSession, provider: OidcProviderSettings, identity: ProviderIdentity
) -> User:
    """The user linked to this provider account; a new user if there is none and the email is
    free. An email already in use is never taken as proof of owning that account."""
    linked = await _identity_row(session, provider, identity.subject)
    if linked is not None:
        linked.email = identity.email
        linked.last_login_at = utcnow()
        return await service.get_user(session=session, user_id=linked.user_id)
    if identity.email is None:
        raise SsoCallbackFailed(
            f"{provider.display_name} did not share a valid email address, which a new account "
            "needs."
        )
    conflict = EMAIL_CONFLICT_DETAIL.format(provider=provider.display_name)
    if await service.get_user_by_email(session=session, email=identity.email) is not None:
        raise SsoEmailConflict(conflict)
    try:
        user = await service.create_user(
            session=session,
            email=identity.email,
            display_name=identity.name,
            password=None,
            email_verified=identity.email_verified,
        )
    except EmailTaken as exc:
        raise SsoEmailConflict(conflict) from exc
    await _add_identity(session, provider, identity, user)
    return user


async def _link(
    session: AsyncSession,
    provider: OidcProviderSettings,
    identity: ProviderIdentity,
    user_id: uuid.UUID,
) -> User:
    user = await service.get_user(session=session, user_id=user_id)
    if not user.is_active:
        raise AccountInactive("This account has been deactivated.")
    linked = await _identity_row(session, provider, identity.subject)
    if linked is None:
        await _add_identity(session, provider, identity, user)
    elif linked.user_id != user.user_id:
        raise SsoIdentityLinked(
            f"This {provider.display_name} account is already linked to another Learnwise account."
        )
    else:
        linked.email = identity.email
    return user
