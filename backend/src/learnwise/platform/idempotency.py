"""Idempotency-Key: a retried or duplicated request has exactly one effect and one answer.

As in draft-ietf-httpapi-idempotency-key-header: the client sends a unique key with each
operation. The first request with a key claims it by inserting an ``IdempotencyRecord`` in a
short transaction of its own (the primary key ``(user_id, key)`` decides races), runs, and stores
its response under the key *in the request's own transaction*, so the effect and the stored
response commit together or not at all. Later requests with the key get the stored response
(``Idempotent-Replayed: true``); while the first is still running they get 409; with another
payload, 422. A request that fails releases its key, so the retry runs afresh. Records expire
after 24 hours (``purge_expired`` deletes them, for a periodic job); a claim left behind by a
crashed instance may be taken over after a lease.

A route declares ``IdempotencyDep`` and runs its one service call through it:

    @router.post("/things")
    async def create_thing(
        idempotency: IdempotencyDep, thing: ThingCreate, session: SessionDep, ...
    ) -> ThingRead:
        return await idempotency.run(
            session=session,
            response_model=ThingRead,
            action=lambda: service.create_thing(session=session, ...),
        )

The claim is the first thing the route does, before its session starts a transaction, and the
keys of failed requests are released only after the session has rolled back (this dependency is
request-scoped, so it is torn down after the function-scoped ``SessionDep``): a SQLite writer
never waits for itself. ``IdempotencyClaimsDep`` gives routes that carry one key per element
(a batch) the same claims without the header.
"""

import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

import structlog
from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.dependencies import CurrentPrincipal
from learnwise.db import utcnow
from learnwise.errors import Conflict, InvalidInput
from learnwise.platform.models import IdempotencyRecord
from learnwise.platform.runtime import Runtime, RuntimeDep

log = structlog.get_logger(__name__)

RECORD_TTL = timedelta(hours=24)
# How long a claim may stay in flight before another request may take it over: far longer
# than any request runs, so only the claims of crashed instances are ever taken over.
IN_FLIGHT_LEASE = timedelta(minutes=2)
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
REPLAYED_HEADER = "Idempotent-Replayed"

ResponseModel = TypeVar("ResponseModel", bound=BaseModel)


class IdempotencyKeyReused(InvalidInput):
    code, title = "idempotency-key-reused", "This Idempotency-Key was used with another request"


class RequestInFlight(Conflict):
    code, title = "request-in-flight", "A request with this Idempotency-Key is still running"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": "1"})


class IdempotencyClaimLost(Conflict):
    code, title = "idempotency-claim-lost", "This request's Idempotency-Key was taken over"


def fingerprint(*parts: Any) -> str:
    """The SHA-256 of the parts as canonical JSON: what a key's requests must agree on."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _body_document(body: bytes) -> Any:
    """The body as JSON (so that spacing and key order do not matter), or its bytes' hash."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return {"sha256": hashlib.sha256(body).hexdigest()}


@dataclass(slots=True)
class Claim:
    """A key as one request holds it: ``claimed_at`` when this request may run (and must
    ``complete`` it), or the stored response of the request that ran."""

    key: str
    request_hash: str
    claimed_at: datetime | None = None
    stored_body: Any = None
    stored_status: int | None = None
    completed: bool = False

    @property
    def is_replay(self) -> bool:
        return self.claimed_at is None


class IdempotencyClaims:
    """The keys one request claims; those it did not complete are released when it ends."""

    def __init__(self, *, runtime: Runtime, user_id: uuid.UUID) -> None:
        self._runtime = runtime
        self._user_id = user_id
        self._claims: list[Claim] = []

    async def claim(self, *, key: str, request_hash: str) -> Claim:
        """Claims ``key`` for this request, or returns the response stored under it.

        Raises IdempotencyKeyReused when the key was used with another request, and
        RequestInFlight while the request holding it is still running. Call it before the
        request's session starts its transaction.
        """
        for _ in range(5):
            claim = await self._try_claim(key=key, request_hash=request_hash)
            if claim is not None:
                if not claim.is_replay:
                    self._claims.append(claim)
                return claim
        raise RequestInFlight("This Idempotency-Key is contended; retry in a moment.")

    async def _try_claim(self, *, key: str, request_hash: str) -> Claim | None:
        """One round: a claim or a replay, or None when the record changed under us."""
        now = utcnow()
        async with self._runtime.sessionmaker() as session:
            session.add(
                IdempotencyRecord(
                    user_id=self._user_id,
                    key=key,
                    request_hash=request_hash,
                    status_code=None,
                    response_body=None,
                    created_at=now,
                    expires_at=now + RECORD_TTL,
                )
            )
            try:
                await session.commit()
                return Claim(key=key, request_hash=request_hash, claimed_at=now)
            except IntegrityError:
                await session.rollback()
            record = await session.scalar(
                select(IdempotencyRecord)
                .where(IdempotencyRecord.user_id == self._user_id, IdempotencyRecord.key == key)
                .execution_options(populate_existing=True)
            )
            if record is None:  # released in between
                return None
            if record.expires_at <= now:
                await session.execute(
                    delete(IdempotencyRecord).where(
                        IdempotencyRecord.user_id == self._user_id,
                        IdempotencyRecord.key == key,
                        IdempotencyRecord.expires_at <= now,
                    )
                )
                await session.commit()
                return None
            if record.request_hash != request_hash:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was already used with a different request; "
                    "use a new key for a new request."
                )
            if record.status_code is not None:
                return Claim(
                    key=key,
                    request_hash=request_hash,
                    stored_body=record.response_body,
                    stored_status=record.status_code,
                )
            if record.created_at > now - IN_FLIGHT_LEASE:
                raise RequestInFlight(
                    "A request with this Idempotency-Key is still running; retry in a moment."
                )
            # Abandoned by a crashed instance: take it over. If that instance still completes,
            # its completion no longer matches the claim and its transaction rolls back.
            taken = await session.execute(
                update(IdempotencyRecord)
                .where(
                    IdempotencyRecord.user_id == self._user_id,
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.created_at == record.created_at,
                    IdempotencyRecord.status_code.is_(None),
                )
                .values(created_at=now, expires_at=now + RECORD_TTL)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            if taken.rowcount != 1:
                return None
            log.warning("idempotency_claim_taken_over", key=key, user_id=str(self._user_id))
            return Claim(key=key, request_hash=request_hash, claimed_at=now)

    async def complete(
        self, *, session: AsyncSession, claim: Claim, body: Any, status_code: int
    ) -> None:
        """Stores the response under the claimed key, in the request's transaction: it commits
        with the request's effect. IdempotencyClaimLost (and so a rollback) if another request
        took the key over meanwhile."""
        assert claim.claimed_at is not None, "a replayed claim has nothing to complete"
        stored = await session.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.user_id == self._user_id,
                IdempotencyRecord.key == claim.key,
                IdempotencyRecord.created_at == claim.claimed_at,
                IdempotencyRecord.status_code.is_(None),
            )
            .values(status_code=status_code, response_body=body)
            .execution_options(synchronize_session=False)
        )
        if stored.rowcount != 1:
            raise IdempotencyClaimLost(
                "This request took too long and its Idempotency-Key was taken over; "
                "nothing was changed."
            )
        claim.completed = True

    async def release(self, *, failed: bool) -> None:
        """Frees the keys this request claimed and did not complete (all of them when the
        request failed, since its transaction rolled back). Only after the request's session
        has ended."""
        pending = [c for c in self._claims if failed or not c.completed]
        self._claims = []
        if not pending:
            return
        try:
            async with self._runtime.sessionmaker() as session:
                await session.execute(
                    delete(IdempotencyRecord).where(
                        IdempotencyRecord.user_id == self._user_id,
                        IdempotencyRecord.status_code.is_(None),
                        or_(
                            *(
                                and_(
                                    IdempotencyRecord.key == c.key,
                                    IdempotencyRecord.created_at == c.claimed_at,
                                )
                                for c in pending
                            )
                        ),
                    )
                )
                await session.commit()
        except Exception:
            # The keys stay claimed until their lease runs out; a retry gets 409 until then.
            log.exception("idempotency_release_failed", keys=[c.key for c in pending])


async def idempotency_claims(
    principal: CurrentPrincipal, runtime: RuntimeDep
) -> AsyncIterator[IdempotencyClaims]:
    # Request-scoped (the default for a dependency with yield): torn down after SessionDep, so
    # keys are released once the request's transaction has rolled back.
    claims = IdempotencyClaims(runtime=runtime, user_id=principal.user_id)
    try:
        yield claims
    except BaseException:
        await claims.release(failed=True)
        raise
    await claims.release(failed=False)


IdempotencyClaimsDep = Annotated[IdempotencyClaims, Depends(idempotency_claims)]


@dataclass(slots=True)
class IdempotentRequest:
    """The request's Idempotency-Key, and what running it once takes."""

    claims: IdempotencyClaims
    key: str
    request_hash: str
    status_code: int
    response: Response

    async def run(
        self,
        *,
        session: AsyncSession,
        response_model: type[ResponseModel],
        action: Callable[[], Awaitable[ResponseModel]],
        request_hash: str | None = None,
    ) -> ResponseModel:
        """Runs ``action`` once for this key and returns its result, or the result stored by
        the request that ran it. ``request_hash`` (see ``fingerprint``) replaces the default
        (method, path and JSON body) when another route shares the keys."""
        claim = await self.claims.claim(
            key=self.key, request_hash=request_hash or self.request_hash
        )
        if claim.is_replay:
            self.response.headers[REPLAYED_HEADER] = "true"
            return response_model.model_validate(claim.stored_body)
        result = await action()
        await self.claims.complete(
            session=session,
            claim=claim,
            body=result.model_dump(mode="json"),
            status_code=self.status_code,
        )
        return result


async def idempotent_request(
    request: Request,
    response: Response,
    claims: IdempotencyClaimsDep,
    key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            pattern=KEY_PATTERN,
            description="A unique key per operation (a UUID): a retry with the same key has "
            "no second effect and gets the first response.",
        ),
    ],
) -> IdempotentRequest:
    route = request.scope.get("route")
    return IdempotentRequest(
        claims=claims,
        key=key,
        request_hash=fingerprint(
            request.method,
            request.url.path,
            request.url.query,
            _body_document(await request.body()),
        ),
        status_code=getattr(route, "status_code", None) or 200,
        response=response,
    )


IdempotencyDep = Annotated[IdempotentRequest, Depends(idempotent_request)]


async def purge_expired(*, session: AsyncSession, now: datetime | None = None) -> int:
    """Deletes the records past their 24 hours (expired records are already ignored); for a
    periodic job. Returns how many."""
    purged = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= (now or utcnow()))
    )
    return purged.rowcount or 0
