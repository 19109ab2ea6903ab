"""The demo accounts: one per built-in role, with sign-in details printed for a local demo."""

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service as auth_service
from learnwise.auth.models import User
from learnwise.auth.permissions import BuiltinRole
from learnwise.auth.service import Principal


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    display_name: str
    roles: tuple[str, ...]


# Sign-in details printed by `make run`; meant for a local demo only, never for production.
ADMIN = DemoAccount(
    "admin@learnwise.dev",
    "learnwise-admin-demo",
    "Ada Admin",
    (BuiltinRole.ADMIN, BuiltinRole.LEARNER),
)
INSTRUCTOR = DemoAccount(
    "instructor@learnwise.dev",
    "learnwise-instructor-demo",
    "Ines Instructor",
    (BuiltinRole.INSTRUCTOR,),
)
LEARNER = DemoAccount(
    "learner@learnwise.dev", "learnwise-learner-demo", "Leo Learner", (BuiltinRole.LEARNER,)
)
DEMO_ACCOUNTS = (ADMIN, INSTRUCTOR, LEARNER)

# The seed acts through the services as these users would through the API; it never signs in,
# so its principals belong to no session.
_NO_SESSION = uuid.UUID(int=0)


async def ensure_account(*, session: AsyncSession, account: DemoAccount) -> User:
    """The account's user, created if missing."""
    user = await auth_service.get_user_by_email(session=session, email=account.email)
    if user is None:
        user = await auth_service.create_user(
            session=session,
            email=account.email,
            display_name=account.display_name,
            password=account.password,
            roles=account.roles,
            email_verified=True,
        )
    return user


async def ensure_accounts(*, session: AsyncSession) -> dict[str, User]:
    """Creates the demo accounts that are missing; returns every one of them by email."""
    return {
        account.email: await ensure_account(session=session, account=account)
        for account in DEMO_ACCOUNTS
    }


def describe_accounts() -> list[str]:
    lines = ["Demo accounts (local demo only):"]
    for account in DEMO_ACCOUNTS:
        role = account.roles[0]
        lines.append(f"  {role:<11} {account.email:<26} password: {account.password}")
    return lines


async def acting_as(*, session: AsyncSession, user: User) -> Principal:
    """The principal the seed uses to act as ``user``, with the permissions of their roles."""
    return Principal(
        user_id=user.user_id,
        session_id=_NO_SESSION,
        roles=frozenset(user.role_names),
        permissions=await auth_service.permissions_of(session=session, user=user),
    )
