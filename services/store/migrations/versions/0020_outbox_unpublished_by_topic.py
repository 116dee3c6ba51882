"""the relay's urgent lane finds its unpublished rows without reading a backlog of the others

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 05:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_unpublished_topic",
        "outbox",
        ["topic", "id"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_unpublished_topic", table_name="outbox")
