"""Cross-cutting tables: the outbox of domain events, the idempotency records and the jobs."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, JsonDocument, new_id, utcnow


class OutboxEvent(Base):
    """A domain event, written in the same transaction as the change it reports, and relayed
    afterwards at least once (consumers deduplicate by ``event_id``)."""

    __tablename__ = "outbox_event"
    __table_args__ = (
        # The relay's queue: events not yet published, oldest first.
        Index(
            "ix_outbox_event_unpublished",
            "occurred_at",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.user_id", ondelete="SET NULL"), index=True
    )
    course_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("courses.course_id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # After a consumer failed: when the relay tries again (backing off), and what went wrong.
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))


class EventReceipt(Base):
    """That a consumer has handled an event: relaying is at-least-once, handling is once."""

    __tablename__ = "event_receipt"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("outbox_event.event_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """The outcome of a request sent with an Idempotency-Key, so that a retry gets the same
    answer and has no second effect."""

    __tablename__ = "idempotency_record"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # SHA-256 of method, path and body: the same key with another payload is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]  # None while the first request is in flight
    response_body: Mapped[Any | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Job(Base):
    """A background job: queued in the transaction that asked for it, claimed by a worker under
    a lease that its heartbeat renews, retried with backoff when it fails or its worker dies."""

    __tablename__ = "job"
    __table_args__ = (
        # The workers' queue: jobs waiting or running (a running job's lease may expire).
        Index(
            "ix_job_pending",
            "run_at",
            postgresql_where=text("status IN ('queued', 'running')"),
            sqlite_where=text("status IN ('queued', 'running')"),
        ),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    # Periodic runs and other at-most-once enqueues: a second job with the same key is refused.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[Any | None] = mapped_column(JsonDocument)
    error: Mapped[str | None] = mapped_column(String(1000))
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    # Not before: when the job is due (later after a failure, by the backoff).
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    # While running: the worker and until when its claim holds unless it renews it.
    worker_id: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
