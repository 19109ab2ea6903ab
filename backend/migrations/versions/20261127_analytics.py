"""Analytics: activity events and rollups.

Revision ID: analytics
Revises: ai_recommend
Create Date: 2026-11-27 09:04:00.000000
"""

from collections.abc import Sequence

revision: str = "analytics"
down_revision: str | Sequence[str] | None = "ai_recommend"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
