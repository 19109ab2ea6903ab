"""Background jobs.

Revision ID: jobs
Revises: outbox_relay_retries
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

revision: str = "jobs"
down_revision: str | Sequence[str] | None = "outbox_relay_retries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
