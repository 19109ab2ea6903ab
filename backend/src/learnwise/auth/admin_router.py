"""/api/v1/admin: users, their roles and activation, and custom roles. Admins only."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from learnwise.auth import admin_service, service
from learnwise.auth.dependencies import RequirePermission
from learnwise.auth.permissions import BUILTIN_ROLE_PERMISSIONS, Permission
from learnwise.auth.schemas import RoleGrantIn, RoleIn, RoleName, RoleRead, RoleUpdate, UserRead
from learnwise.auth.service import Principal
from learnwise.db import SessionDep
from learnwise.pagination import Page, PageParamsDep
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/admin", tags=["admin"])
CanReadUsers = RequirePermission(Permission.USER_READ)
CanManageUsers = RequirePermission(Permission.USER_MANAGE)
CanManageRoles = RequirePermission(Permission.ROLE_MANAGE)
UserManager = Annotated[Principal, CanManageUsers]
RoleManager = Annotated[Principal, CanManageRoles]


@router.get("/users", dependencies=[CanReadUsers])
async def list_users(
    session: SessionDep,
    page: PageParamsDep,
    q: Annotated[str | None, Query(max_length=200, description="Part of an email or name")] = None,
    role: Annotated[RoleName | None, Query()] = None,
) -> Page[UserRead]:
    users, total = await service.search_users(
        session=session, query=q, role=role, offset=page.offset, limit=page.limit
    )
    return Page(
        items=[UserRead.model_validate(u) for u in users],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/users/{user_id}", dependencies=[CanReadUsers])
async def get_user(user_id: uuid.UUID, session: SessionDep) -> UserRead:
    return UserRead.model_validate(await service.get_user(session=session, user_id=user_id))


@router.post("/users/{user_id}/roles")
async def grant_role(
    user_id: uuid.UUID,
    body: RoleGrantIn,
    principal: UserManager,
    session: SessionDep,
    runtime: RuntimeDep,
) -> UserRead:
    """Grants a role; only a role whose permissions the caller all holds."""
    user = await admin_service.grant_role(
        session=session, runtime=runtime, principal=principal, user_id=user_id, role=body.role
    )
    return UserRead.model_validate(user)


@router.delete("/users/{user_id}/roles/{role}")
async def revoke_role(
    user_id: uuid.UUID,
    role: RoleName,
    principal: UserManager,
    session: SessionDep,
    runtime: RuntimeDep,
) -> UserRead:
    user = await admin_service.revoke_role(
        session=session, runtime=runtime, principal=principal, user_id=user_id, role=role
    )
    return UserRead.model_validate(user)


@router.post("/users/{user_id}/deactivate")
async def deactivate_user(
    user_id: uuid.UUID, principal: UserManager, session: SessionDep, runtime: RuntimeDep
) -> UserRead:
    """Deactivates an account: it can no longer sign in, and its sessions end at once."""
    user = await admin_service.set_active(
        session=session, runtime=runtime, principal=principal, user_id=user_id, active=False
    )
    return UserRead.model_validate(user)


@router.post("/users/{user_id}/reactivate")
async def reactivate_user(
    user_id: uuid.UUID, principal: UserManager, session: SessionDep, runtime: RuntimeDep
) -> UserRead:
    user = await admin_service.set_active(
        session=session, runtime=runtime, principal=principal, user_id=user_id, active=True
    )
    return UserRead.model_validate(user)


@router.get("/permissions", dependencies=[CanManageRoles])
async def list_permissions() -> list[str]:
    return [p.value for p in Permission]


@router.get("/roles", dependencies=[CanManageRoles])
async def list_roles(session: SessionDep) -> list[RoleRead]:
    builtin = [
        RoleRead(name=name, description="Built-in role", permissions=sorted(perms), builtin=True)
        for name, perms in BUILTIN_ROLE_PERMISSIONS.items()
    ]
    custom = [
        RoleRead(name=r.name, description=r.description, permissions=r.permissions, builtin=False)
        for r in (await service.custom_roles(session=session)).values()
    ]
    return builtin + sorted(custom, key=lambda r: r.name)


@router.post("/roles", status_code=status.HTTP_201_CREATED)
async def create_role(body: RoleIn, principal: RoleManager, session: SessionDep) -> RoleRead:
    """Defines a custom role; only with permissions the caller holds."""
    role = await admin_service.create_role(
        session=session,
        principal=principal,
        name=body.name,
        description=body.description,
        permissions=[p.value for p in body.permissions],
    )
    return RoleRead(
        name=role.name, description=role.description, permissions=role.permissions, builtin=False
    )


@router.patch("/roles/{name}")
async def update_role(
    name: RoleName,
    body: RoleUpdate,
    principal: RoleManager,
    session: SessionDep,
    runtime: RuntimeDep,
) -> RoleRead:
    """Changes a custom role; its holders get the new permissions on their next request."""
    role = await admin_service.update_role(
        session=session,
        runtime=runtime,
        principal=principal,
        name=name,
        description=body.description,
        permissions=[p.value for p in body.permissions] if body.permissions is not None else None,
    )
    return RoleRead(
        name=role.name, description=role.description, permissions=role.permissions, builtin=False
    )


@router.delete("/roles/{name}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_role(
    name: RoleName, principal: RoleManager, session: SessionDep, runtime: RuntimeDep
) -> None:
    """Deletes a custom role, and takes it from everyone who holds it."""
    await admin_service.delete_role(
        session=session, runtime=runtime, principal=principal, name=name
    )
