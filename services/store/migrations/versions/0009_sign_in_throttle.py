"""failed sign-ins counted per address and client (sign_in_throttle) instead of per account

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 03:00:00
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", services.store.types.UtcDateTime(), nullable=False),
        sa.Column("blocked_until", services.store.types.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    # ALTER TABLE ... DROP COLUMN in place: recreating the table would break the foreign keys on SQLite
    with op.batch_alter_table("account", recreate="never") as batch:
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("account", recreate="never") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", services.store.types.UtcDateTime(), nullable=True))
    op.drop_table("sign_in_throttle")
