"""/api/v1/auth: registration, sign-in, token refresh, sessions, and the OAuth2 token endpoint."""

import hmac
import uuid
from typing import Annotated

from fastapi import APIRouter, Cookie, Form, Header, Request, Response, status
from fastapi.responses import JSONResponse

from learnwise.auth import service
from learnwise.auth.dependencies import (
    ClientInfoDep,
    CurrentPrincipal,
    bearer_scheme,
    current_principal,
)
from learnwise.auth.exceptions import CsrfFailed, InvalidRefreshToken, OAuthError
from learnwise.auth.schemas import (
    LoginIn,
    MeRead,
    OAuthTokenOut,
    PasswordChangeIn,
    ProfileUpdate,
    RefreshDelivery,
    RefreshIn,
    RegisterIn,
    SessionRead,
    TokenOut,
    UserRead,
)
from learnwise.auth.service import IssuedTokens
from learnwise.content import service as content_service
from learnwise.db import SessionDep
from learnwise.errors import AppError
from learnwise.platform.runtime import Runtime, RuntimeDep

router = APIRouter(prefix="/auth", tags=["auth"])

REFRESH_COOKIE = "lw_refresh"
CSRF_COOKIE = "lw_csrf"
COOKIE_PATH = "/api/v1/auth"
RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)]
CsrfHeader = Annotated[str | None, Header(alias="X-CSRF-Token", include_in_schema=False)]


def _token_response(
    response: Response, runtime: Runtime, tokens: IssuedTokens, delivery: RefreshDelivery
) -> TokenOut:
    body = TokenOut(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        session_id=tokens.session.session_id,
        csrf_token=tokens.csrf_token,
    )
    response.headers["Cache-Control"] = "no-store"
    if delivery == "body":
        body.refresh_token = tokens.refresh_token
        return body
    secure = runtime.settings.secure_cookies
    max_age = runtime.settings.auth.refresh_absolute_days * 86400
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    # Readable by the web app, which echoes it in X-CSRF-Token (signed double submit).
    response.set_cookie(
        CSRF_COOKIE, tokens.csrf_token, max_age=max_age, path="/", secure=secure, samesite="lax"
    )
    return body


def _clear_cookies(response: Response) -> None:
    response.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH)
    response.delete_cookie(CSRF_COOKIE, path="/")


async def _refresh_token_from(
    *,
    session: SessionDep,
    runtime: Runtime,
    body_token: str | None,
    cookie_token: str | None,
    csrf_header: str | None,
) -> tuple[str, RefreshDelivery] | None:
    """The refresh token of a request: from the JSON body, or from the cookie, in which case
    the CSRF token bound to its session must come in X-CSRF-Token."""
    if body_token:
        return body_token, "body"
    if not cookie_token:
        return None
    _, auth_session = await service.session_of_refresh_token(
        session=session, refresh_token=cookie_token
    )
    expected = service.csrf_token_for(runtime, auth_session.session_id)
    if not csrf_header or not hmac.compare_digest(csrf_header.encode(), expected.encode()):
        raise CsrfFailed("Send the CSRF token given at sign-in in the X-CSRF-Token header.")
    return cookie_token, "cookie"


@router.post("/register", status_code=status.HTTP_201_CREATED)
async def register(
    body: RegisterIn,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientInfoDep,
) -> TokenOut:
    """Creates a learner account and signs it in."""
    user = await service.register(
        session=session,
        runtime=runtime,
        email=body.email,
        display_name=body.display_name,
        password=body.password,
        client=client,
    )
    tokens = await service.start_session(
        session=session, runtime=runtime, user=user, client=client, method="password"
    )
    return _token_response(response, runtime, tokens, body.refresh_in)


@router.post("/login")
async def login(
    body: LoginIn,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientInfoDep,
) -> TokenOut:
    user = await service.authenticate(
        session=session, runtime=runtime, email=body.email, password=body.password, client=client
    )
    tokens = await service.start_session(
        session=session, runtime=runtime, user=user, client=client, method="password"
    )
    return _token_response(response, runtime, tokens, body.refresh_in)


@router.post("/refresh")
async def refresh(
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    refresh_cookie: RefreshCookie = None,
    csrf_header: CsrfHeader = None,
    body: RefreshIn | None = None,
) -> TokenOut:
    """Exchanges a refresh token for a new access token and the refresh token's successor."""
    found = await _refresh_token_from(
        session=session,
        runtime=runtime,
        body_token=body.refresh_token if body else None,
        cookie_token=refresh_cookie,
        csrf_header=csrf_header,
    )
    if found is None:
        raise InvalidRefreshToken("Send a refresh token in the body or the refresh cookie.")
    token, delivery = found
    tokens = await service.refresh(session=session, runtime=runtime, refresh_token=token)
    return _token_response(response, runtime, tokens, delivery)


@router.post(
    "/token",
    responses={400: {"description": "RFC 6749 error (invalid_grant, ...)"}},
)
async def oauth_token(
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientInfoDep,
    # Optional here so that a missing grant_type is RFC 6749's invalid_request, not a 422.
    grant_type: Annotated[str | None, Form(max_length=64)] = None,
    username: Annotated[str | None, Form(max_length=320)] = None,
    password: Annotated[str | None, Form(max_length=1024)] = None,
    refresh_token: Annotated[str | None, Form(max_length=256)] = None,
    scope: Annotated[str, Form(max_length=1024)] = "",
) -> OAuthTokenOut:
    """The OAuth2 token endpoint (RFC 6749): grant_type=password or refresh_token, form body."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    try:
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required.")
        if grant_type == "password":
            if not username or not password:
                raise OAuthError("invalid_request", "username and password are required.")
            user = await service.authenticate(
                session=session, runtime=runtime, email=username, password=password, client=client
            )
            tokens = await service.start_session(
                session=session, runtime=runtime, user=user, client=client, method="password"
            )
        elif grant_type == "refresh_token":
            if not refresh_token:
                raise OAuthError("invalid_request", "refresh_token is required.")
            tokens = await service.refresh(
                session=session, runtime=runtime, refresh_token=refresh_token
            )
        else:
            raise OAuthError("unsupported_grant_type", f"Unsupported grant_type {grant_type!r}.")
    except AppError as exc:
        if isinstance(exc, OAuthError) or exc.status == 429:
            raise
        error = OAuthError("invalid_grant", exc.detail)
        if exc.keeps_changes:
            error.keeps_changes = True  # type: ignore[misc]
        raise error from exc
    return OAuthTokenOut(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    refresh_cookie: RefreshCookie = None,
    csrf_header: CsrfHeader = None,
    body: RefreshIn | None = None,
) -> None:
    """Ends the session named by a refresh token (body or cookie), or by the access token."""
    found = await _refresh_token_from(
        session=session,
        runtime=runtime,
        body_token=body.refresh_token if body else None,
        cookie_token=refresh_cookie,
        csrf_header=csrf_header,
    )
    if found is not None:
        _, auth_session = await service.session_of_refresh_token(
            session=session, refresh_token=found[0]
        )
    else:
        principal = await current_principal(runtime, await bearer_scheme(request))
        auth_session = await service.get_own_session(
            session=session, user_id=principal.user_id, session_id=principal.session_id
        )
    await service.revoke_session(
        session=session, runtime=runtime, auth_session=auth_session, reason="logout"
    )
    _clear_cookies(response)


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_all(
    response: Response, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> None:
    """Ends every session of the caller, this one included."""
    await service.revoke_user_sessions(
        session=session, runtime=runtime, user_id=principal.user_id, reason="logout_all"
    )
    _clear_cookies(response)


@router.get("/me", response_model=MeRead)
async def me(principal: CurrentPrincipal) -> Response:
    # The session check read the profile from its cache entry, already in MeRead's JSON form:
    # no database round trip, no other cache lookup and no second validation.
    assert principal.profile is not None  # always set by the session check
    return JSONResponse({**principal.profile, "permissions": sorted(principal.permissions)})


@router.patch("/me", response_model=MeRead)
async def update_me(
    body: ProfileUpdate, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Changes the caller's display name (1 to 120 characters, spaces around it dropped). The
    courses they teach are found by the new name, and show it, at once."""
    user = await service.rename(
        session=session, principal=principal, display_name=body.display_name
    )
    await content_service.refresh_search_documents_of_user(session=session, user_id=user.user_id)
    profile = UserRead.model_validate(user).model_dump(mode="json")
    return JSONResponse({**profile, "permissions": sorted(principal.permissions)})


@router.get("/sessions")
async def list_sessions(principal: CurrentPrincipal, session: SessionDep) -> list[SessionRead]:
    sessions = await service.list_sessions(session=session, user_id=principal.user_id)
    return [
        SessionRead.model_validate(s).model_copy(
            update={"current": s.session_id == principal.session_id}
        )
        for s in sessions
    ]


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_session(
    session_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> None:
    auth_session = await service.get_own_session(
        session=session, user_id=principal.user_id, session_id=session_id
    )
    await service.revoke_session(
        session=session, runtime=runtime, auth_session=auth_session, reason="revoked_by_user"
    )


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: PasswordChangeIn, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> None:
    """Changes the caller's password; every other session is signed out."""
    await service.change_password(
        session=session,
        runtime=runtime,
        principal=principal,
        current_password=body.current_password,
        new_password=body.new_password,
    )


@router.get("/jwks.json")
async def jwks(runtime: RuntimeDep) -> dict[str, list[dict[str, str]]]:
    """Public keys that verify access tokens (empty when tokens are HMAC-signed)."""
    return runtime.signer.jwks()
