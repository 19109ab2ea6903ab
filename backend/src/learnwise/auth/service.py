"""Authentication: accounts, passwords, login sessions and the rotation of refresh tokens.

A login creates a session; the session owns a family of refresh tokens, each used exactly once.
Access tokens name their session, and every request checks, through the cache, that the session
is still active, so signing out, changing a password or deactivating an account takes effect at
once without a database query per request.
"""

import asyncio
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import event, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from learnwise.auth import passwords
from learnwise.auth.exceptions import (
    AccountInactive,
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
    SessionRevoked,
    UnknownRole,
    WrongCurrentPassword,
)
from learnwise.auth.models import AuthSession, RefreshToken, Role, User, UserRole
from learnwise.auth.permissions import BUILTIN_ROLE_PERMISSIONS, DEFAULT_ROLE, BuiltinRole
from learnwise.auth.schemas import UserRead
from learnwise.auth.tokens import hash_refresh_token, new_refresh_token, successor_refresh_token
from learnwise.db import after_commit, utcnow
from learnwise.errors import Conflict, NotFound
from learnwise.platform.cache import open_caches
from learnwise.platform.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: what an authenticated request knows without touching the database."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    roles: frozenset[str]
    permissions: frozenset[str]
    # The account as ``UserRead`` shows it (JSON-ready), when read from the session check's
    # cache entry (``load_principal``); None for principals made otherwise (jobs, the demo).
    profile: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def can(self, permission: str) -> bool:
        return permission in self.permissions


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    session: AuthSession
    csrf_token: str


@dataclass(frozen=True, slots=True)
class ClientInfo:
    user_agent: str = ""
    ip_address: str = ""


# ---------------------------------------------------------------------------------------------
# Accounts


async def get_user(*, session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def get_user_by_email(*, session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.lower()))


async def create_user(
    *,
    session: AsyncSession,
    email: str,
    display_name: str,
    password: str | None,
    roles: tuple[str, ...] = (DEFAULT_ROLE,),
    email_verified: bool = False,
) -> User:
    email = email.lower()
    if password is not None:
        passwords.check_policy(password, email=email, display_name=display_name)
    if await get_user_by_email(session=session, email=email) is not None:
        raise EmailTaken("An account with this email already exists.")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=await _hash(password) if password is not None else None,
        email_verified_at=utcnow() if email_verified else None,
        roles=[UserRole(role_name=role, permissions=[]) for role in roles],
    )
    try:
        # Added inside the savepoint: begin_nested() flushes what is pending before it starts,
        # and a duplicate flushed there would abort the whole transaction.
        async with session.begin_nested():
            session.add(user)
            await session.flush()
    except IntegrityError as exc:  # a concurrent registration with the same email won
        raise EmailTaken("An account with this email already exists.") from exc
    return user


async def register(
    *,
    session: AsyncSession,
    runtime: Runtime,
    email: str,
    display_name: str,
    password: str,
    client: ClientInfo,
) -> User:
    """Self-service sign-up of a learner, limited per IP."""
    await runtime.limiter.hit(
        runtime.settings.auth.register_rate_per_ip, "register-ip", client.ip_address
    )
    return await create_user(
        session=session, email=email, display_name=display_name, password=password
    )


async def authenticate(
    *, session: AsyncSession, runtime: Runtime, email: str, password: str, client: ClientInfo
) -> User:
    """Checks an email and password, under rate limits per IP and per account and IP.

    An unknown email and a wrong password take the same time and give the same answer.
    """
    limits = runtime.settings.auth
    await runtime.limiter.hit(limits.login_rate_per_ip, "login-ip", client.ip_address)
    await runtime.limiter.hit(
        limits.login_rate_per_account_ip, "login-account", email.lower(), client.ip_address
    )
    user = await get_user_by_email(session=session, email=email)
    valid, new_hash = await _verify(password, user.password_hash if user else None)
    if user is None or not valid:
        raise InvalidCredentials("The email or password is incorrect.")
    if not user.is_active:
        raise AccountInactive("This account has been deactivated.")
    if new_hash is not None:
        user.password_hash = new_hash
    return user


async def change_password(
    *,
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    current_password: str,
    new_password: str,
) -> None:
    """Changes the password and signs out every other session of the user.

    Limited like a login, so that a stolen access token cannot be used to guess the password.
    """
    user = await get_user(session=session, user_id=principal.user_id)
    if user.password_hash:
        await runtime.limiter.hit(
            runtime.settings.auth.login_rate_per_account_ip, "password-change", str(user.user_id)
        )
        valid, _ = await _verify(current_password, user.password_hash)
        if not valid:
            raise WrongCurrentPassword("The current password is incorrect.")
    passwords.check_policy(new_password, email=user.email, display_name=user.display_name)
    user.password_hash = await _hash(new_password)
    await revoke_user_sessions(
        session=session,
        runtime=runtime,
        user_id=user.user_id,
        reason="password_changed",
        keep=principal.session_id,
    )


# Argon2 costs tens of milliseconds of CPU by design: in a thread, so that the event loop keeps
# serving other requests meanwhile (the hashing releases the GIL).
async def rename(*, session: AsyncSession, principal: Principal, display_name: str) -> User:
    """Changes the caller's display name. Their cached entry is retired by the flush (see
    ``_note_changed_users``); the courses they teach are the content service's to refresh."""
    user = await get_user(session=session, user_id=principal.user_id)
    user.display_name = display_name
    await session.flush()
    return user


async def _hash(password: str) -> str:
    return await asyncio.to_thread(passwords.hash_password, password)


async def _verify(password: str, hashed: str | None) -> tuple[bool, str | None]:
    return await asyncio.to_thread(passwords.verify_password, password, hashed)


# ---------------------------------------------------------------------------------------------
# Roles and permissions


async def custom_roles(*, session: AsyncSession) -> dict[str, Role]:
    return {role.name: role for role in await session.scalars(select(Role))}


async def permissions_of(*, session: AsyncSession, user: User) -> frozenset[str]:
    granted: set[str] = set()
    custom: dict[str, Role] | None = None
    for assignment in user.roles:
        granted.update(assignment.permissions)
        if assignment.role_name in BUILTIN_ROLE_PERMISSIONS:
            granted.update(BUILTIN_ROLE_PERMISSIONS[assignment.role_name])
            continue
        if custom is None:
            custom = await custom_roles(session=session)
        if assignment.role_name in custom:
            granted.update(custom[assignment.role_name].permissions)
    return frozenset(granted)


async def role_exists(*, session: AsyncSession, name: str) -> bool:
    if name in BUILTIN_ROLE_PERMISSIONS:
        return True
    return await session.scalar(select(func.count()).where(Role.name == name)) > 0


async def grant_role(
    *, session: AsyncSession, runtime: Runtime, user_id: uuid.UUID, role: str
) -> User:
    user = await get_user(session=session, user_id=user_id)
    if not await role_exists(session=session, name=role):
        raise UnknownRole(f"There is no role named {role!r}.")
    if role not in user.role_names:
        user.roles.append(UserRole(role_name=role, permissions=[]))
        await session.flush()
        await forget_principals(session=session, runtime=runtime, user_ids=[user.user_id])
    return user


async def revoke_role(
    *, session: AsyncSession, runtime: Runtime, user_id: uuid.UUID, role: str
) -> User:
    user = await get_user(session=session, user_id=user_id)
    held = [r for r in user.roles if r.role_name == role]
    if not held:
        raise NotFound(f"The user does not hold the role {role!r}.")
    # Only an active admin counts: a deactivated one may lose the role whatever the count.
    if role == BuiltinRole.ADMIN and user.is_active and await _admin_count(session=session) <= 1:
        raise Conflict("The last admin cannot lose the admin role.")
    for assignment in held:
        user.roles.remove(assignment)
    await session.flush()
    await forget_principals(session=session, runtime=runtime, user_ids=[user.user_id])
    return user


async def _admin_count(*, session: AsyncSession) -> int:
    """The number of active admins, their rows locked until commit, so that two admins stepping
    down (or deactivating each other) at once cannot leave none: the second waits for the first
    and counts again. PostgreSQL needs the row locks; SQLite's writers take turns already."""
    admins = await session.scalars(
        select(UserRole.user_id)
        .join(User, User.user_id == UserRole.user_id)
        .where(UserRole.role_name == BuiltinRole.ADMIN, User.is_active.is_(True))
        .with_for_update()
    )
    return len(set(admins))


async def create_role(
    *, session: AsyncSession, name: str, description: str, permissions: list[str]
) -> Role:
    if await role_exists(session=session, name=name):
        raise Conflict(f"A role named {name!r} already exists.")
    role = Role(name=name, description=description, permissions=sorted(set(permissions)))
    try:
        async with session.begin_nested():
            session.add(role)
            await session.flush()
    except IntegrityError as exc:  # a concurrent request created it first
        raise Conflict(f"A role named {name!r} already exists.") from exc
    return role


async def update_role(
    *,
    session: AsyncSession,
    runtime: Runtime,
    name: str,
    description: str | None,
    permissions: list[str] | None,
) -> Role:
    role = await _custom_role(session=session, name=name)
    if description is not None:
        role.description = description
    if permissions is not None:
        role.permissions = sorted(set(permissions))
    await session.flush()
    await forget_principals(
        session=session, runtime=runtime, user_ids=await _holders(session, name)
    )
    return role


async def delete_role(*, session: AsyncSession, runtime: Runtime, name: str) -> None:
    role = await _custom_role(session=session, name=name)
    holders = await _holders(session, name)
    for assignment in await session.scalars(select(UserRole).where(UserRole.role_name == name)):
        await session.delete(assignment)
    await session.delete(role)
    await session.flush()
    await forget_principals(session=session, runtime=runtime, user_ids=holders)


async def _custom_role(*, session: AsyncSession, name: str) -> Role:
    if name in BUILTIN_ROLE_PERMISSIONS:
        raise Conflict(f"{name!r} is a built-in role; its permissions are fixed.")
    role = await session.scalar(select(Role).where(Role.name == name))
    if role is None:
        raise NotFound(f"There is no role named {name!r}.")
    return role


async def _holders(session: AsyncSession, role: str) -> list[uuid.UUID]:
    return list(await session.scalars(select(UserRole.user_id).where(UserRole.role_name == role)))


# ---------------------------------------------------------------------------------------------
# Administration of users


async def search_users(
    *, session: AsyncSession, query: str | None, role: str | None, offset: int, limit: int
) -> tuple[list[User], int]:
    statement = select(User)
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            or_(
                User.email.like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
            )
        )
    if role:
        statement = statement.where(
            User.user_id.in_(select(UserRole.user_id).where(UserRole.role_name == role))
        )
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    users = await session.scalars(
        statement.order_by(User.created_at, User.user_id).offset(offset).limit(limit)
    )
    return list(users), total or 0


async def set_active(
    *, session: AsyncSession, runtime: Runtime, user_id: uuid.UUID, active: bool
) -> User:
    user = await get_user(session=session, user_id=user_id)
    if user.is_active == active:
        return user
    if (
        not active
        and BuiltinRole.ADMIN in user.role_names
        and await _admin_count(session=session) <= 1
    ):
        raise Conflict("The last active admin cannot be deactivated.")
    user.is_active = active
    user.deactivated_at = None if active else utcnow()
    if not active:
        await revoke_user_sessions(
            session=session, runtime=runtime, user_id=user.user_id, reason="deactivated"
        )
    return user


# ---------------------------------------------------------------------------------------------
# Sessions and tokens


def csrf_token_for(runtime: Runtime, session_id: uuid.UUID) -> str:
    """A CSRF token bound to the login session (the signed double-submit pattern)."""
    key = runtime.settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + session_id.bytes, hashlib.sha256).hexdigest()


def _issue(
    runtime: Runtime, user: User, auth_session: AuthSession, refresh_token: str
) -> IssuedTokens:
    return IssuedTokens(
        access_token=runtime.signer.issue(
            user_id=user.user_id, session_id=auth_session.session_id, roles=user.role_names
        ),
        expires_in=runtime.signer.lifetime_seconds,
        refresh_token=refresh_token,
        session=auth_session,
        csrf_token=csrf_token_for(runtime, auth_session.session_id),
    )


async def start_session(
    *, session: AsyncSession, runtime: Runtime, user: User, client: ClientInfo, method: str
) -> IssuedTokens:
    """Signs a user in: a new session with the first refresh token of its family."""
    if not user.is_active:
        raise AccountInactive("This account has been deactivated.")
    now = utcnow()
    user.last_login_at = now
    auth_session = AuthSession(
        user_id=user.user_id,
        user_agent=client.user_agent[:512],
        ip_address=client.ip_address[:64],
        auth_method=method,
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(days=runtime.settings.auth.refresh_absolute_days),
    )
    session.add(auth_session)
    await session.flush()
    refresh_token = new_refresh_token()
    session.add(
        RefreshToken(
            session_id=auth_session.session_id,
            token_hash=hash_refresh_token(refresh_token),
            created_at=now,
        )
    )
    await session.flush()
    return _issue(runtime, user, auth_session, refresh_token)


async def session_of_refresh_token(
    *, session: AsyncSession, refresh_token: str
) -> tuple[RefreshToken, AuthSession]:
    token = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(refresh_token))
    )
    if token is None:
        raise InvalidRefreshToken("The refresh token is not valid.")
    auth_session = await session.get(AuthSession, token.session_id)
    assert auth_session is not None  # the foreign key cascades
    return token, auth_session


def _session_usable(auth_session: AuthSession, runtime: Runtime, now: datetime) -> bool:
    idle_limit = timedelta(days=runtime.settings.auth.refresh_idle_days)
    return (
        auth_session.revoked_at is None
        and auth_session.expires_at > now
        and auth_session.last_used_at + idle_limit > now
    )


async def refresh(*, session: AsyncSession, runtime: Runtime, refresh_token: str) -> IssuedTokens:
    """Rotates a refresh token.

    The first use wins a conditional UPDATE and gets the successor. A replay of the same token
    within the grace window (a response lost on the way) gets that same successor, as long as
    the successor has not been used itself. Any other reuse means the token was stolen: the
    whole session is revoked, the newest token included.
    """
    token, auth_session = await session_of_refresh_token(
        session=session, refresh_token=refresh_token
    )
    now = utcnow()
    if not _session_usable(auth_session, runtime, now):
        raise InvalidRefreshToken("The session has ended; sign in again.")
    user = await get_user(session=session, user_id=auth_session.user_id)
    if not user.is_active:
        raise AccountInactive("This account has been deactivated.")

    successor = successor_refresh_token(
        refresh_token, runtime.settings.secret_key.get_secret_value()
    )
    claimed = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_id == token.token_id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:
        session.add(
            RefreshToken(
                session_id=auth_session.session_id,
                parent_id=token.token_id,
                token_hash=hash_refresh_token(successor),
                created_at=now,
            )
        )
        auth_session.last_used_at = now
        await session.flush()
        return _issue(runtime, user, auth_session, successor)

    await session.refresh(token)
    child = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(successor))
    )
    grace = timedelta(seconds=runtime.settings.auth.refresh_grace_seconds)
    if (
        token.rotated_at is not None
        and now - token.rotated_at <= grace
        and child is not None
        and child.rotated_at is None
    ):
        return _issue(runtime, user, auth_session, successor)
    await revoke_session(
        session=session, runtime=runtime, auth_session=auth_session, reason="refresh_token_reused"
    )
    raise RefreshTokenReused("This refresh token was already used; the session was revoked.")


async def list_sessions(*, session: AsyncSession, user_id: uuid.UUID) -> list[AuthSession]:
    now = utcnow()
    rows = await session.scalars(
        select(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
        .order_by(AuthSession.last_used_at.desc())
    )
    return list(rows)


async def get_own_session(
    *, session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID
) -> AuthSession:
    auth_session = await session.get(AuthSession, session_id)
    # Another user's session is reported exactly like a missing one.
    if auth_session is None or auth_session.user_id != user_id or auth_session.revoked_at:
        raise NotFound("No such session.")
    return auth_session


async def revoke_session(
    *, session: AsyncSession, runtime: Runtime, auth_session: AuthSession, reason: str
) -> None:
    if auth_session.revoked_at is None:
        auth_session.revoked_at = utcnow()
        auth_session.revoked_reason = reason
        await session.flush()
    _mark_revoked_after_commit(session, runtime, [auth_session.session_id])


async def revoke_user_sessions(
    *,
    session: AsyncSession,
    runtime: Runtime,
    user_id: uuid.UUID,
    reason: str,
    keep: uuid.UUID | None = None,
) -> int:
    revoked = [
        s for s in await list_sessions(session=session, user_id=user_id) if s.session_id != keep
    ]
    now = utcnow()
    for auth_session in revoked:
        auth_session.revoked_at = now
        auth_session.revoked_reason = reason
    await session.flush()
    _mark_revoked_after_commit(session, runtime, [s.session_id for s in revoked])
    return len(revoked)


# ---------------------------------------------------------------------------------------------
# The per-request check, from the cache: the session's state (``auth:session:<sid>``), and its
# user's state, permissions and profile (``auth:user:<uid>``). Read from the database on a miss.

_REVOKED = json.dumps({"active": False})
# Written over a user's entry once a change to them committed, each time with a new token (a
# "tombstone"). While it lives, a reader that read the user before the change cannot store what
# it read (``add`` fills only an empty key); a reader that found the tombstone read after the
# change, and puts what it read in its place only if that very tombstone is still there
# (``replace``): a later change has written another. Kept as long as an entry would be.
_CHANGED_PREFIX = '{"changed": '
_CHANGED_SECONDS = 60


def _changed_marker() -> str:
    return _CHANGED_PREFIX + json.dumps(secrets.token_hex(8)) + "}"


def _is_changed_marker(value: str) -> bool:
    return value.startswith(_CHANGED_PREFIX)


_CHANGED_USERS = "learnwise.auth.changed_users"


def _session_key(session_id: uuid.UUID) -> str:
    return f"auth:session:{session_id}"


def _user_key(user_id: uuid.UUID) -> str:
    return f"auth:user:{user_id}"


def _mark_revoked_after_commit(
    session: AsyncSession, runtime: Runtime, session_ids: list[uuid.UUID]
) -> None:
    # Kept as long as any access token of these sessions can live; the database says the same
    # afterwards, so expiry of the entry loses nothing.
    ttl = runtime.signer.lifetime_seconds + 60

    async def mark() -> None:
        for session_id in session_ids:
            await runtime.session_cache.set(_session_key(session_id), _REVOKED, ttl_seconds=ttl)

    after_commit(session, mark)


async def forget_principals(
    *, session: AsyncSession, runtime: Runtime, user_ids: list[uuid.UUID]
) -> None:
    """Drops the cached state of these users once the change has committed: for changes the
    users' own rows do not show (a custom role's permissions). Changes to a user's row or role
    assignments are noticed on their own (``_note_changed_users``)."""
    _forget_users_after_commit(session.sync_session, user_ids)


def _forget_users_after_commit(session: Session, user_ids: Iterable[uuid.UUID]) -> None:
    changed: set[uuid.UUID] | None = session.info.get(_CHANGED_USERS)
    if changed is None:
        changed = session.info[_CHANGED_USERS] = set()

        async def forget() -> None:
            # Every cache of this process: the session check's copy and the shared entries.
            keys = [_user_key(u) for u in session.info.pop(_CHANGED_USERS, set())]
            for cache in open_caches():
                for key in keys:
                    await cache.set(key, _changed_marker(), ttl_seconds=_CHANGED_SECONDS)

        session.info.setdefault("after_commit", []).append(forget)
    changed.update(user_ids)


@event.listens_for(Session, "after_flush")
def _note_changed_users(session: Session, _context: Any) -> None:
    """Any flushed change to a user or their role assignments retires their cached entry."""
    user_ids = [
        obj.user_id
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, User | UserRole)
    ]
    if user_ids:
        _forget_users_after_commit(session, user_ids)


async def load_principal(
    *, runtime: Runtime, user_id: uuid.UUID, session_id: uuid.UUID
) -> Principal:
    """The caller of a request whose access token verified, from the cache."""
    session_entry = await _cached_entry(
        runtime, _session_key(session_id), partial(_read_session, runtime, session_id)
    )
    if not session_entry["active"] or session_entry["user_id"] != str(user_id):
        raise SessionRevoked("This session has been signed out; sign in again.")
    user_entry = await _cached_entry(runtime, _user_key(user_id), partial(_read_user, user_id))
    if not user_entry["active"]:
        raise SessionRevoked("This session has been signed out; sign in again.")
    return Principal(
        user_id=user_id,
        session_id=session_id,
        roles=frozenset(user_entry["roles"]),
        permissions=frozenset(user_entry["permissions"]),
        profile=user_entry["profile"],
    )


# Misses of one key on this instance share one database read. Without this, when an entry
# expires under load, every request for it reads the database at once, and the slower those
# reads get, the more requests pile up behind them.
_reads_in_flight: dict[tuple[int, str, str | None], "asyncio.Task[dict[str, Any]]"] = {}


async def _cached_entry(
    runtime: Runtime, key: str, read: Callable[[AsyncSession], Awaitable[dict[str, Any]]]
) -> dict[str, Any]:
    cache = runtime.session_cache
    cached = await cache.get(key)
    if cached is not None and not _is_changed_marker(cached):
        return json.loads(cached)
    # Only requests that found the same thing (nothing, or one tombstone) share a read.
    flight = (id(cache), key, cached)
    task = _reads_in_flight.get(flight)
    if task is None:
        task = asyncio.ensure_future(_read_through(runtime, key, read, found=cached))
        _reads_in_flight[flight] = task
        task.add_done_callback(lambda _: _reads_in_flight.pop(flight, None))
    # Shielded: a request that goes away must not cancel the read others wait for.
    return await asyncio.shield(task)


async def _read_through(
    runtime: Runtime,
    key: str,
    read: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
    *,
    found: str | None,
) -> dict[str, Any]:
    """Reads the entry from the database and stores it in place of what the cache held before
    the read began (``found``: nothing, or a tombstone), only if the cache still holds that: a
    revocation or change written while we read the database must not be overwritten by what
    we read before it. What we read is still this request's answer."""
    async with runtime.sessionmaker() as session:
        entry = await read(session)
    cache = runtime.session_cache
    ttl = runtime.settings.auth.session_cache_seconds
    value = json.dumps(entry)
    if found is None:
        stored = await cache.add(key, value, ttl_seconds=ttl)
    else:
        stored = await cache.replace(key, found, value, ttl_seconds=ttl)
    if not stored:
        current = await cache.get(key)
        if current is not None and not _is_changed_marker(current):
            return json.loads(current)
    return entry


async def _read_session(
    runtime: Runtime, session_id: uuid.UUID, session: AsyncSession
) -> dict[str, Any]:
    auth_session = await session.get(AuthSession, session_id)
    if auth_session is None or not _session_usable(auth_session, runtime, utcnow()):
        return {"active": False}
    return {"active": True, "user_id": str(auth_session.user_id)}


async def _read_user(user_id: uuid.UUID, session: AsyncSession) -> dict[str, Any]:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        return {"active": False}
    return {
        "active": True,
        "roles": user.role_names,
        "permissions": sorted(await permissions_of(session=session, user=user)),
        "profile": UserRead.model_validate(user).model_dump(mode="json"),
    }
