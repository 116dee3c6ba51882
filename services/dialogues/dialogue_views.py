"""What people see of dialogues: the public view with seats left, the organiser's list of registrants
(never e-mail or phone), the CSV for the door, the figures with the logistics brief."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from services.access import Principal
from services.dialogues.dialogue_access import DialogueNotFound, organised
from services.dialogues.organisers import DialoguePublic
from services.dialogues.registrations import RegistrationNeeds, public, waiting_place
from services.dialogues.tables import Dialogue, DialogueStatus, Registration
from services.dialogues.timers import needs_of
from workflows.dialogues.logistics import Brief, brief
from workflows.dialogues.seating import HOLDS_SEAT, RegistrationStatus


class RegistrantRow(BaseModel):
    id: str
    name: str | None
    status: str
    waitlist_position: int | None
    language: str
    needs: RegistrationNeeds
    requested_at: datetime


def dialogue_public(session: Session, dialogue: Dialogue) -> DialoguePublic:
    taken = session.exec(
        select(func.count())
        .select_from(Registration)
        .where(Registration.dialogue_id == dialogue.id, col(Registration.status).in_(HOLDS_SEAT))
    ).one()
    return DialoguePublic(
        id=dialogue.id,
        organiser_id=dialogue.organiser_id,
        municipality_ags=dialogue.municipality_ags,
        title=dialogue.title,
        description=dialogue.description,
        format=dialogue.format,
        starts_at=dialogue.starts_at,
        ends_at=dialogue.ends_at,
        venue=dialogue.venue,
        accessibility=[a for a in dialogue.accessibility.split(",") if a],
        capacity=dialogue.capacity,
        waitlist_enabled=dialogue.waitlist_enabled,
        registration_opens_at=dialogue.registration_opens_at,
        registration_closes_at=dialogue.registration_closes_at,
        languages=dialogue.languages.split(","),
        allocation=dialogue.allocation,
        status=dialogue.status,
        privacy_version=dialogue.privacy_version,
        seats_left=max(0, dialogue.capacity - taken),
        lottery_seed=dialogue.lottery_seed,
        quota_groups=sorted(json.loads(dialogue.quotas)),
    )


def upcoming(session: Session, now: datetime, municipality_ags: str | None) -> list[DialoguePublic]:
    """Published dialogues still to come (public)."""
    query = select(Dialogue).where(Dialogue.status == DialogueStatus.PUBLISHED, col(Dialogue.starts_at) > now)
    if municipality_ags:
        query = query.where(Dialogue.municipality_ags == municipality_ags)
    return [
        dialogue_public(session, d) for d in session.exec(query.order_by(col(Dialogue.starts_at)).limit(200))
    ]


def published_or_draft(session: Session, dialogue_id: str) -> DialoguePublic:
    """Any dialogue, for whoever has just changed it."""
    dialogue = session.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise DialogueNotFound()
    return dialogue_public(session, dialogue)


def visible(session: Session, principal: Principal | None, dialogue_id: str) -> DialoguePublic:
    """A published dialogue for everyone; a draft (or a cancelled one) for its organiser too."""
    dialogue = session.get(Dialogue, dialogue_id)
    if dialogue is not None and dialogue.status != DialogueStatus.PUBLISHED and principal is not None:
        return dialogue_public(session, organised(session, principal, dialogue_id))
    return published(session, dialogue_id)


def organised_by(session: Session, principal: Principal) -> list[DialoguePublic]:
    """The organiser's own dialogues, drafts included, the next first."""
    query = select(Dialogue).where(Dialogue.organiser_id == principal.account_id)
    return [dialogue_public(session, d) for d in session.exec(query.order_by(col(Dialogue.starts_at)))]


def published(session: Session, dialogue_id: str) -> DialoguePublic:
    dialogue = session.get(Dialogue, dialogue_id)
    if dialogue is None or dialogue.status == DialogueStatus.DRAFT:
        raise DialogueNotFound()
    return dialogue_public(session, dialogue)


def row(registration: Registration) -> RegistrantRow:
    return RegistrantRow(
        id=registration.id,
        name=registration.name,
        status=registration.status,
        waitlist_position=waiting_place(registration),
        language=registration.language,
        needs=public(registration).needs,
        requested_at=registration.requested_at,
    )


def registrants(session: Session, principal: Principal, dialogue_id: str) -> list[RegistrantRow]:
    """Who is coming, for the organiser (no e-mail addresses or phone numbers)."""
    dialogue = organised(session, principal, dialogue_id, change=True)
    query = select(Registration).where(Registration.dialogue_id == dialogue.id)
    return [row(r) for r in session.exec(query.order_by(col(Registration.requested_at))).all()]


CSV_COLUMNS = [
    "name",
    "status",
    "waitlist_position",
    "language",
    "step_free",
    "sign_language",
    "simple_language",
    "interpreter_languages",
    "children_ages",
    "dietary",
]


def registrants_csv(rows: list[RegistrantRow]) -> str:
    """Only what the event needs: name, status, language and needs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for found in rows:
        if found.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
            continue
        needs = found.needs
        row: list[object] = [
            found.name or "",
            found.status,
            found.waitlist_position or "",
            found.language,
            int(needs.step_free),
            int(needs.sign_language),
            int(needs.simple_language),
            " ".join(needs.interpreter_languages),
            " ".join(map(str, needs.children_ages)),
            needs.dietary,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """Text a spreadsheet would run as a formula (a name like '=HYPERLINK(...)') is shown as text."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class FiguresPublic(BaseModel):
    by_status: dict[str, int]
    attendance_rate: float | None
    logistics: Brief = Field(description="the organiser's brief: headcount, needs, what to book by when")
    quotas: dict[str, int] = Field(description="seats reserved per group in a lottery")
    lottery_seed: int | None


def figures(
    session: Session, principal: Principal, dialogue_id: str, now: datetime | None = None
) -> FiguresPublic:
    """Counts by status, attendance rate, and the logistics brief as it stands ``now`` (tasks whose
    deadline has passed are marked overdue)."""
    dialogue = organised(session, principal, dialogue_id)
    rows = session.exec(select(Registration).where(Registration.dialogue_id == dialogue.id)).all()
    counts: dict[str, int] = {}
    for found in rows:
        counts[found.status] = counts.get(found.status, 0) + 1
    attended, no_show = counts.get("attended", 0), counts.get("no_show", 0)
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    summary = brief(
        [needs_of(r) for r in confirmed],
        counts.get("waitlisted", 0),
        dialogue.capacity,
        dialogue.starts_at,
        "step_free" in dialogue.accessibility.split(","),
        now,
    )
    return FiguresPublic(
        by_status=counts,
        attendance_rate=round(attended / (attended + no_show), 3) if attended + no_show else None,
        logistics=summary,
        quotas=json.loads(dialogue.quotas),
        lottery_seed=dialogue.lottery_seed,
    )
