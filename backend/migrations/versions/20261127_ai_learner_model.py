"""AI learner model: skill states and the fitted model.

Revision ID: ai_learner_model
Revises: jobs
Create Date: 2026-11-27 09:01:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "ai_learner_model"
down_revision: str | Sequence[str] | None = "jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "learner_model_fit",
        sa.Column("fit_id", sa.Uuid(), nullable=False),
        sa.Column("model_name", sa.String(length=50), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("fit_seconds", sa.Float(), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("parameters", JSON, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("fit_id", name=op.f("pk_learner_model_fit")),
    )
    with op.batch_alter_table("learner_model_fit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learner_model_fit_created_at"), ["created_at"], unique=False
        )
    op.create_table(
        "learner_state",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("wrong", sa.Integer(), nullable=False),
        sa.Column("last_correct", sa.Boolean(), nullable=True),
        sa.Column("recent", sa.String(length=8), nullable=False),
        sa.Column("item_attempts", JSON, nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_learner_state_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_learner_state")),
    )
    op.create_table(
        "learner_skill_state",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("skill_id", sa.Uuid(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("wrong", sa.Integer(), nullable=False),
        sa.Column("decayed_correct", sa.Float(), nullable=False),
        sa.Column("decayed_wrong", sa.Float(), nullable=False),
        sa.Column("last_correct", sa.Boolean(), nullable=True),
        sa.Column("p_mastery", sa.Float(), nullable=True),
        sa.Column("recent", sa.String(length=8), nullable=False),
        sa.Column("last_practiced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.skill_id"],
            name=op.f("fk_learner_skill_state_skill_id_skill"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_learner_skill_state_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "skill_id", name=op.f("pk_learner_skill_state")),
    )
    with op.batch_alter_table("learner_skill_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learner_skill_state_skill_id"), ["skill_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("learner_skill_state")
    op.drop_table("learner_state")
    with op.batch_alter_table("learner_model_fit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_model_fit_created_at"))
    op.drop_table("learner_model_fit")
