"""logistics tasks an organiser ticked off

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 08:00:00
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialogue_task",
        sa.Column("dialogue_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("done_at", services.store.types.UtcDateTime(), nullable=False),
        sa.Column("done_by", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["dialogue_id"], ["dialogue.id"]),
        sa.PrimaryKeyConstraint("dialogue_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("dialogue_task")
