"""what an operator decided about a dead letter: replayed (after a fix) or discarded, with a reason

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 06:00:00
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_letter_decision",
        sa.Column("outbox_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=36), nullable=False),
        sa.Column("decided_at", services.store.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("outbox_id"),
    )


def downgrade() -> None:
    op.drop_table("dead_letter_decision")
