"""Typed, versioned event contracts.

Payloads carry ids, categories and timestamps only — never a narrative, name, e-mail or phone
(DESIGN invariant 5). Each contract names the field that is its partition key, so all events of one
case, dialogue or municipality land on one partition in the order they were written.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Id = str  # opaque identifiers (UUID strings); kept as text so any store's ids fit
AgsCode = str


class Event(BaseModel):
    """Base of every contract: strict, immutable, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    type_name: ClassVar[str]
    version: ClassVar[int] = 1
    key_field: ClassVar[str]

    def partition_key(self) -> str:
        return str(getattr(self, self.key_field))


AGS_PATTERN = r"^[0-9]{8}$"


class IncidentKind(StrEnum):
    HATE_SPEECH_ONLINE = "hate_speech_online"
    INSULT = "insult"
    THREAT = "threat"
    STALKING = "stalking"
    DOXXING = "doxxing"
    PROPERTY_DAMAGE = "property_damage"
    PHYSICAL_ATTACK = "physical_attack"
    FAMILY_TARGETED = "family_targeted"
    OTHER = "other"


class IncidentReported(Event):
    type_name: ClassVar[str] = "IncidentReported"
    key_field: ClassVar[str] = "case_id"

    incident_id: Id
    case_id: Id
    municipality_ags: AgsCode = Field(pattern=AGS_PATTERN)
    kind: IncidentKind
    immediate_danger: bool
    reported_at: AwareDatetime


class CaseAction(StrEnum):
    ASSIGNED = "assigned"
    QUEUED = "queued"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    REASSIGNED = "reassigned"
    NOTE_ADDED = "note_added"
    INFORMATION_ADDED = "information_added"
    RESOLVED = "resolved"
    CLOSED = "closed"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_DECLINED = "offer_declined"
    SUPPORT_DELIVERED = "support_delivered"
    CHECKIN_ENABLED = "checkin_enabled"
    CHECKED_IN = "checked_in"
    CHECKIN_MISSED = "checkin_missed"
    LINKED_TO_CAMPAIGN = "linked_to_campaign"
    MESSAGE_SENT = "message_sent"  # to the reporter, in the case's conversation
    CONTACT_SHARING_CHANGED = "contact_sharing_changed"
    NEWS_ADDRESS_CHANGED = "news_address_changed"
    PAGED = "paged"  # an unrouted case paged the programme on-call and the admins again
    HANDED_BACK = "handed_back"  # its assignee went off duty: to the backup or the queue


class CaseUpdated(Event):
    """Something happened to a case (ids and the kind of action only; details stay in its history)."""

    type_name: ClassVar[str] = "CaseUpdated"
    key_field: ClassVar[str] = "case_id"

    case_id: Id
    action: CaseAction
    escalation_level: int = Field(default=0, ge=0)
    at: AwareDatetime


class CampaignDetected(Event):
    type_name: ClassVar[str] = "CampaignDetected"
    key_field: ClassVar[str] = "campaign_id"

    campaign_id: Id
    district: str = Field(pattern=r"^[0-9]{5}$")
    case_count: int = Field(ge=2)
    detected_at: AwareDatetime


class RegistrationRequested(Event):
    type_name: ClassVar[str] = "RegistrationRequested"
    key_field: ClassVar[str] = "dialogue_id"

    registration_id: Id
    dialogue_id: Id
    requested_at: AwareDatetime


class RegistrationCancelled(Event):
    type_name: ClassVar[str] = "RegistrationCancelled"
    key_field: ClassVar[str] = "dialogue_id"

    registration_id: Id
    dialogue_id: Id
    cancelled_at: AwareDatetime


class DialogueSeatsChanged(Event):
    """The organiser changed how many seats there are: the worker, which decides every seat of the
    dialogue in turn, fills any seat that came free from the waiting list, in order."""

    type_name: ClassVar[str] = "DialogueSeatsChanged"
    key_field: ClassVar[str] = "dialogue_id"

    dialogue_id: Id
    capacity: int = Field(ge=1)
    changed_at: AwareDatetime


class SelfCheckSubmitted(Event):
    type_name: ClassVar[str] = "SelfCheckSubmitted"
    key_field: ClassVar[str] = "municipality_ags"

    selfcheck_id: Id
    municipality_ags: AgsCode = Field(pattern=AGS_PATTERN)
    questionnaire_version: str
    submitted_at: AwareDatetime


class SupportSubject(StrEnum):
    CASE = "case"
    SELFCHECK = "selfcheck"


class SupportOfferIssued(Event):
    type_name: ClassVar[str] = "SupportOfferIssued"
    key_field: ClassVar[str] = "subject_id"

    offer_id: Id
    subject: SupportSubject
    subject_id: Id
    offer_kind: str


class NotificationRequested(Event):
    type_name: ClassVar[str] = "NotificationRequested"
    key_field: ClassVar[str] = "recipient_id"

    notification_id: Id
    recipient_id: Id
    template: str
    urgent: bool = False
    subject_id: Id | None = None


class ProbeFault(StrEnum):
    NONE = "none"
    FAIL = "fail"  # the handler raises every time: a fault drill for retries and dead-lettering


class PipelineProbe(Event):
    """A synthetic event sent through the pipeline to prove it works end to end and to time it."""

    type_name: ClassVar[str] = "PipelineProbe"
    key_field: ClassVar[str] = "stream"

    probe_id: Id
    stream: str = Field(min_length=1, max_length=64)
    sequence: int = Field(ge=0)
    sent_at: AwareDatetime
    fault: ProbeFault = ProbeFault.NONE


CONTRACTS: tuple[type[Event], ...] = (
    IncidentReported,
    CaseUpdated,
    CampaignDetected,
    RegistrationRequested,
    RegistrationCancelled,
    DialogueSeatsChanged,
    SelfCheckSubmitted,
    SupportOfferIssued,
    NotificationRequested,
    PipelineProbe,
)
