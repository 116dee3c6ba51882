"""wrong Matrix confirmation codes are counted: after five the code is void

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 17:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification_preference") as batch:
        batch.add_column(sa.Column("matrix_code_failures", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("notification_preference") as batch:
        batch.drop_column("matrix_code_failures")
