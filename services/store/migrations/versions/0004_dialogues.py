"""dialogues

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 04:24:54.018674
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "dialogue",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organiser_id", sa.String(length=36), nullable=False),
        sa.Column("municipality_ags", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("starts_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=True),
        sa.Column("accessibility", sa.String(length=300), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("waitlist_enabled", sa.Boolean(), nullable=False),
        sa.Column("registration_opens_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("registration_closes_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("languages", sa.String(length=100), nullable=False),
        sa.Column("allocation", sa.String(length=10), nullable=False),
        sa.Column("quotas", sa.Text(), nullable=False),
        sa.Column("reminder_hours", sa.String(length=50), nullable=False),
        sa.Column("brief_days", sa.String(length=50), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("survey_url", sa.String(length=500), nullable=True),
        sa.Column("privacy_version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("lottery_seed", sa.Integer(), nullable=True),
        sa.Column("lottery_drawn_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("alerted_thresholds", sa.String(length=20), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("waitlist_last", sa.Integer(), nullable=False),
        sa.Column("created_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_dialogue_organiser_id"), "dialogue", ["organiser_id"], unique=False)
    op.create_table(
        "dialogue_job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dialogue_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("due_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("done_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogue.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dialogue_id", "kind", name="uq_dialogue_job"),
    )
    op.create_index("ix_dialogue_job_due", "dialogue_job", ["done_at", "due_at"], unique=False)
    op.create_table(
        "registration",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dialogue_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("email_hash", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("step_free", sa.Boolean(), nullable=False),
        sa.Column("sign_language", sa.Boolean(), nullable=False),
        sa.Column("simple_language", sa.Boolean(), nullable=False),
        sa.Column("interpreter_languages", sa.String(length=100), nullable=False),
        sa.Column("children_ages", sa.String(length=100), nullable=False),
        sa.Column("dietary", sa.String(length=200), nullable=False),
        sa.Column("needs_note", sa.Text(), nullable=True),
        sa.Column("groups", sa.String(length=200), nullable=False),
        sa.Column("consent_version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("waitlist_position", sa.Integer(), nullable=True),
        sa.Column("held_seat_when_cancelled", sa.Boolean(), nullable=False),
        sa.Column("requested_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("anonymised_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogue.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dialogue_id", "email_hash", name="uq_registration_dialogue_email"),
    )
    op.create_index(
        "ix_registration_dialogue_status",
        "registration",
        ["dialogue_id", "status", "waitlist_position"],
        unique=False,
    )


def downgrade() -> None:

    op.drop_index("ix_registration_dialogue_status", table_name="registration")
    op.drop_table("registration")
    op.drop_index("ix_dialogue_job_due", table_name="dialogue_job")
    op.drop_table("dialogue_job")
    op.drop_index(op.f("ix_dialogue_organiser_id"), table_name="dialogue")
    op.drop_table("dialogue")
