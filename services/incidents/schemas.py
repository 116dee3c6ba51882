"""What the API and the pages show of cases and take from people: one family of models per entity.
No table model leaves the service, so no column is shown by accident."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Added(BaseModel):
    status: Literal["added"] = "added"


class EvidenceAdded(BaseModel):
    id: str
    size: int
    content_type: str


class Information(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10000)


class Reassignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: str


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10000)


class CheckinSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interval_minutes: int = Field(ge=15, le=24 * 60, description="how often you will check in")


class CaseSummary(BaseModel):
    id: str
    ref: str
    status: str
    severity: str | None
    region_ags: str
    assignee_id: str | None
    escalation_level: int
    acknowledge_by: datetime | None
    campaign_id: str | None
    created_at: datetime


class HistoryLine(BaseModel):
    at: datetime
    actor_id: str | None
    action: str
    detail: dict[str, object]


class OfferPublic(BaseModel):
    id: str
    kind: str
    status: str
    offered_at: datetime
    responded_at: datetime | None
    delivered_at: datetime | None


class NotePublic(BaseModel):
    author_id: str | None
    from_reporter: bool
    text: str
    created_at: datetime


class CaseDetail(CaseSummary):
    kind: str
    channel: str
    occurred_at: datetime
    targets: list[str]
    immediate_danger: bool
    triage_reasons: list[str]
    routing_rule: str | None
    checkin_interval_minutes: int | None
    next_checkin_due: datetime | None
    offers: list[OfferPublic]
    history: list[HistoryLine]
    narrative: str | None = Field(description="only for the reporter, the assignee and admins")
    evidence_links: list[str] | None
    evidence_files: list[dict[str, object]] | None
    notes: list[NotePublic] | None


class CampaignPublic(BaseModel):
    id: str
    district: str
    reason: str
    detected_at: datetime
    cases: list[CaseSummary]


class AnonymousStatus(BaseModel):
    """What an anonymous reporter sees with code and secret: no names, no notes."""

    case_ref: str
    status: str
    severity: str | None
    offers: list[str]
    updated_at: datetime
