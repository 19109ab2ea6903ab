"""Administration under concurrency: each request in a transaction of its own, on its own
connection, committing for real (``live_client`` empties the tables afterwards)."""

import asyncio
import secrets
from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import func, select

from learnwise.auth import service as auth_service
from learnwise.auth.models import Role, User, UserRole
from learnwise.errors import Conflict
from learnwise.platform.runtime import Runtime

PASSWORD = "correct horse battery staple"


async def _make_admins(runtime: Runtime, count: int) -> list[User]:
    async with runtime.sessionmaker() as session:
        admins = [
            await auth_service.create_user(
                session=session,
                email=f"admin-{secrets.token_hex(4)}@example.org",
                display_name="Admin",
                password=PASSWORD,
                roles=("admin",),
            )
            for _ in range(count)
        ]
        await session.commit()
        return admins


async def _attempt(
    runtime: Runtime, change: Callable[..., Awaitable[object]], **arguments: object
) -> str:
    async with runtime.sessionmaker() as session:
        try:
            await change(session=session, runtime=runtime, **arguments)
        except Conflict:
            await session.rollback()
            return "conflict"
        await session.commit()
        return "done"


async def _active_admins(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        return await session.scalar(
            select(func.count())
            .select_from(UserRole)
            .join(User, User.user_id == UserRole.user_id)
            .where(UserRole.role_name == "admin", User.is_active.is_(True))
        )


async def test_two_admins_stepping_down_at_once_leave_one(
    runtime: Runtime, live_client: httpx.AsyncClient
) -> None:
    first, second = await _make_admins(runtime, 2)

    outcomes = await asyncio.gather(
        *(
            _attempt(runtime, auth_service.revoke_role, user_id=admin.user_id, role="admin")
            for admin in (first, second)
        )
    )

    assert sorted(outcomes) == ["conflict", "done"]
    assert await _active_admins(runtime) == 1


async def test_two_admins_deactivated_at_once_leave_one_active(
    runtime: Runtime, live_client: httpx.AsyncClient
) -> None:
    first, second = await _make_admins(runtime, 2)

    outcomes = await asyncio.gather(
        _attempt(runtime, auth_service.set_active, user_id=first.user_id, active=False),
        _attempt(runtime, auth_service.revoke_role, user_id=second.user_id, role="admin"),
    )

    assert sorted(outcomes) == ["conflict", "done"]
    assert await _active_admins(runtime) == 1


async def test_a_role_created_twice_at_once_exists_once_and_the_other_is_told(
    runtime: Runtime, live_client: httpx.AsyncClient
) -> None:
    async def create(*, session, runtime: Runtime) -> Role:
        return await auth_service.create_role(
            session=session, name="reviewer", description="Reviews", permissions=[]
        )

    outcomes = await asyncio.gather(*(_attempt(runtime, create) for _ in range(5)))

    assert sorted(outcomes) == ["conflict"] * 4 + ["done"]
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).where(Role.name == "reviewer")) == 1
