"""Analytics reports: requested exports, their job and their file until they expire.

Revision ID: analytics_reports
Revises: analytics
Create Date: 2026-11-27 09:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "analytics_reports"
down_revision: str | Sequence[str] | None = "analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_report",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("learner_id", sa.Uuid(), nullable=True),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.Column("include_identities", sa.Boolean(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("storage_key", sa.String(length=300), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column(
            "summary", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_analytics_report_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["job.job_id"],
            name=op.f("fk_analytics_report_job_id_job"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.user_id"],
            name=op.f("fk_analytics_report_learner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.user_id"],
            name=op.f("fk_analytics_report_requested_by_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_analytics_report")),
    )
    with op.batch_alter_table("analytics_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_report_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_report_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_report_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_analytics_report_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_analytics_report_learner_id"), ["learner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_report_requested_by"), ["requested_by"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_report_requested_by"))
        batch_op.drop_index(batch_op.f("ix_analytics_report_learner_id"))
        batch_op.drop_index(batch_op.f("ix_analytics_report_job_id"))
        batch_op.drop_index(batch_op.f("ix_analytics_report_expires_at"))
        batch_op.drop_index(batch_op.f("ix_analytics_report_created_at"))
        batch_op.drop_index(batch_op.f("ix_analytics_report_course_id"))
    op.drop_table("analytics_report")
