"""AI recommendations: spaced-repetition reviews and learning paths.

Revision ID: ai_recommend
Revises: ai_generation
Create Date: 2026-11-27 09:03:00.000000
"""

from collections.abc import Sequence

revision: str = "ai_recommend"
down_revision: str | Sequence[str] | None = "ai_generation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
