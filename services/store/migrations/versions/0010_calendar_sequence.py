"""each registration counts the calendar invites sent for it (SEQUENCE)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 04:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registration", recreate="never") as batch:
        batch.add_column(sa.Column("calendar_sequence", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("registration", recreate="never") as batch:
        batch.drop_column("calendar_sequence")
