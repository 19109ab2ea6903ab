"""Analytics: activity events (append-only; BRIN on insertion time on PostgreSQL), the rollups
kept current from them, and the users' analytics consent (opt-in).

Revision ID: analytics
Revises: ai_recommend
Create Date: 2026-11-27 09:04:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "analytics"
down_revision: str | Sequence[str] | None = "ai_recommend"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_platform_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("active_users", sa.Integer(), nullable=False),
        sa.Column("enrollments", sa.Integer(), nullable=False),
        sa.Column("items_completed", sa.Integer(), nullable=False),
        sa.Column("course_completions", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_analytics_platform_day")),
    )
    op.create_table(
        "analytics_question_stat",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "content_id", "question_id", name=op.f("pk_analytics_question_stat")
        ),
    )
    op.create_table(
        "analytics_score_bucket",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("content_id", "bucket", name=op.f("pk_analytics_score_bucket")),
    )
    op.create_table(
        "activity_event",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("client_event_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_activity_event_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_activity_event")),
        sa.UniqueConstraint(
            "user_id", "client_event_id", name=op.f("uq_activity_event_user_id_client_event_id")
        ),
    )
    with op.batch_alter_table("activity_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_event_recorded_at", ["recorded_at"], unique=False, postgresql_using="brin"
        )

    op.create_table(
        "analytics_learner_item",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_analytics_learner_item_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", "user_id", name=op.f("pk_analytics_learner_item")),
    )
    with op.batch_alter_table("analytics_learner_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_learner_item_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "analytics_learner_summary",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("last_active_day", sa.Date(), nullable=True),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_streak", sa.Integer(), nullable=False),
        sa.Column("longest_streak", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("items_completed", sa.Integer(), nullable=False),
        sa.Column("courses_completed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_analytics_learner_summary_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_analytics_learner_summary")),
    )
    with op.batch_alter_table("analytics_learner_summary", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_learner_summary_last_active_at"),
            ["last_active_at"],
            unique=False,
        )

    op.create_table(
        "analytics_skill_day",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("skill_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_analytics_skill_day_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "skill_id", "day", name=op.f("pk_analytics_skill_day")),
    )
    op.create_table(
        "analytics_course_learner",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_active_on", sa.Date(), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("items_completed", sa.Integer(), nullable=False),
        sa.Column("quiz_attempts", sa.Integer(), nullable=False),
        sa.Column("quiz_score_sum", sa.Float(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_analytics_course_learner_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_analytics_course_learner_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", "user_id", name=op.f("pk_analytics_course_learner")),
    )
    with op.batch_alter_table("analytics_course_learner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_course_learner_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "analytics_course_period",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=5), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("active_learners", sa.Integer(), nullable=False),
        sa.Column("enrollments", sa.Integer(), nullable=False),
        sa.Column("items_completed", sa.Integer(), nullable=False),
        sa.Column("course_completions", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_analytics_course_period_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "course_id", "period", "starts_on", name=op.f("pk_analytics_course_period")
        ),
    )
    op.create_table(
        "analytics_item_stat",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("learners_started", sa.Integer(), nullable=False),
        sa.Column("learners_completed", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("replays", sa.Integer(), nullable=False),
        sa.Column("quiz_attempts", sa.Integer(), nullable=False),
        sa.Column("quiz_score_sum", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_analytics_item_stat_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", name=op.f("pk_analytics_item_stat")),
    )
    with op.batch_alter_table("analytics_item_stat", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_item_stat_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "analytics_learner_day",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("items_completed", sa.Integer(), nullable=False),
        sa.Column("courses_completed", sa.Integer(), nullable=False),
        sa.Column("quiz_attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_analytics_learner_day_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_analytics_learner_day_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "day", "course_id", name=op.f("pk_analytics_learner_day")
        ),
    )
    with op.batch_alter_table("analytics_learner_day", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_learner_day_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "analytics_module_stat",
        sa.Column("module_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_analytics_module_stat_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("module_id", name=op.f("pk_analytics_module_stat")),
    )
    with op.batch_alter_table("analytics_module_stat", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_module_stat_course_id"), ["course_id"], unique=False
        )

    with op.batch_alter_table("user_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "analytics_consent", sa.Boolean(), server_default=sa.text("false"), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user_settings", schema=None) as batch_op:
        batch_op.drop_column("analytics_consent")

    with op.batch_alter_table("analytics_module_stat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_module_stat_course_id"))

    op.drop_table("analytics_module_stat")
    with op.batch_alter_table("analytics_learner_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_learner_day_course_id"))

    op.drop_table("analytics_learner_day")
    with op.batch_alter_table("analytics_item_stat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_item_stat_course_id"))

    op.drop_table("analytics_item_stat")
    op.drop_table("analytics_course_period")
    with op.batch_alter_table("analytics_course_learner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_course_learner_user_id"))

    op.drop_table("analytics_course_learner")
    op.drop_table("analytics_skill_day")
    with op.batch_alter_table("analytics_learner_summary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_learner_summary_last_active_at"))

    op.drop_table("analytics_learner_summary")
    with op.batch_alter_table("analytics_learner_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_learner_item_user_id"))

    op.drop_table("analytics_learner_item")
    with op.batch_alter_table("activity_event", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_event_recorded_at", postgresql_using="brin")

    op.drop_table("activity_event")
    op.drop_table("analytics_score_bucket")
    op.drop_table("analytics_question_stat")
    op.drop_table("analytics_platform_day")
