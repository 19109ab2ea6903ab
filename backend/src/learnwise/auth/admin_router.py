"""/api/v1/admin: users, their roles and activation, and custom roles. Admins only."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from learnwise.auth import service
from learnwise.auth.dependencies import RequirePermission
from learnwise.auth.permissions import BUILTIN_ROLE_PERMISSIONS, Permission
from learnwise.auth.schemas import RoleGrantIn, RoleIn, RoleName, RoleRead, RoleUpdate, UserRead
from learnwise.db import SessionDep
from learnwise.pagination import Page, PageParamsDep
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/admin", tags=["admin"])
CanReadUsers = RequirePermission(Permission.USER_READ)
CanManageUsers = RequirePermission(Permission.USER_MANAGE)
CanManageRoles = RequirePermission(Permission.ROLE_MANAGE)


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


@router.post("/users/{user_id}/roles", dependencies=[CanManageUsers])
async def grant_role(
    user_id: uuid.UUID, body: RoleGrantIn, session: SessionDep, runtime: RuntimeDep
) -> UserRead:
    user = await service.grant_role(
        session=session, runtime=runtime, user_id=user_id, role=body.role
    )
    return UserRead.model_validate(user)


@router.delete("/users/{user_id}/roles/{role}", dependencies=[CanManageUsers])
async def revoke_role(
    user_id: uuid.UUID, role: RoleName, session: SessionDep, runtime: RuntimeDep
) -> UserRead:
    user = await service.revoke_role(session=session, runtime=runtime, user_id=user_id, role=role)
    return UserRead.model_validate(user)


@router.post("/users/{user_id}/deactivate", dependencies=[CanManageUsers])
async def deactivate_user(user_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep) -> UserRead:
    """Deactivates an account: it can no longer sign in, and its sessions end at once."""
    user = await service.set_active(session=session, runtime=runtime, user_id=user_id, active=False)
    return UserRead.model_validate(user)


@router.post("/users/{user_id}/reactivate", dependencies=[CanManageUsers])
async def reactivate_user(user_id: uuid.UUID, session: SessionDep, runtime: RuntimeDep) -> UserRead:
    user = await service.set_active(session=session, runtime=runtime, user_id=user_id, active=True)
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


@router.post("/roles", status_code=status.HTTP_201_CREATED, dependencies=[CanManageRoles])
async def create_role(body: RoleIn, session: SessionDep) -> RoleRead:
    role = await service.create_role(
        session=session,
        name=body.name,
        description=body.description,
        permissions=[p.value for p in body.permissions],
    )
    return RoleRead(
        name=role.name, description=role.description, permissions=role.permissions, builtin=False
    )


@router.patch("/roles/{name}", dependencies=[CanManageRoles])
async def update_role(
    name: RoleName, body: RoleUpdate, session: SessionDep, runtime: RuntimeDep
) -> RoleRead:
    role = await service.update_role(
        session=session,
        runtime=runtime,
        name=name,
        description=body.description,
        permissions=[p.value for p in body.permissions] if body.permissions is not None else None,
    )
    return RoleRead(
        name=role.name, description=role.description, permissions=role.permissions, builtin=False
    )


@router.delete(
    "/roles/{name}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[CanManageRoles]
)
async def delete_role(name: RoleName, session: SessionDep, runtime: RuntimeDep) -> None:
    await service.delete_role(session=session, runtime=runtime, name=name)
