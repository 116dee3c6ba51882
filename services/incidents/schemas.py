"""What the API and the pages show of cases and take from people: one family of models per entity.
No table model leaves the service, so no column is shown by accident."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


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
    expertise: str | None = Field(default=None, description="what the routing rule asked for")


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
    """An internal note, or a line of the conversation (from or to the reporter)."""

    author_id: str | None
    from_reporter: bool
    to_reporter: bool = False
    text: str
    created_at: datetime


class HandlerPublic(BaseModel):
    """Who looks after a case, as the reporter sees it: a contact route only if they share one."""

    display_name: str
    expertise: list[str]
    took_it: bool = Field(description="false while the case waits for them to take it")
    contact: str | None


class ReporterContact(BaseModel):
    display_name: str
    email: str


class ContactSharing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    share: bool = Field(description="let the coordinator see your name and e-mail address")


class NewsAddress(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address: EmailStr | None = Field(
        description="where we say (never what) that there is news; null deletes it"
    )


class ConversationLine(BaseModel):
    from_reporter: bool
    text: str
    at: datetime


class CaseDetail(CaseSummary):
    kind: str
    channel: str
    occurred_at: datetime
    targets: list[str]
    immediate_danger: bool
    triage_reasons: list[str]
    routing_rule: str | None
    routing_reasons: list[str] = Field(default_factory=list)
    checkin_interval_minutes: int | None
    next_checkin_due: datetime | None
    offers: list[OfferPublic]
    history: list[HistoryLine]
    narrative: str | None = Field(description="only for the reporter, the assignee and admins")
    evidence_links: list[str] | None
    evidence_files: list[dict[str, object]] | None
    notes: list[NotePublic] | None
    handler: HandlerPublic | None
    share_contact: bool
    reporter_contact: ReporterContact | None = Field(
        description="only for the assignee and admins, and only if the reporter agreed"
    )


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
    handler: HandlerPublic | None
    messages: list[ConversationLine]
    news_address_set: bool
