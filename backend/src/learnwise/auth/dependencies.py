"""Who is calling, and may they: the dependencies every protected route declares.

@router.post("/courses", dependencies=[RequirePermission(Permission.COURSE_CREATE)])
async def create_course(principal: CurrentPrincipal, ...): ...
"""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from learnwise.auth import service
from learnwise.auth.exceptions import InvalidToken, PermissionDenied
from learnwise.auth.permissions import Permission
from learnwise.auth.service import ClientInfo, Principal
from learnwise.errors import Unauthorized
from learnwise.platform.runtime import RuntimeDep

# tokenUrl makes Swagger UI's Authorize button use the OAuth2 password grant of /auth/token.
bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


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


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


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
