"""AI generation: LLM usage ledger, content embeddings, generation results.

Revision ID: ai_generation
Revises: ai_learner_model
Create Date: 2026-11-27 09:02:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "ai_generation"
down_revision: str | Sequence[str] | None = "ai_learner_model"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "llm_usage",
        sa.Column("usage_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=True),
        sa.Column("output_tokens", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name=op.f("fk_llm_usage_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("usage_id", name=op.f("pk_llm_usage")),
    )
    with op.batch_alter_table("llm_usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_llm_usage_called_at"), ["called_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_llm_usage_purpose"), ["purpose"], unique=False)
        batch_op.create_index(
            "ix_llm_usage_user_id_called_at", ["user_id", "called_at"], unique=False
        )

    op.create_table(
        "content_embedding",
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("embedded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content_items.content_id"],
            name=op.f("fk_content_embedding_content_id_content_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_content_embedding_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("content_id", name=op.f("pk_content_embedding")),
    )
    with op.batch_alter_table("content_embedding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_embedding_course_id"), ["course_id"], unique=False
        )

    op.create_table(
        "ai_generation",
        sa.Column("generation_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("module_id", sa.Uuid(), nullable=False),
        sa.Column("source_content_id", sa.Uuid(), nullable=True),
        sa.Column("source_version", sa.Integer(), nullable=True),
        sa.Column("source_chars", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=True),
        sa.Column("options", JSON_DOCUMENT, nullable=False),
        sa.Column("result", JSON_DOCUMENT, nullable=True),
        sa.Column("drafts", JSON_DOCUMENT, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.course_id"],
            name=op.f("fk_ai_generation_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["module_id"],
            ["modules.module_id"],
            name=op.f("fk_ai_generation_module_id_modules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.user_id"],
            name=op.f("fk_ai_generation_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_content_id"],
            ["content_items.content_id"],
            name=op.f("fk_ai_generation_source_content_id_content_items"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("generation_id", name=op.f("pk_ai_generation")),
    )
    with op.batch_alter_table("ai_generation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ai_generation_course_id"), ["course_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ai_generation_requested_by"), ["requested_by"], unique=False
        )


def downgrade() -> None:
    op.drop_table("ai_generation")
    op.drop_table("content_embedding")
    op.drop_table("llm_usage")
