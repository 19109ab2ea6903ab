"""Demo data for ``learnwise seed-demo``: one account per built-in role. Idempotent."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service as auth_service
from learnwise.auth.permissions import BuiltinRole


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    display_name: str
    roles: tuple[str, ...]


# Sign-in details printed by `make run`; meant for a local demo only, never for production.
DEMO_ACCOUNTS = (
    DemoAccount(
        "admin@learnwise.dev",
        "learnwise-admin-demo",
        "Ada Admin",
        (BuiltinRole.ADMIN, BuiltinRole.LEARNER),
    ),
    DemoAccount(
        "instructor@learnwise.dev",
        "learnwise-instructor-demo",
        "Ines Instructor",
        (BuiltinRole.INSTRUCTOR,),
    ),
    DemoAccount(
        "learner@learnwise.dev", "learnwise-learner-demo", "Leo Learner", (BuiltinRole.LEARNER,)
    ),
)


async def seed(*, session: AsyncSession) -> list[str]:
    """Creates what is missing of the demo data; returns lines describing it for the console."""
    lines = ["Demo accounts (local demo only):"]
    for account in DEMO_ACCOUNTS:
        existing = await auth_service.get_user_by_email(session=session, email=account.email)
        if existing is None:
            await auth_service.create_user(
                session=session,
                email=account.email,
                display_name=account.display_name,
                password=account.password,
                roles=account.roles,
                email_verified=True,
            )
        role = account.roles[0]
        lines.append(f"  {role:<11} {account.email:<26} password: {account.password}")
    return lines
