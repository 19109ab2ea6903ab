"""Identity tables: users, role assignments, custom roles, login sessions, refresh tokens and
single-sign-on identities."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learnwise.db import Base, JsonDocument, TimestampMixin, new_id, utcnow


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # Case-insensitive uniqueness: emails are stored lower-cased (the check makes the
        # database refuse anything else), so a plain unique constraint is enough.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # Empty for accounts that only ever sign in through single sign-on.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> list[str]:
        return sorted({r.role_name for r in self.roles})

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)


class UserRole(Base):
    """The seed's user_roles: one role held by one user.

    ``permissions`` holds permissions granted to this user on top of the role's own (usually
    empty); the role's permissions come from the built-in definitions or the ``role`` table.
    """

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role_name"),)

    role_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Indexed by the unique (user_id, role_name) constraint, which starts with it.
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    role_name: Mapped[str] = mapped_column(String(50), index=True)
    permissions: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )

    user: Mapped[User] = relationship(back_populates="roles")


class Role(TimestampMixin, Base):
    """A custom role defined by an admin; the built-in roles live in ``permissions.py``."""

    __tablename__ = "role"

    role_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    permissions: Mapped[list[str]] = mapped_column(JsonDocument, default=list)


class AuthSession(Base):
    """One login: the family of refresh tokens it rotates through, and where it came from."""

    __tablename__ = "auth_session"

    session_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    auth_method: Mapped[str] = mapped_column(String(64), default="password")
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(Base):
    """A refresh token, stored only as its SHA-256 hash.

    A token rotates exactly once: ``rotated_at`` is set by a conditional UPDATE, so among
    concurrent refreshes a single one wins. The successor's secret is derived from the parent's
    (HMAC with the server key), so a replay of the parent within the grace window can be handed
    the same successor without storing any token in the clear.
    """

    __tablename__ = "refresh_token"

    token_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_session.session_id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("refresh_token.token_id", ondelete="SET NULL"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime | None]


class OidcIdentity(Base):
    """A user's account at an OpenID Connect provider, linked by (issuer, subject)."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    identity_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(32))
    issuer: Mapped[str] = mapped_column(String(512))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class OidcLoginState(Base):
    """An authorization request in flight: its state, nonce and PKCE verifier, used once."""

    __tablename__ = "oidc_login_state"

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    redirect_after: Mapped[str] = mapped_column(String(1024), default="/")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
