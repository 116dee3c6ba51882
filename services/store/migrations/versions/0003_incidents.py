"""incidents

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 04:00:15.394529
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "campaign",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("district", sa.String(length=5), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detected_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "coordinator_profile",
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("expertise", sa.String(length=200), nullable=False),
        sa.Column("languages", sa.String(length=100), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.Column("team_lead", sa.Boolean(), nullable=False),
        sa.Column("programme_on_call", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "duty_shift",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=36), nullable=False),
        sa.Column("starts_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_duty_shift_account_id"), "duty_shift", ["account_id"], unique=False)
    op.create_table(
        "incident",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reporter_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("municipality_ags", sa.String(length=8), nullable=False),
        sa.Column("targets", sa.String(length=100), nullable=False),
        sa.Column("children_involved", sa.Boolean(), nullable=False),
        sa.Column("threat_of_violence", sa.Boolean(), nullable=False),
        sa.Column("immediate_danger", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("narrative_enc", sa.LargeBinary(), nullable=False),
        sa.Column("evidence_links_enc", sa.LargeBinary(), nullable=True),
        sa.Column("perpetrator_marks", sa.Text(), nullable=False),
        sa.Column("support_wanted", sa.String(length=200), nullable=False),
        sa.Column("consent_police", sa.Boolean(), nullable=False),
        sa.Column("reported_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_incident_municipality_ags"), "incident", ["municipality_ags"], unique=False)
    op.create_index(op.f("ix_incident_reporter_id"), "incident", ["reporter_id"], unique=False)
    op.create_table(
        "evidence_file",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data_enc", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_evidence_file_incident_id"), "evidence_file", ["incident_id"], unique=False)
    op.create_table(
        "support_case",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("reporter_id", sa.String(length=36), nullable=True),
        sa.Column("anonymous_code", sa.String(length=20), nullable=True),
        sa.Column("anonymous_secret_hash", sa.String(length=64), nullable=True),
        sa.Column("region_ags", sa.String(length=8), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=True),
        sa.Column("triage_reasons", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=14), nullable=False),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("routing_snapshot", sa.Text(), nullable=False),
        sa.Column("escalation_chain", sa.Text(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("acknowledge_by", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_escalation_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("checkin_interval_minutes", sa.Integer(), nullable=True),
        sa.Column("next_checkin_due", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("campaign_id", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("anonymous_code"),
        sa.UniqueConstraint("incident_id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index("ix_case_escalation_due", "support_case", ["status", "next_escalation_at"], unique=False)
    op.create_index(op.f("ix_support_case_assignee_id"), "support_case", ["assignee_id"], unique=False)
    op.create_index(op.f("ix_support_case_campaign_id"), "support_case", ["campaign_id"], unique=False)
    op.create_index(
        op.f("ix_support_case_next_checkin_due"), "support_case", ["next_checkin_due"], unique=False
    )
    op.create_index(op.f("ix_support_case_region_ags"), "support_case", ["region_ags"], unique=False)
    op.create_index(op.f("ix_support_case_reporter_id"), "support_case", ["reporter_id"], unique=False)
    op.create_table(
        "case_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_case_history_case_id"), "case_history", ["case_id"], unique=False)
    op.create_table(
        "case_note",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("from_reporter", sa.Boolean(), nullable=False),
        sa.Column("created_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_case_note_case_id"), "case_note", ["case_id"], unique=False)
    op.create_table(
        "support_offer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("offered_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("responded_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", services.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("delivered_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["support_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_support_offer_case_id"), "support_offer", ["case_id"], unique=False)


def downgrade() -> None:

    op.drop_index(op.f("ix_support_offer_case_id"), table_name="support_offer")
    op.drop_table("support_offer")
    op.drop_index(op.f("ix_case_note_case_id"), table_name="case_note")
    op.drop_table("case_note")
    op.drop_index(op.f("ix_case_history_case_id"), table_name="case_history")
    op.drop_table("case_history")
    op.drop_index(op.f("ix_support_case_reporter_id"), table_name="support_case")
    op.drop_index(op.f("ix_support_case_region_ags"), table_name="support_case")
    op.drop_index(op.f("ix_support_case_next_checkin_due"), table_name="support_case")
    op.drop_index(op.f("ix_support_case_campaign_id"), table_name="support_case")
    op.drop_index(op.f("ix_support_case_assignee_id"), table_name="support_case")
    op.drop_index("ix_case_escalation_due", table_name="support_case")
    op.drop_table("support_case")
    op.drop_index(op.f("ix_evidence_file_incident_id"), table_name="evidence_file")
    op.drop_table("evidence_file")
    op.drop_index(op.f("ix_incident_reporter_id"), table_name="incident")
    op.drop_index(op.f("ix_incident_municipality_ags"), table_name="incident")
    op.drop_table("incident")
    op.drop_index(op.f("ix_duty_shift_account_id"), table_name="duty_shift")
    op.drop_table("duty_shift")
    op.drop_table("coordinator_profile")
    op.drop_table("campaign")
