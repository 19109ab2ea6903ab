"""Who is calling, and may they: the dependencies every protected route declares.

@router.post("/courses", dependencies=[RequirePermission(Permission.COURSE_CREATE)])
async def create_course(principal: CurrentPrincipal, ...): ...
"""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.requests import HTTPConnection
from fastapi.security import OAuth2PasswordBearer

from learnwise.auth import service
from learnwise.auth.exceptions import InvalidToken, PermissionDenied
from learnwise.auth.permissions import Permission
from learnwise.auth.service import ClientInfo, Principal
from learnwise.errors import Unauthorized
from learnwise.platform.runtime import RuntimeDep

# tokenUrl makes Swagger UI's Authorize button use the OAuth2 password grant of /auth/token.
TOKEN_URL = "/api/v1/auth/token"
bearer_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


async def current_principal(
    runtime: RuntimeDep, token: Annotated[str | None, Depends(bearer_scheme)]
) -> Principal:
    if not token:
        raise Unauthorized("Sign in first: send an access token as 'Authorization: Bearer ...'.")
    if len(token) > 4096:
        raise InvalidToken("The access token is invalid.")
    claims = runtime.signer.verify(token)
    return await service.load_principal(
        runtime=runtime, user_id=claims.user_id, session_id=claims.session_id
    )


class PrincipalScheme(OAuth2PasswordBearer):
    """The bearer scheme and the session check in one dependency: the caller, or None when no
    token is sent and ``required`` is false. FastAPI's resolution of each dependency costs on
    every request (a third of an authenticated request's CPU time once the session check is
    cached), so the check takes the runtime from the request instead of two more dependencies.
    The OpenAPI document shows it as ``bearer_scheme``."""

    def __init__(self, *, required: bool) -> None:
        super().__init__(
            tokenUrl=TOKEN_URL, auto_error=False, scheme_name=OAuth2PasswordBearer.__name__
        )
        self.required = required

    async def __call__(self, request: HTTPConnection) -> Principal | None:  # type: ignore[override]
        token = await super().__call__(request)
        if not token and not self.required:
            return None
        return await current_principal(request.app.state.runtime, token)


CurrentPrincipal = Annotated[Principal, Depends(PrincipalScheme(required=True))]
# The caller when a token is sent (an invalid one is still a 401), None otherwise.
OptionalPrincipal = Annotated[Principal | None, Depends(PrincipalScheme(required=False))]


def RequirePermission(permission: Permission) -> Any:
    """A dependency that lets the request through only if the caller holds ``permission``."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.can(permission):
            raise PermissionDenied(f"This needs the permission {permission.value!r}.")
        return principal

    return Depends(check)


async def client_info(request: Request) -> ClientInfo:
    return ClientInfo(
        user_agent=request.headers.get("user-agent", "")[:512],
        ip_address=request.client.host if request.client else "",
    )


ClientInfoDep = Annotated[ClientInfo, Depends(client_info)]
