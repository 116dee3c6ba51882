"""Organisers create, edit, publish and cancel dialogues; changes reach everyone registered."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    UrlConstraints,
    model_validator,
)
from sqlmodel import col, delete, select

from events import new_envelope
from events.contracts import DialogueSeatsChanged
from events.ids import new_id
from services.access import Principal, require_role
from services.dialogues.dialogue_access import organised
from services.dialogues.messages import notify_registrants
from services.dialogues.tables import Dialogue, DialogueJob, DialogueStatus, Registration
from services.store.tables import Role
from services.store.uow import UnitOfWork
from workflows.dialogues.schedule import check_dates, jobs_for
from workflows.dialogues.seating import HOLDS_SEAT, Allocation, RegistrationStatus
from workflows.errors import Conflict, Invalid

SpokenLanguage = Literal["de", "en", "tr", "ar", "uk", "ru", "fa", "pl"]


class DialogueStateConflict(Conflict):
    """The dialogue's state does not allow this change (cancelled, published, seats taken)."""


def _german_only() -> list[SpokenLanguage]:
    return ["de"]


Accessibility = Literal[
    "step_free", "hearing_loop", "accessible_toilet", "quiet_room", "parking", "public_transport"
]


QuotaGroup = Annotated[str, StringConstraints(min_length=1, max_length=50)]


class DialogueFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=10000)
    format: Literal["citizen_dialogue", "round_table", "future_workshop", "online"]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: str = Field(default="", max_length=300, description="name and address of the place")
    online_url: AnyHttpUrl | None = None
    accessibility: list[Accessibility] = Field(default_factory=list)
    capacity: int = Field(ge=1, le=100000)
    waitlist_enabled: bool = True
    registration_opens_at: AwareDatetime
    registration_closes_at: AwareDatetime
    languages: list[SpokenLanguage] = Field(default_factory=_german_only)
    allocation: Allocation = Allocation.FCFS
    quotas: dict[QuotaGroup, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict, max_length=10, description="seats reserved per group in a lottery"
    )
    reminder_hours: list[Annotated[int, Field(ge=1, le=720)]] = Field(
        default_factory=lambda: [48, 2], max_length=5, description="hours before the start, at most 30 days"
    )
    brief_days: list[Annotated[int, Field(ge=1, le=60)]] = Field(
        default_factory=lambda: [7, 2], max_length=5, description="days before the start, at most 60"
    )
    retention_days: int = Field(default=30, ge=1, le=365)
    survey_url: Annotated[AnyHttpUrl, UrlConstraints(max_length=200)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DialogueFields:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if not self.registration_opens_at < self.registration_closes_at <= self.starts_at:
            raise ValueError("registration must open before it closes, and close by the start")
        if self.format != "online" and not self.venue:
            raise ValueError("a venue is needed unless the format is online")
        if sum(self.quotas.values()) > self.capacity or any(v < 0 for v in self.quotas.values()):
            raise ValueError("quotas must be positive and fit into the capacity")
        if self.quotas and self.allocation != Allocation.LOTTERY:
            raise ValueError("quotas need the lottery allocation")
        return self


class DialogueCreate(DialogueFields):
    municipality_ags: str = Field(pattern=r"^[0-9]{8}$")


class DialoguePublic(BaseModel):
    id: str
    organiser_id: str
    municipality_ags: str
    title: str
    description: str
    format: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    accessibility: list[str]
    capacity: int
    waitlist_enabled: bool
    registration_opens_at: datetime
    registration_closes_at: datetime
    languages: list[str]
    allocation: str
    status: str
    privacy_version: str
    seats_left: int
    lottery_seed: int | None
    quota_groups: list[str] = Field(
        default_factory=list, description="groups a resident may say they belong to (seats are held for them)"
    )


def _apply(dialogue: Dialogue, fields: DialogueFields) -> None:
    dialogue.title, dialogue.description, dialogue.format = fields.title, fields.description, fields.format
    dialogue.starts_at, dialogue.ends_at = fields.starts_at, fields.ends_at
    dialogue.venue = fields.venue
    dialogue.online_url = str(fields.online_url) if fields.online_url else None
    dialogue.accessibility = ",".join(fields.accessibility)
    dialogue.capacity, dialogue.waitlist_enabled = fields.capacity, fields.waitlist_enabled
    dialogue.registration_opens_at = fields.registration_opens_at
    dialogue.registration_closes_at = fields.registration_closes_at
    dialogue.languages = ",".join(fields.languages)
    dialogue.allocation = fields.allocation
    dialogue.quotas = json.dumps(fields.quotas)
    dialogue.reminder_hours = ",".join(str(h) for h in fields.reminder_hours)
    dialogue.brief_days = ",".join(str(d) for d in fields.brief_days)
    dialogue.retention_days = fields.retention_days
    dialogue.survey_url = str(fields.survey_url) if fields.survey_url else None


def fields_of(dialogue: Dialogue) -> dict[str, object]:
    """What a dialogue holds, as DialogueFields takes it: a form edits some of it, the rest stays."""

    def numbers(text: str) -> list[int]:
        return [int(n) for n in text.split(",") if n]

    return {
        "title": dialogue.title,
        "description": dialogue.description,
        "format": dialogue.format,
        "starts_at": dialogue.starts_at,
        "ends_at": dialogue.ends_at,
        "venue": dialogue.venue,
        "online_url": dialogue.online_url,
        "accessibility": [a for a in dialogue.accessibility.split(",") if a],
        "capacity": dialogue.capacity,
        "waitlist_enabled": dialogue.waitlist_enabled,
        "registration_opens_at": dialogue.registration_opens_at,
        "registration_closes_at": dialogue.registration_closes_at,
        "languages": [lang for lang in dialogue.languages.split(",") if lang],
        "allocation": dialogue.allocation,
        "quotas": json.loads(dialogue.quotas),
        "reminder_hours": numbers(dialogue.reminder_hours),
        "brief_days": numbers(dialogue.brief_days),
        "retention_days": dialogue.retention_days,
        "survey_url": dialogue.survey_url,
    }


def create(uow: UnitOfWork, organiser_id: str, body: DialogueCreate) -> Dialogue:
    now = uow.clock()
    check_dates(now, body.starts_at, body.ends_at)
    dialogue = Dialogue(
        id=new_id(),
        organiser_id=organiser_id,
        municipality_ags=body.municipality_ags,
        title=body.title,
        format=body.format,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        capacity=body.capacity,
        registration_opens_at=body.registration_opens_at,
        registration_closes_at=body.registration_closes_at,
        created_at=now,
        updated_at=now,
    )
    _apply(dialogue, body)
    uow.session.add(dialogue)
    return dialogue


def seats_taken(uow: UnitOfWork, dialogue_id: str) -> int:
    return len(
        uow.session.exec(
            select(Registration.id)
            .where(Registration.dialogue_id == dialogue_id)
            .where(col(Registration.status).in_(HOLDS_SEAT))
        ).all()
    )


def schedule(uow: UnitOfWork, dialogue: Dialogue) -> None:
    """(Re)plan the dialogue's jobs; jobs already done stay done."""
    done = set(
        uow.session.exec(
            select(DialogueJob.kind).where(
                DialogueJob.dialogue_id == dialogue.id, col(DialogueJob.done_at).is_not(None)
            )
        ).all()
    )
    uow.session.execute(
        delete(DialogueJob).where(
            col(DialogueJob.dialogue_id) == dialogue.id, col(DialogueJob.done_at).is_(None)
        )
    )
    for job in jobs_for(
        dialogue.starts_at,
        dialogue.ends_at,
        dialogue.registration_closes_at,
        tuple(int(h) for h in dialogue.reminder_hours.split(",") if h),
        tuple(int(d) for d in dialogue.brief_days.split(",") if d),
        dialogue.retention_days,
        dialogue.allocation == Allocation.LOTTERY,
        dialogue.survey_url is not None,
    ):
        if job.kind not in done:
            uow.session.add(
                DialogueJob(id=new_id(), dialogue_id=dialogue.id, kind=job.kind, due_at=job.due_at)
            )


VENUE_TO_BE_SET = "(Ort festlegen)"  # a draft made for an organiser: they set the place


class VenueToBeSet(Invalid):
    def __init__(self) -> None:
        super().__init__("set the place (venue) before publishing: the draft still says it is to be set")


def publish(uow: UnitOfWork, dialogue: Dialogue) -> None:
    if dialogue.status != DialogueStatus.DRAFT:
        raise DialogueStateConflict(f"the dialogue is {dialogue.status}")
    if dialogue.venue.strip() == VENUE_TO_BE_SET and dialogue.format != "online":
        raise VenueToBeSet()
    check_dates(uow.clock(), dialogue.starts_at, dialogue.ends_at)
    dialogue.status = DialogueStatus.PUBLISHED
    dialogue.updated_at = uow.clock()
    uow.session.add(dialogue)
    schedule(uow, dialogue)


def update(uow: UnitOfWork, dialogue: Dialogue, body: DialogueFields) -> bool:
    """Returns True when time or place changed and everyone registered was told."""
    if dialogue.status == DialogueStatus.CANCELLED:
        raise DialogueStateConflict("the dialogue is cancelled")
    if body.capacity < seats_taken(uow, dialogue.id):
        raise DialogueStateConflict("the capacity cannot go below the seats already confirmed")
    more_seats = body.capacity > dialogue.capacity
    moved = (dialogue.starts_at, dialogue.ends_at, dialogue.venue) != (
        body.starts_at,
        body.ends_at,
        body.venue,
    )
    if (dialogue.starts_at, dialogue.ends_at) != (body.starts_at, body.ends_at):
        check_dates(uow.clock(), body.starts_at, body.ends_at)
    _apply(dialogue, body)
    dialogue.updated_at = uow.clock()
    uow.session.add(dialogue)
    if dialogue.status == DialogueStatus.PUBLISHED:
        schedule(uow, dialogue)
        if more_seats:  # the worker, which decides every seat in turn, promotes those waiting
            now = uow.clock()
            uow.emit(
                new_envelope(
                    DialogueSeatsChanged(dialogue_id=dialogue.id, capacity=dialogue.capacity, changed_at=now),
                    now,
                )
            )
        if moved:
            notify_registrants(
                uow,
                dialogue,
                "dialogue_changed",
                (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED),
            )
    return moved and dialogue.status == DialogueStatus.PUBLISHED


def cancel_dialogue(uow: UnitOfWork, dialogue: Dialogue) -> None:
    if dialogue.status == DialogueStatus.CANCELLED:
        raise DialogueStateConflict("the dialogue is cancelled already")
    was_published = dialogue.status == DialogueStatus.PUBLISHED
    dialogue.status = DialogueStatus.CANCELLED
    dialogue.updated_at = uow.clock()
    uow.session.add(dialogue)
    uow.session.execute(
        delete(DialogueJob).where(
            col(DialogueJob.dialogue_id) == dialogue.id,
            col(DialogueJob.done_at).is_(None),
            col(DialogueJob.kind) != "retention",
        )
    )
    if was_published:
        notify_registrants(
            uow,
            dialogue,
            "dialogue_cancelled",
            (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.REQUESTED),
        )


class Changed(BaseModel):
    dialogue_id: str
    registrants_notified: bool


def create_dialogue(uow: UnitOfWork, principal: Principal, body: DialogueCreate) -> Dialogue:
    """A draft of the caller's; residents see it once it is published."""
    require_role(principal, Role.ORGANISER, Role.ADMIN)
    return create(uow, principal.account_id, body)


def change_dialogue(uow: UnitOfWork, principal: Principal, dialogue_id: str, body: DialogueFields) -> Changed:
    """Edit; a new time or place is sent to everyone registered, with a new calendar invite."""
    dialogue = organised(uow.session, principal, dialogue_id, change=True)
    return Changed(dialogue_id=dialogue.id, registrants_notified=update(uow, dialogue, body))


def publish_dialogue(uow: UnitOfWork, principal: Principal, dialogue_id: str) -> Dialogue:
    dialogue = organised(uow.session, principal, dialogue_id, change=True)
    publish(uow, dialogue)
    return dialogue


def call_off(uow: UnitOfWork, principal: Principal, dialogue_id: str) -> Changed:
    """Cancel the dialogue; everyone registered or waiting is told."""
    dialogue = organised(uow.session, principal, dialogue_id, change=True)
    cancel_dialogue(uow, dialogue)
    return Changed(dialogue_id=dialogue.id, registrants_notified=True)
