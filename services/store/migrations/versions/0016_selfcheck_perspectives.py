"""the part of the administration a self-check respondent answers for; the drafted workshop dialogue

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("selfcheck_respondent") as batch:
        batch.add_column(sa.Column("perspective", sa.String(length=40), nullable=True))
    with op.batch_alter_table("selfcheck_round") as batch:
        batch.add_column(sa.Column("workshop_dialogue_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("selfcheck_round") as batch:
        batch.drop_column("workshop_dialogue_id")
    with op.batch_alter_table("selfcheck_respondent") as batch:
        batch.drop_column("perspective")
