"""Event receipts: which consumer handled which outbox event, so that handling happens once.

Revision ID: event_receipts
Revises: progress_events
Create Date: 2026-11-25 09:44:00.507504
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "event_receipts"
down_revision: str | Sequence[str] | None = "progress_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_receipt",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_event.event_id"],
            name=op.f("fk_event_receipt_event_id_outbox_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_event_receipt")),
    )
    with op.batch_alter_table("event_receipt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_receipt_event_id"), ["event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_receipt_event_id"))

    op.drop_table("event_receipt")
