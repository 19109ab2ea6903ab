"""/api/v1/auth/sso: single sign-on with the configured OpenID Connect providers.

A browser goes to ``/{provider}/login``, is sent to the provider, and comes back to
``/{provider}/callback``, which sets the refresh cookie exactly as a cookie-mode login does and
redirects to where the sign-in started. A client that asks the callback for JSON gets the
token response instead of the redirect.
"""

from typing import Annotated

from fastapi import APIRouter, Cookie, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from learnwise.auth import sso
from learnwise.auth.dependencies import ClientInfoDep, CurrentPrincipal
from learnwise.auth.router import _token_response
from learnwise.auth.schemas import SsoAuthorizationRead, SsoProviderRead, TokenOut
from learnwise.db import SessionDep
from learnwise.platform.runtime import Runtime, RuntimeDep

router = APIRouter(prefix="/auth/sso", tags=["auth"])

BINDING_COOKIE = "lw_sso"
BindingCookie = Annotated[str | None, Cookie(alias=BINDING_COOKIE, include_in_schema=False)]
RedirectTarget = Annotated[
    str | None,
    Query(
        max_length=1024,
        description='Where to go after signing in: a path on this site (else "/").',
    ),
]
PROBLEM = {"description": "Problem (application/problem+json)"}


def _bind_browser(response: Response, runtime: Runtime, binding: str) -> None:
    response.set_cookie(
        BINDING_COOKIE,
        binding,
        max_age=int(sso.STATE_LIFETIME.total_seconds()),
        path=sso.SSO_PATH,
        secure=runtime.settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.get("/providers")
async def list_providers(runtime: RuntimeDep) -> list[SsoProviderRead]:
    """The providers one can sign in with."""
    settings = runtime.settings
    return [
        SsoProviderRead(
            name=p.name, display_name=p.display_name, login_url=sso.login_url(settings, p.name)
        )
        for p in settings.auth.oidc_providers
    ]


@router.get(
    "/{provider}/login",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    responses={302: {"description": "To the provider's sign-in page"}, 404: PROBLEM},
)
async def login(
    provider: str,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientInfoDep,
    binding: BindingCookie = None,
    redirect: RedirectTarget = None,
) -> RedirectResponse:
    """Starts signing in with a provider."""
    config = sso.get_provider(runtime.settings, provider)
    binding = sso.browser_binding(binding)
    url = await sso.begin(
        session=session,
        runtime=runtime,
        provider=config,
        redirect=redirect,
        binding=binding,
        client=client,
    )
    response = RedirectResponse(url, status_code=status.HTTP_302_FOUND)
    response.headers["Cache-Control"] = "no-store"
    _bind_browser(response, runtime, binding)
    return response


@router.post("/{provider}/link", responses={404: PROBLEM})
async def link(
    provider: str,
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientInfoDep,
    binding: BindingCookie = None,
    redirect: RedirectTarget = None,
) -> SsoAuthorizationRead:
    """Starts linking a provider to the caller's account: send the browser to the returned URL
    (with this response's cookie); the callback links the account and redirects back."""
    config = sso.get_provider(runtime.settings, provider)
    binding = sso.browser_binding(binding)
    url = await sso.begin(
        session=session,
        runtime=runtime,
        provider=config,
        redirect=redirect,
        binding=binding,
        client=client,
        link_user_id=principal.user_id,
    )
    response.headers["Cache-Control"] = "no-store"
    _bind_browser(response, runtime, binding)
    return SsoAuthorizationRead(authorization_url=url)


@router.get(
    "/{provider}/callback",
    response_model=TokenOut,
    responses={
        200: {"description": "Signed in (when the request accepts application/json)"},
        204: {"description": "Linked (when the request accepts application/json)"},
        302: {"description": "Signed in or linked: to the page the flow started from"},
        400: PROBLEM,
        404: PROBLEM,
        409: PROBLEM,
    },
)
async def callback(
    provider: str,
    request: Request,
    response: Response,
    session: SessionDep,
    runtime: RuntimeDep,
    client: ClientInfoDep,
    binding: BindingCookie = None,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
) -> Response | TokenOut:
    """Where the provider sends the browser back: signs in (or links) and redirects."""
    config = sso.get_provider(runtime.settings, provider)
    outcome = await sso.complete(
        session=session,
        runtime=runtime,
        provider=config,
        code=code,
        state=state,
        error=error,
        binding=binding,
        client=client,
    )
    if outcome.tokens is None:
        if _wants_json(request):
            return Response(status_code=status.HTTP_204_NO_CONTENT)
        return RedirectResponse(outcome.redirect_after, status_code=status.HTTP_302_FOUND)
    if _wants_json(request):
        return _token_response(response, runtime, outcome.tokens, "cookie")
    redirect = RedirectResponse(outcome.redirect_after, status_code=status.HTTP_302_FOUND)
    _token_response(redirect, runtime, outcome.tokens, "cookie")
    return redirect
