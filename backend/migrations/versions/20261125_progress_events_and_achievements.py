"""Progress and events: quiz attempts, learning days, certificates, audited resets, achievements
awarded once per key, the outbox of domain events and idempotency records.

Revision ID: progress_events
Revises: course_search
Create Date: 2026-11-25 09:42:49.497786
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "progress_events"
down_revision: str | Sequence[str] | None = "course_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column(
            "response_body", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_idempotency_record_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_record")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_record_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "learning_day",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("items_completed", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_learning_day_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_learning_day")),
    )
    op.create_table(
        "certificate",
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("verification_code", sa.String(length=64), nullable=False),
        sa.Column("learner_name", sa.String(length=120), nullable=False),
        sa.Column("course_title", sa.String(length=255), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_certificate_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_certificate_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("user_id", "course_id", name=op.f("uq_certificate_user_id_course_id")),
        sa.UniqueConstraint("verification_code", name=op.f("uq_certificate_verification_code")),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_course_id"), ["course_id"], unique=False)

    op.create_table(
        "outbox_event",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column(
            "payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_outbox_event_course_id_courses"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_outbox_event_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_outbox_event")),
    )
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_event_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_event_type"), ["type"], unique=False)
        batch_op.create_index(
            "ix_outbox_event_unpublished",
            ["occurred_at"],
            unique=False,
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )
        batch_op.create_index(batch_op.f("ix_outbox_event_user_id"), ["user_id"], unique=False)

    op.create_table(
        "progress_reset",
        sa.Column("reset_id", sa.Uuid(), nullable=False),
        sa.Column("learner_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column(
            "previous", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.user_id"],
            name=op.f("fk_progress_reset_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.content_id"],
            name=op.f("fk_progress_reset_content_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.user_id"],
            name=op.f("fk_progress_reset_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reset_id", name=op.f("pk_progress_reset")),
    )
    with op.batch_alter_table("progress_reset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_reset_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_progress_reset_content_id"), ["content_id"], unique=False
        )
        batch_op.create_index(
            "ix_progress_reset_learner_content", ["learner_id", "content_id"], unique=False
        )

    op.create_table(
        "quiz_attempt",
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("content_version", sa.Integer(), nullable=False),
        sa.Column("attempt_number", sa.Integer(), nullable=False),
        sa.Column(
            "responses", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("max_points", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.content_id"],
            name=op.f("fk_quiz_attempt_content_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_quiz_attempt_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_quiz_attempt")),
        sa.UniqueConstraint(
            "user_id",
            "content_id",
            "attempt_number",
            name=op.f("uq_quiz_attempt_user_id_content_id_attempt_number"),
        ),
    )
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quiz_attempt_content_id"), ["content_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quiz_attempt_submitted_at"), ["submitted_at"], unique=False
        )

    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("award_key", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("xp", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_unique_constraint(
            batch_op.f("uq_achievements_user_id_type_award_key"), ["user_id", "type", "award_key"]
        )

    with op.batch_alter_table("user_progress", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_spent_seconds", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "watched_ranges",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                server_default="[]",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("best_score", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("attempts_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_progress", schema=None) as batch_op:
        batch_op.drop_column("completed_at")
        batch_op.drop_column("attempts_count")
        batch_op.drop_column("best_score")
        batch_op.drop_column("watched_ranges")
        batch_op.drop_column("time_spent_seconds")

    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_achievements_user_id_type_award_key"), type_="unique"
        )
        batch_op.drop_column("xp")
        batch_op.drop_column("award_key")

    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_attempt_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_quiz_attempt_content_id"))

    op.drop_table("quiz_attempt")
    with op.batch_alter_table("progress_reset", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_reset_learner_content")
        batch_op.drop_index(batch_op.f("ix_progress_reset_content_id"))
        batch_op.drop_index(batch_op.f("ix_progress_reset_actor_id"))

    op.drop_table("progress_reset")
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_event_user_id"))
        batch_op.drop_index(
            "ix_outbox_event_unpublished",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_outbox_event_type"))
        batch_op.drop_index(batch_op.f("ix_outbox_event_course_id"))

    op.drop_table("outbox_event")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_course_id"))

    op.drop_table("certificate")
    op.drop_table("learning_day")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_expires_at"))

    op.drop_table("idempotency_record")
