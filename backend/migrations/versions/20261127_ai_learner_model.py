"""AI learner model: skill states and the fitted model.

Revision ID: ai_learner_model
Revises: jobs
Create Date: 2026-11-27 09:01:00.000000
"""

from collections.abc import Sequence

revision: str = "ai_learner_model"
down_revision: str | Sequence[str] | None = "jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
