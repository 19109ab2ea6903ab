"""Analytics reports.

Revision ID: analytics_reports
Revises: analytics
Create Date: 2026-11-27 09:05:00.000000
"""

from collections.abc import Sequence

revision: str = "analytics_reports"
down_revision: str | Sequence[str] | None = "analytics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
