"""Reporting an incident: validated input in, one transaction out (incident + case + event)."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import (
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from events import new_envelope
from events.contracts import IncidentKind, IncidentReported
from events.ids import new_id
from services.crypto import FieldCipher, keyed_hash
from services.incidents.cases import new_anonymous_code, new_case_ref
from services.incidents.tables import Case, Incident
from services.store.uow import UnitOfWork

Handle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
SupportKind = Literal["legal", "psychosocial", "security", "takedown", "media", "peer"]

EMERGENCY_ADVICE = {
    "de": "Wenn Sie oder andere in unmittelbarer Gefahr sind: Rufen Sie jetzt sofort die Polizei "
    "unter 110 an. Ihr Fall wird als Notfall behandelt; eine Koordinatorin oder ein Koordinator "
    "wird sofort benachrichtigt.",
    "en": "If you or others are in immediate danger: call the police on 110 right now. "
    "Your case is handled as an emergency; a coordinator is alerted at once.",
}


class IncidentCreate(BaseModel):
    """What an official reports. Only ``narrative`` and the evidence are free text."""

    model_config = ConfigDict(extra="forbid")

    kind: IncidentKind
    channel: Literal["online", "social_media", "email", "letter", "phone", "in_person", "other"]
    occurred_at: AwareDatetime = Field(description="when it happened (with time zone)")
    municipality_ags: str = Field(pattern=r"^[0-9]{8}$", description="8-digit municipality key (AGS)")
    targets: list[Literal["self", "family", "staff"]] = Field(min_length=1)
    children_involved: bool = False
    threat_of_violence: bool = False
    immediate_danger: bool
    narrative: str = Field(min_length=10, max_length=20000, description="what happened, in your words")
    evidence_links: list[AnyHttpUrl] = Field(default_factory=list, max_length=20)
    perpetrator_handles: list[Handle] = Field(default_factory=list, max_length=20)
    support_wanted: list[SupportKind] = Field(default_factory=list)
    consent_police: bool = False
    language: Literal["de", "en"] = "de"
    share_contact: bool = Field(
        default=False,
        description="let the coordinator who takes the case see your name and e-mail address (changeable)",
    )

    @field_validator("municipality_ags")
    @classmethod
    def _known_state(cls, value: str) -> str:
        if not 1 <= int(value[:2]) <= 16:
            raise ValueError("the first two digits of an AGS name a federal state (01 to 16)")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:
        now = datetime.now(value.tzinfo)
        if value > now + timedelta(minutes=5):
            raise ValueError("lies in the future")
        if value < now - timedelta(days=3650):
            raise ValueError("lies more than ten years back")
        return value


class Reported(BaseModel):
    case_id: str
    case_ref: str
    status: str
    emergency_advice: dict[str, str] | None = None
    anonymous_code: str | None = None
    anonymous_secret: str | None = Field(
        default=None, description="shown once: with the code it lets you see the case and add information"
    )


def report_incident(
    uow: UnitOfWork, body: IncidentCreate, reporter_id: str | None, cipher: FieldCipher, secret_key: str
) -> Reported:
    now = uow.clock()
    incident = _incident(body, reporter_id, cipher, secret_key, now)
    code = secret = None
    if reporter_id is None:
        code, secret = new_anonymous_code(), secrets.token_urlsafe(24)
    case = Case(
        id=new_id(),
        ref=new_case_ref(now),
        incident_id=incident.id,
        reporter_id=reporter_id,
        anonymous_code=code,
        anonymous_secret_hash=keyed_hash(secret_key, secret) if secret else None,
        region_ags=body.municipality_ags,
        share_contact=body.share_contact and reporter_id is not None,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(incident)
    uow.session.flush()  # the case refers to the incident: insert it first
    uow.session.add(case)
    uow.emit(
        new_envelope(
            IncidentReported(
                incident_id=incident.id,
                case_id=case.id,
                municipality_ags=body.municipality_ags,
                kind=body.kind,
                immediate_danger=body.immediate_danger,
                reported_at=now,
            ),
            now,
        )
    )
    return Reported(
        case_id=case.id,
        case_ref=case.ref,
        status=case.status,
        emergency_advice=EMERGENCY_ADVICE if body.immediate_danger else None,
        anonymous_code=code,
        anonymous_secret=secret,
    )


def _incident(
    body: IncidentCreate, reporter_id: str | None, cipher: FieldCipher, secret_key: str, now: datetime
) -> Incident:
    """The stored report: free text encrypted, perpetrators' handles and links kept only as keyed hashes
    (enough to see a campaign, not to read who)."""
    marks = {keyed_hash(secret_key, h) for h in [*body.perpetrator_handles, *map(str, body.evidence_links)]}
    return Incident(
        id=new_id(),
        reporter_id=reporter_id,
        kind=body.kind.value,
        channel=body.channel,
        occurred_at=body.occurred_at,
        municipality_ags=body.municipality_ags,
        targets=",".join(dict.fromkeys(body.targets)),
        children_involved=body.children_involved,
        threat_of_violence=body.threat_of_violence,
        immediate_danger=body.immediate_danger,
        language=body.language,
        narrative_enc=cipher.encrypt(body.narrative),
        evidence_links_enc=cipher.encrypt(json.dumps([str(u) for u in body.evidence_links])),
        perpetrator_marks=",".join(sorted(marks)),
        support_wanted=",".join(dict.fromkeys(body.support_wanted)),
        consent_police=body.consent_police,
        reported_at=now,
    )
