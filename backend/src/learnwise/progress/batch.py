"""Offline queues: the progress reports and quiz attempts a client collected while offline,
applied in order, each once.

Each event carries its own idempotency key, in the same namespace as the Idempotency-Key of the
single routes (a report whose answer was lost and that was then queued is still applied once).
All keys are claimed first, before the request's transaction starts; then each event runs in a
savepoint of its own, so one that fails changes nothing and the others still apply. The result
says, per event, whether it was applied, replayed (an earlier request did it) or failed (with the
problem the single route would have answered).
"""

import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.errors import AppError
from learnwise.platform.cache import Cache
from learnwise.platform.idempotency import (
    Claim,
    IdempotencyClaims,
    IdempotencyKeyReused,
    fingerprint,
)
from learnwise.progress import quizzes, service
from learnwise.progress.schemas import (
    AttemptEvent,
    AttemptResult,
    AttemptSubmit,
    BatchEventError,
    BatchEventResult,
    BatchResult,
    ItemProgressRead,
    ProgressBatch,
    ProgressEvent,
    ProgressUpdate,
)

# The statuses of the single routes, stored with their responses for their replays.
PROGRESS_STATUS = 200
ATTEMPT_STATUS = 201

_UPDATE_FIELDS = set(ProgressUpdate.model_fields)
_SUBMIT_FIELDS = set(AttemptSubmit.model_fields)


def progress_fingerprint(content_id: uuid.UUID, update: ProgressUpdate) -> str:
    """What requests sharing an Idempotency-Key must agree on, for a progress report sent alone
    or in a batch (one key namespace: a report that was sent, lost its answer and was queued
    offline is still applied once)."""
    return fingerprint(
        "progress", str(content_id), update.model_dump(mode="json", include=_UPDATE_FIELDS)
    )


def attempt_fingerprint(content_id: uuid.UUID, submission: AttemptSubmit) -> str:
    return fingerprint(
        "quiz_attempt",
        str(content_id),
        submission.model_dump(mode="json", include=_SUBMIT_FIELDS),
    )


def _event_fingerprint(event: ProgressEvent | AttemptEvent) -> str:
    if isinstance(event, ProgressEvent):
        return progress_fingerprint(event.content_id, event)
    return attempt_fingerprint(event.content_id, event)


def _problem(error: AppError) -> BatchEventError:
    return BatchEventError(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        extra=error.extra,
    )


@dataclass(slots=True)
class _Queued:
    event: ProgressEvent | AttemptEvent
    claim: Claim | None = None
    same_as: int | None = None  # the index of an earlier event with the same key and payload
    error: AppError | None = None


async def _claim_all(*, claims: IdempotencyClaims, batch: ProgressBatch) -> list[_Queued]:
    queued: list[_Queued] = []
    first: dict[str, tuple[int, str]] = {}
    for index, event in enumerate(batch.events):
        entry = _Queued(event)
        request_hash = _event_fingerprint(event)
        seen = first.get(event.idempotency_key)
        if seen is not None:
            if seen[1] == request_hash:
                entry.same_as = seen[0]
            else:
                entry.error = IdempotencyKeyReused(
                    f"Event {seen[0]} of this batch has the same idempotency_key and another "
                    "payload."
                )
        else:
            first[event.idempotency_key] = (index, request_hash)
            try:
                entry.claim = await claims.claim(
                    key=event.idempotency_key, request_hash=request_hash
                )
            except AppError as exc:
                entry.error = exc
        queued.append(entry)
    return queued


async def _apply_event(
    *,
    session: AsyncSession,
    cache: Cache,
    principal: Principal,
    claims: IdempotencyClaims,
    event: ProgressEvent | AttemptEvent,
    claim: Claim,
) -> ItemProgressRead | AttemptResult:
    """Applies one event in a savepoint of its own: an event that fails changes nothing and
    leaves the others applied."""
    async with session.begin_nested():
        result: ItemProgressRead | AttemptResult
        if isinstance(event, ProgressEvent):
            result = await service.record_progress(
                session=session,
                cache=cache,
                principal=principal,
                content_id=event.content_id,
                update=event,
            )
            status_code = PROGRESS_STATUS
        else:
            result = await quizzes.submit_attempt(
                session=session,
                cache=cache,
                principal=principal,
                content_id=event.content_id,
                submission=event,
            )
            status_code = ATTEMPT_STATUS
        await claims.complete(
            session=session,
            claim=claim,
            body=result.model_dump(mode="json"),
            status_code=status_code,
        )
    return result


def _failed(index: int, event: ProgressEvent | AttemptEvent, error: AppError) -> BatchEventResult:
    return BatchEventResult(
        index=index,
        idempotency_key=event.idempotency_key,
        kind=event.kind,
        outcome="failed",
        error=_problem(error),
    )


def _done(
    index: int,
    event: ProgressEvent | AttemptEvent,
    outcome: Literal["applied", "replayed"],
    result: ItemProgressRead | AttemptResult,
) -> BatchEventResult:
    return BatchEventResult(
        index=index,
        idempotency_key=event.idempotency_key,
        kind=event.kind,
        outcome=outcome,
        progress=result if isinstance(result, ItemProgressRead) else None,
        attempt=result if isinstance(result, AttemptResult) else None,
    )


async def apply_batch(
    *,
    session: AsyncSession,
    cache: Cache,
    principal: Principal,
    claims: IdempotencyClaims,
    batch: ProgressBatch,
) -> BatchResult:
    """Applies a client's offline queue in order, each event once per idempotency key (shared
    with the single routes), and says what became of each."""
    # Every key is claimed before the session starts its transaction (see platform.idempotency).
    queued = await _claim_all(claims=claims, batch=batch)
    results: list[BatchEventResult] = []
    for index, entry in enumerate(queued):
        event = entry.event
        if entry.error is not None:
            results.append(_failed(index, event, entry.error))
        elif entry.same_as is not None:
            earlier = results[entry.same_as]
            outcome = "failed" if earlier.outcome == "failed" else "replayed"
            results.append(earlier.model_copy(update={"index": index, "outcome": outcome}))
        elif entry.claim is not None and entry.claim.is_replay:
            model = ItemProgressRead if isinstance(event, ProgressEvent) else AttemptResult
            stored = model.model_validate(entry.claim.stored_body)
            results.append(_done(index, event, "replayed", stored))
        else:
            assert entry.claim is not None
            try:
                result = await _apply_event(
                    session=session,
                    cache=cache,
                    principal=principal,
                    claims=claims,
                    event=event,
                    claim=entry.claim,
                )
            except AppError as exc:
                results.append(_failed(index, event, exc))
            else:
                results.append(_done(index, event, "applied", result))
    return BatchResult(
        applied=sum(r.outcome == "applied" for r in results),
        replayed=sum(r.outcome == "replayed" for r in results),
        failed=sum(r.outcome == "failed" for r in results),
        results=results,
    )
