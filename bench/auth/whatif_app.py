"""What-if variants of the Learnwise app, for the bench only: they measure changes recommended in
bench/RESULTS.md under the same load as the real app, without editing the app. Not app code.

``create_app()`` is learnwise.main.create_app with:

* the PostgreSQL engine built without ``pool_pre_ping`` (with asyncpg, SQLAlchemy's ping is
  BEGIN; ';'; ROLLBACK: three round trips at every pool checkout);
* prototype routes, placed first in the routing table so that they pay for their own work and
  not for FastAPI trying every route registered before them:
  - ``GET /whatif/me-one-query``: what /me returns, from one autocommit query (the user joined with
    their roles): one round trip to PostgreSQL instead of seven;
  - ``GET /whatif/principal``: the caller's id and permissions from the cached session check alone
    (JWT + one Redis GET, no database): the floor of any authenticated endpoint as designed today;
  - ``GET /whatif/principal-async``: the same through an ``async`` runtime dependency, which
    FastAPI calls on the event loop; the app's ``get_runtime`` is a plain ``def``, which FastAPI
    sends to a worker thread on every request that depends on it;
  - ``GET /whatif/principal-local``: the same again, the session's cached entry also kept for
    two seconds in the process, so that most requests skip the Redis GET (a design change: a
    revocation would then reach other instances up to two seconds late);
* ``GET /whatif/live-last``: /health/live's handler placed last in the routing table, so that its
  difference from /health/live is what matching a request against every route costs.

    python bench/auth/whatif_app.py --port 8301   (the uvicorn options of ``learnwise serve``)
"""

import argparse
import time
import uuid
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Request
from sqlalchemy import select

from learnwise import main as learnwise_main
from learnwise.auth import service
from learnwise.auth.dependencies import CurrentPrincipal, bearer_scheme
from learnwise.auth.models import User, UserRole
from learnwise.auth.schemas import MeRead
from learnwise.config import Settings
from learnwise.db import create_engine as learnwise_create_engine
from learnwise.errors import NotFound
from learnwise.platform import runtime as runtime_module
from learnwise.platform.runtime import Runtime, RuntimeDep


def _engine_without_pre_ping(url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
    kwargs.setdefault("pool_pre_ping", False)
    return learnwise_create_engine(url, **kwargs)


async def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


Token = Annotated[str | None, Depends(bearer_scheme)]
AsyncRuntime = Annotated[Runtime, Depends(_runtime)]
LOCAL_SECONDS = 2.0
_local: dict[uuid.UUID, tuple[float, service.Principal]] = {}


async def _principal(runtime: AsyncRuntime, token: Token) -> service.Principal:
    """current_principal with an async runtime dependency (missing-token checks left out)."""
    claims = runtime.signer.verify(token or "")
    return await service.load_principal(
        runtime=runtime, user_id=claims.user_id, session_id=claims.session_id
    )


async def _principal_local(runtime: AsyncRuntime, token: Token) -> service.Principal:
    claims = runtime.signer.verify(token or "")
    kept = _local.get(claims.session_id)
    if kept is not None and kept[0] > time.monotonic() and kept[1].user_id == claims.user_id:
        return kept[1]
    principal = await service.load_principal(
        runtime=runtime, user_id=claims.user_id, session_id=claims.session_id
    )
    _local[claims.session_id] = (time.monotonic() + LOCAL_SECONDS, principal)
    return principal


def create_app(settings: Settings | None = None) -> FastAPI:
    # Runtime.build, which runs at start-up, looks create_engine up in its module at call time.
    runtime_module.create_engine = _engine_without_pre_ping
    app = learnwise_main.create_app(settings)

    @app.get("/whatif/principal")
    async def principal_only(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"user_id": str(principal.user_id), "permissions": sorted(principal.permissions)}

    @app.get("/whatif/me-one-query")
    async def me_one_query(principal: CurrentPrincipal, runtime: RuntimeDep) -> MeRead:
        statement = (
            select(
                User.user_id,
                User.email,
                User.display_name,
                User.is_active,
                User.email_verified_at,
                User.last_login_at,
                User.created_at,
                User.password_hash.is_not(None).label("has_password"),
                UserRole.role_name,
            )
            .outerjoin(UserRole, UserRole.user_id == User.user_id)
            .where(User.user_id == principal.user_id)
        )
        async with runtime.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            rows = (await connection.execute(statement)).all()
        if not rows:
            raise NotFound("No such user.")
        user = rows[0]._asdict()
        roles = sorted({r.role_name for r in rows if r.role_name})
        return MeRead.model_validate(
            {**user, "roles": roles, "permissions": sorted(principal.permissions)}
        )

    @app.get("/whatif/principal-async")
    async def principal_async(
        principal: Annotated[service.Principal, Depends(_principal)],
    ) -> dict[str, Any]:
        return {"user_id": str(principal.user_id), "permissions": sorted(principal.permissions)}

    @app.get("/whatif/principal-local")
    async def principal_local(
        principal: Annotated[service.Principal, Depends(_principal_local)],
    ) -> dict[str, Any]:
        return {"user_id": str(principal.user_id), "permissions": sorted(principal.permissions)}

    prototypes = app.router.routes[-4:]
    del app.router.routes[-4:]
    app.router.routes[0:0] = prototypes

    @app.get("/whatif/live-last")
    async def live_last() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8301)
    args = parser.parse_args()
    uvicorn.run(
        "whatif_app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        proxy_headers=True,
        access_log=False,
        log_config=None,
    )


if __name__ == "__main__":
    main()
