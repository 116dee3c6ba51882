"""routing on a fresh install and two-way contact: several regions, a backup and a shared contact
route per coordinator; the programme on-call rota; a case's conversation, the reporter's consent to
share contact details, and an anonymous reporter's voluntary address for news

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 05:00:00
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coordinator_profile", recreate="never") as batch:
        batch.add_column(sa.Column("regions", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("backup_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("shared_contact", services.store.types.EncryptedText(), nullable=True))
    op.execute(
        "UPDATE coordinator_profile SET regions = (SELECT region FROM account"
        " WHERE account.id = coordinator_profile.account_id AND account.region IS NOT NULL)"
        " WHERE EXISTS (SELECT 1 FROM account WHERE account.id = coordinator_profile.account_id"
        " AND account.region IS NOT NULL)"
    )
    op.create_table(
        "on_call_turn",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("starts_at", services.store.types.UtcDateTime(), nullable=False),
        sa.Column("ends_at", services.store.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_on_call_turn_starts_at", "on_call_turn", ["starts_at"])
    with op.batch_alter_table("support_case", recreate="never") as batch:
        batch.add_column(sa.Column("share_contact", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("news_address", services.store.types.EncryptedText(), nullable=True))
    with op.batch_alter_table("case_note", recreate="never") as batch:
        batch.add_column(sa.Column("to_reporter", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("case_note", recreate="never") as batch:
        batch.drop_column("to_reporter")
    with op.batch_alter_table("support_case", recreate="never") as batch:
        batch.drop_column("news_address")
        batch.drop_column("share_contact")
    op.drop_index("ix_on_call_turn_starts_at", table_name="on_call_turn")
    op.drop_table("on_call_turn")
    with op.batch_alter_table("coordinator_profile", recreate="never") as batch:
        batch.drop_column("shared_contact")
        batch.drop_column("backup_id")
        batch.drop_column("regions")
