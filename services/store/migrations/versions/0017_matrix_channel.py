"""the Matrix channel: a confirmed Matrix ID per account, the bot's rooms, its messages, its reading

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 11:00:00
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification_preference") as batch:
        batch.add_column(sa.Column("matrix_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("matrix_code_sent_at", services.store.types.UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("matrix_confirmed_at", services.store.types.UtcDateTime(), nullable=True))
    op.create_table(
        "matrix_room",
        sa.Column("matrix_id", sa.String(length=255), primary_key=True),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", services.store.types.UtcDateTime(), nullable=False),
    )
    op.create_table(
        "matrix_message",
        sa.Column("event_id", sa.String(length=255), primary_key=True),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("notification_id", sa.String(length=36), sa.ForeignKey("notification.id"), nullable=False),
        sa.Column("created_at", services.store.types.UtcDateTime(), nullable=False),
    )
    op.create_index("ix_matrix_message_room_id", "matrix_message", ["room_id"])
    op.create_index("ix_matrix_message_notification_id", "matrix_message", ["notification_id"])
    op.create_table(
        "matrix_sync",
        sa.Column("id", sa.String(length=20), primary_key=True),
        sa.Column("next_batch", sa.Text(), nullable=True),
        sa.Column("lease_until", services.store.types.UtcDateTime(), nullable=True),
        sa.Column("updated_at", services.store.types.UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("matrix_sync")
    op.drop_index("ix_matrix_message_notification_id", "matrix_message")
    op.drop_index("ix_matrix_message_room_id", "matrix_message")
    op.drop_table("matrix_message")
    op.drop_table("matrix_room")
    with op.batch_alter_table("notification_preference") as batch:
        batch.drop_column("matrix_confirmed_at")
        batch.drop_column("matrix_code_sent_at")
        batch.drop_column("matrix_id")
