"""outbox rows held for an admin; waiting list ordered by the time of registration

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 23:00:00
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("held_at", services.store.types.UtcDateTime(), nullable=True))
    op.add_column("outbox", sa.Column("held_reason", sa.Text(), nullable=True))
    op.add_column(
        "dialogue",
        sa.Column("waitlist_last_requested_at", services.store.types.UtcDateTime(), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("dialogue") as batch:
        batch.drop_column("waitlist_last_requested_at")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("held_reason")
        batch.drop_column("held_at")
