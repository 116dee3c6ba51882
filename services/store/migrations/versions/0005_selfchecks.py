"""selfchecks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 04:41:48.342775
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "selfcheck_round",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("municipality_ags", sa.String(length=8), nullable=False),
        sa.Column("municipality_account_id", sa.String(length=36), nullable=False),
        sa.Column("municipality_name", sa.String(length=200), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version", sa.String(length=20), nullable=False),
        sa.Column("peer_exchange_opt_in", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("overall", sa.Float(), nullable=True),
        sa.Column("opened_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("scored_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_selfcheck_round_municipality_ags"), "selfcheck_round", ["municipality_ags"], unique=False
    )
    op.create_table(
        "selfcheck_recommendation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("offers", sa.String(length=200), nullable=False),
        sa.Column("dialogue_format", sa.String(length=40), nullable=False),
        sa.Column("peer_ags", sa.String(length=8), nullable=True),
        sa.Column("dialogue_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["selfcheck_round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_selfcheck_recommendation_round_id"), "selfcheck_recommendation", ["round_id"], unique=False
    )
    op.create_table(
        "selfcheck_respondent",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("updated_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["selfcheck_round.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_selfcheck_respondent_round_id"), "selfcheck_respondent", ["round_id"], unique=False
    )


def downgrade() -> None:

    op.drop_index(op.f("ix_selfcheck_respondent_round_id"), table_name="selfcheck_respondent")
    op.drop_table("selfcheck_respondent")
    op.drop_index(op.f("ix_selfcheck_recommendation_round_id"), table_name="selfcheck_recommendation")
    op.drop_table("selfcheck_recommendation")
    op.drop_index(op.f("ix_selfcheck_round_municipality_ags"), table_name="selfcheck_round")
    op.drop_table("selfcheck_round")
