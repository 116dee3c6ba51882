"""where a respondent's link was mailed (encrypted; erased when the round closes)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 08:30:00
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("selfcheck_respondent") as batch:
        batch.add_column(sa.Column("email", services.store.types.EncryptedText(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("selfcheck_respondent") as batch:
        batch.drop_column("email")
