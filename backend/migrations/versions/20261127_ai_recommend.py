"""AI recommendations: spaced-repetition reviews and learning paths.

Revision ID: ai_recommend
Revises: ai_generation
Create Date: 2026-11-27 09:03:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "ai_recommend"
down_revision: str | Sequence[str] | None = "ai_generation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_card",
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("skill_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(content_id IS NULL) <> (skill_id IS NULL)", name=op.f("ck_review_card_one_subject")
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.content_id"],
            name=op.f("fk_review_card_content_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.skill_id"],
            name=op.f("fk_review_card_skill_id_skill"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_review_card_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("card_id", name=op.f("pk_review_card")),
        sa.UniqueConstraint(
            "user_id", "content_id", name=op.f("uq_review_card_user_id_content_id")
        ),
        sa.UniqueConstraint("user_id", "skill_id", name=op.f("uq_review_card_user_id_skill_id")),
    )
    with op.batch_alter_table("review_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_card_content_id"), ["content_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_card_skill_id"), ["skill_id"], unique=False)
        batch_op.create_index("ix_review_card_user_id_due", ["user_id", "due"], unique=False)

    op.create_table(
        "learning_path",
        sa.Column("path_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("goal", JSON, nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("weekly_minutes", sa.Integer(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("steps", JSON, nullable=False),
        sa.Column("total_minutes", sa.Integer(), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replans", sa.Integer(), nullable=False),
        sa.Column("needs_replan", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_learning_path_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("path_id", name=op.f("pk_learning_path")),
    )
    with op.batch_alter_table("learning_path", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_path_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("learning_path")
    op.drop_table("review_card")
