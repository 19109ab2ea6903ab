"""Administration on behalf of a caller: the auth service's management of users and roles, under
the rule that keeps it from being a way up.

Whoever manages users or roles hands out, takes away or defines only permissions they hold
themselves, and acts only on users all of whose permissions they hold. Admins hold every
permission, so the rule binds only the holders of custom roles with user:manage or role:manage:
without it, such a holder could grant themselves admin.
"""

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service
from learnwise.auth.exceptions import PermissionDenied
from learnwise.auth.models import Role, User
from learnwise.auth.permissions import BUILTIN_ROLE_PERMISSIONS
from learnwise.auth.service import Principal
from learnwise.platform.runtime import Runtime


def _ensure_holds(principal: Principal, permissions: Iterable[str], action: str) -> None:
    missing = sorted(set(permissions) - principal.permissions)
    if missing:
        raise PermissionDenied(
            f"You cannot {action}: it involves permissions you do not hold ({', '.join(missing)}).",
            missing_permissions=missing,
        )


async def _role_permissions(*, session: AsyncSession, name: str) -> frozenset[str]:
    """The permissions of a role; none for a role that does not exist (the service says so)."""
    if name in BUILTIN_ROLE_PERMISSIONS:
        return frozenset(BUILTIN_ROLE_PERMISSIONS[name])
    role = (await service.custom_roles(session=session)).get(name)
    return frozenset(role.permissions) if role else frozenset()


async def _ensure_covers_user(
    *, session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> None:
    user = await service.get_user(session=session, user_id=user_id)
    held = await service.permissions_of(session=session, user=user)
    _ensure_holds(principal, held, "manage this user")


async def grant_role(
    *,
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    user_id: uuid.UUID,
    role: str,
) -> User:
    await _ensure_covers_user(session=session, principal=principal, user_id=user_id)
    role_permissions = await _role_permissions(session=session, name=role)
    _ensure_holds(principal, role_permissions, f"grant the role {role!r}")
    return await service.grant_role(session=session, runtime=runtime, user_id=user_id, role=role)


async def revoke_role(
    *,
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    user_id: uuid.UUID,
    role: str,
) -> User:
    await _ensure_covers_user(session=session, principal=principal, user_id=user_id)
    return await service.revoke_role(session=session, runtime=runtime, user_id=user_id, role=role)


async def set_active(
    *,
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    user_id: uuid.UUID,
    active: bool,
) -> User:
    await _ensure_covers_user(session=session, principal=principal, user_id=user_id)
    return await service.set_active(
        session=session, runtime=runtime, user_id=user_id, active=active
    )


async def create_role(
    *,
    session: AsyncSession,
    principal: Principal,
    name: str,
    description: str,
    permissions: list[str],
) -> Role:
    _ensure_holds(principal, permissions, f"define the role {name!r}")
    return await service.create_role(
        session=session, name=name, description=description, permissions=permissions
    )


async def update_role(
    *,
    session: AsyncSession,
    runtime: Runtime,
    principal: Principal,
    name: str,
    description: str | None,
    permissions: list[str] | None,
) -> Role:
    current = await _role_permissions(session=session, name=name)
    _ensure_holds(principal, current.union(permissions or ()), f"change the role {name!r}")
    return await service.update_role(
        session=session,
        runtime=runtime,
        name=name,
        description=description,
        permissions=permissions,
    )


async def delete_role(
    *, session: AsyncSession, runtime: Runtime, principal: Principal, name: str
) -> None:
    current = await _role_permissions(session=session, name=name)
    _ensure_holds(principal, current, f"delete the role {name!r}")
    await service.delete_role(session=session, runtime=runtime, name=name)
