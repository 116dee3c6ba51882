"""Incident and case tables. Narratives, evidence and notes are stored encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from services.store.types import EncryptedText, UtcDateTime
from workflows.incidents.case_rules import CaseStatus, OfferStatus


class Incident(SQLModel, table=True):
    """What was reported. The reporter is an account or, for an anonymous report, nobody."""

    __tablename__ = "incident"

    id: str = Field(primary_key=True, max_length=36)
    reporter_id: str | None = Field(default=None, foreign_key="account.id", index=True, max_length=36)
    kind: str = Field(max_length=32)
    channel: str = Field(max_length=32)
    occurred_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    municipality_ags: str = Field(max_length=8, index=True)
    targets: str = Field(max_length=100)  # comma-separated: self, family, staff
    children_involved: bool = False
    threat_of_violence: bool = False
    immediate_danger: bool = False
    language: str = Field(default="de", max_length=8)
    narrative_enc: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    evidence_links_enc: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    perpetrator_marks: str = Field(default="", sa_column=Column(Text, nullable=False))  # keyed hashes
    support_wanted: str = Field(default="", max_length=200)
    consent_police: bool = False
    reported_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class EvidenceFile(SQLModel, table=True):
    __tablename__ = "evidence_file"

    id: str = Field(primary_key=True, max_length=36)
    incident_id: str = Field(foreign_key="incident.id", index=True, max_length=36)
    filename: str = Field(sa_column=Column(EncryptedText, nullable=False))  # may name a person
    content_type: str = Field(max_length=100)
    size: int
    data_enc: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    added_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class Case(SQLModel, table=True):
    __tablename__ = "support_case"
    __table_args__ = (Index("ix_case_escalation_due", "status", "next_escalation_at"),)

    id: str = Field(primary_key=True, max_length=36)
    ref: str = Field(max_length=20, unique=True)
    incident_id: str = Field(foreign_key="incident.id", unique=True, max_length=36)
    reporter_id: str | None = Field(default=None, index=True, max_length=36)
    anonymous_code: str | None = Field(default=None, max_length=20, unique=True)
    anonymous_secret_hash: str | None = Field(default=None, max_length=64)
    region_ags: str = Field(max_length=8, index=True)
    severity: str | None = Field(default=None, max_length=10)
    triage_reasons: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    status: CaseStatus = Field(default=CaseStatus.NEW, sa_column=Column(String(14), nullable=False))
    assignee_id: str | None = Field(default=None, index=True, max_length=36)
    routing_snapshot: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    escalation_chain: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    escalation_level: int = 0
    acknowledge_by: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    next_escalation_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    checkin_interval_minutes: int | None = None
    next_checkin_due: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime, nullable=True, index=True)
    )
    campaign_id: str | None = Field(default=None, index=True, max_length=36)
    share_contact: bool = False  # the reporter lets the assignee see their name and address
    # An anonymous reporter's voluntary address, told only *that* there is news; deletable.
    news_address: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    version: int = 0  # optimistic lock for timers and coordinators acting at once
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class CaseHistory(SQLModel, table=True):
    """Every action on a case, in order. Never the narrative or other personal data."""

    __tablename__ = "case_history"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(foreign_key="support_case.id", index=True, max_length=36)
    at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    actor_id: str | None = Field(default=None, max_length=36)  # None: the system
    action: str = Field(max_length=32)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="support_case.id", index=True, max_length=36)
    author_id: str | None = Field(default=None, max_length=36)  # None: the anonymous reporter
    body_enc: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    from_reporter: bool = False
    to_reporter: bool = False  # a coordinator's message in the conversation (else an internal note)
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class SupportOffer(SQLModel, table=True):
    __tablename__ = "support_offer"

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="support_case.id", index=True, max_length=36)
    kind: str = Field(max_length=40)
    status: OfferStatus = Field(default=OfferStatus.OFFERED, sa_column=Column(String(10), nullable=False))
    offered_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    responded_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    delivered_by: str | None = Field(default=None, max_length=36)


class CoordinatorProfile(SQLModel, table=True):
    """What routing needs to know about a coordinator."""

    __tablename__ = "coordinator_profile"

    account_id: str = Field(foreign_key="account.id", primary_key=True, max_length=36)
    expertise: str = Field(max_length=200)  # comma-separated: legal, psychosocial, security, takedown, media
    languages: str = Field(default="de", max_length=100)
    capacity: int = 10
    on_duty: bool = True
    team_lead: bool = False
    programme_on_call: bool = False
    regions: str = Field(default="", sa_column=Column(Text, nullable=False))  # AGS prefixes, comma-separated
    backup_id: str | None = Field(default=None, max_length=36)
    # How the reporting official may reach this coordinator, if they choose to share one.
    shared_contact: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))


class OnCallTurn(SQLModel, table=True):
    """The programme on-call rota: who takes what no region can, from when to when."""

    __tablename__ = "on_call_turn"

    id: str = Field(primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="account.id", max_length=36)
    starts_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"

    id: str = Field(primary_key=True, max_length=36)
    district: str = Field(max_length=5)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    detected_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class DutyShift(SQLModel, table=True):
    """On-duty schedule. A coordinator with shifts is on duty only during one; one without shifts
    follows the on_duty switch of the profile alone."""

    __tablename__ = "duty_shift"

    id: str = Field(primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=36)
    starts_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    ends_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
