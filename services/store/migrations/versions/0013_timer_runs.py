"""the last run of each periodic job, for the admins' system view

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 07:00:00
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timer_run",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_run_at", services.store.types.UtcDateTime(), nullable=False),
        sa.Column("last_ok_at", services.store.types.UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("last_error_at", services.store.types.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("timer_run")
