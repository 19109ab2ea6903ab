"""Request and response bodies of the authentication and administration API."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)

from learnwise.auth.permissions import Permission


def _lower(email: str) -> str:
    return email.lower()


Email = Annotated[EmailStr, Field(max_length=320), AfterValidator(_lower)]
# Length limits are the policy's to enforce with a clear message; this bound only stops abuse.
Password = Annotated[str, Field(min_length=1, max_length=1024)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
RoleName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,49}$")]
RefreshDelivery = Literal["body", "cookie"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(StrictModel):
    email: Email
    password: Password
    display_name: DisplayName
    refresh_in: RefreshDelivery = Field(
        "body", description="Where to return the refresh token: the JSON body, or a cookie."
    )


class LoginIn(StrictModel):
    email: Email
    password: Password
    refresh_in: RefreshDelivery = "body"


class RefreshIn(StrictModel):
    refresh_token: str | None = Field(
        None, max_length=256, description="Omit to use the refresh cookie (with X-CSRF-Token)."
    )


class PasswordChangeIn(StrictModel):
    current_password: Password
    new_password: Password


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    session_id: uuid.UUID
    refresh_token: str | None = Field(
        None, description="Absent when the refresh token was set as a cookie."
    )
    csrf_token: str | None = Field(
        None, description="Send as X-CSRF-Token when refreshing or signing out with the cookie."
    )


class OAuthTokenOut(BaseModel):
    """RFC 6749 section 5.1."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    refresh_token: str


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: uuid.UUID
    email: str
    display_name: str
    is_active: bool
    email_verified_at: datetime | None
    last_login_at: datetime | None
    created_at: datetime
    roles: list[str] = Field(validation_alias=AliasChoices("role_names", "roles"))
    has_password: bool


class MeRead(UserRead):
    permissions: list[str]


class ProfileUpdate(StrictModel):
    """What a user may change of their own account (PATCH /auth/me)."""

    display_name: DisplayName


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    session_id: uuid.UUID
    user_agent: str
    ip_address: str
    auth_method: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool = False


class RoleGrantIn(StrictModel):
    role: RoleName


class RoleIn(StrictModel):
    name: RoleName
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    permissions: list[Permission] = Field(max_length=len(Permission))


class RoleUpdate(StrictModel):
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    permissions: list[Permission] | None = Field(None, max_length=len(Permission))


class RoleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    description: str
    permissions: list[str]
    builtin: bool


class SsoProviderRead(BaseModel):
    name: str
    display_name: str
    login_url: str


class SsoAuthorizationRead(BaseModel):
    authorization_url: str = Field(
        description="Send the browser here; the provider comes back to the callback."
    )
