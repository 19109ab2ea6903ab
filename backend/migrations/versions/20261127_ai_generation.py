"""AI generation: LLM usage ledger, content embeddings, generation results.

Revision ID: ai_generation
Revises: ai_learner_model
Create Date: 2026-11-27 09:02:00.000000
"""

from collections.abc import Sequence

revision: str = "ai_generation"
down_revision: str | Sequence[str] | None = "ai_learner_model"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
