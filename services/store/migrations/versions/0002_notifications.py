"""notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 03:51:59.295736
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "notification",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("recipient_kind", sa.String(length=20), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_notification_recipient_id"), "notification", ["recipient_id"], unique=False)
    op.create_index(op.f("ix_notification_status"), "notification", ["status"], unique=False)
    op.create_table(
        "inbox_message",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("notification_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("created_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("read_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notification.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notification_id"),
    )
    op.create_index(op.f("ix_inbox_message_account_id"), "inbox_message", ["account_id"], unique=False)
    op.create_table(
        "notification_delivery",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("notification_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notification.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notification_id", "channel", name="uq_delivery_notification_channel"),
    )
    op.create_index(
        "ix_delivery_due", "notification_delivery", ["status", "urgent", "next_attempt_at"], unique=False
    )
    op.create_index(
        op.f("ix_notification_delivery_notification_id"),
        "notification_delivery",
        ["notification_id"],
        unique=False,
    )
    op.create_table(
        "notification_preference",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("channels", sa.String(length=100), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("webhook_url", sa.String(length=2000), nullable=True),
        sa.Column("webhook_secret", sa.String(length=200), nullable=True),
        sa.Column("updated_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:

    op.drop_table("notification_preference")
    op.drop_index(op.f("ix_notification_delivery_notification_id"), table_name="notification_delivery")
    op.drop_index("ix_delivery_due", table_name="notification_delivery")
    op.drop_table("notification_delivery")
    op.drop_index(op.f("ix_inbox_message_account_id"), table_name="inbox_message")
    op.drop_table("inbox_message")
    op.drop_index(op.f("ix_notification_status"), table_name="notification")
    op.drop_index(op.f("ix_notification_recipient_id"), table_name="notification")
    op.drop_table("notification")
