"""Residents register (no account), see their status, update needs, cancel — by a secret link."""

from __future__ import annotations

import hmac
import json
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from events import new_envelope
from events.contracts import RegistrationCancelled, RegistrationRequested
from events.ids import new_id
from services.crypto import keyed_hash
from services.dialogues.dialogue_access import DialogueNotFound
from services.dialogues.messages import notify_registration
from services.dialogues.tables import Dialogue, DialogueStatus, Registration
from services.store.uow import UnitOfWork, UnitOfWorkFactory
from workflows.dialogues.seating import HOLDS_SEAT, Allocation, RegistrationStatus
from workflows.errors import Conflict, Invalid, NotFound

Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class DialogueClosed(Conflict):
    """Registering is not possible; the message says why (answered 409)."""


class UnknownGroups(Invalid):
    def __init__(self, unknown: list[str], offered: list[str]) -> None:
        choices = ", ".join(offered) if offered else "none: this dialogue holds no seats for groups"
        super().__init__(f"unknown group(s) {', '.join(unknown)}; the groups of this dialogue are: {choices}")


class PrivacyNotAccepted(Invalid):
    def __init__(self, version: str) -> None:
        super().__init__(f"please agree to the current privacy text (version {version})")


class RegistrationNeeds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step_free: bool = False
    sign_language: bool = Field(default=False, description="German Sign Language (DGS) interpretation")
    simple_language: bool = Field(default=False, description="Leichte Sprache")
    interpreter_languages: list[Language] = Field(default_factory=list, max_length=5)
    children_ages: list[Annotated[int, Field(ge=0, le=14)]] = Field(default_factory=list, max_length=10)
    dietary: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class RegistrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()/-]{5,30}$")
    language: Literal["de", "en"] = "de"
    needs: RegistrationNeeds = Field(default_factory=RegistrationNeeds)
    groups: list[Annotated[str, StringConstraints(max_length=50)]] = Field(
        default_factory=list, max_length=5, description="quota groups the dialogue asks about"
    )
    privacy_consent: str = Field(description="the version of the privacy text you agreed to")


class RegistrationPublic(BaseModel):
    id: str
    dialogue_id: str
    status: str
    waitlist_position: int | None
    language: str
    needs: RegistrationNeeds


class RegistrationReceived(BaseModel):
    """The same answer for a new address and for one registered already, so that nobody learns who
    is registered: the person finds everything else in their mail."""

    dialogue_id: str
    detail: str = (
        "Thank you. We have sent you an e-mail: the link in it lets you see, change or cancel your "
        "registration. / Danke. Wir haben Ihnen eine E-Mail geschickt: Über den Link darin sehen, ändern "
        "oder stornieren Sie Ihre Anmeldung."
    )


def manage_token(secret: str, registration_id: str) -> str:
    """The secret of a registration's link, derived (never stored), so every message can carry it."""
    return keyed_hash(secret, f"manage:{registration_id}")


def manage_path(secret: str, registration_id: str) -> str:
    return f"/registrations/{registration_id}?token={manage_token(secret, registration_id)}"


def token_matches(secret: str, registration_id: str, token: str) -> bool:
    return hmac.compare_digest(manage_token(secret, registration_id), token)


def waiting_place(registration: Registration) -> int | None:
    """The place on the waiting list, shown only while the registration waits (a cancelled one keeps
    its place until the worker closes the gap behind it)."""
    return registration.waitlist_position if registration.status == RegistrationStatus.WAITLISTED else None


def public(registration: Registration) -> RegistrationPublic:
    return RegistrationPublic(
        id=registration.id,
        dialogue_id=registration.dialogue_id,
        status=registration.status,
        waitlist_position=waiting_place(registration),
        language=registration.language,
        needs=RegistrationNeeds(
            step_free=registration.step_free,
            sign_language=registration.sign_language,
            simple_language=registration.simple_language,
            interpreter_languages=[x for x in registration.interpreter_languages.split(",") if x],
            children_ages=[int(x) for x in registration.children_ages.split(",") if x],
            dietary=registration.dietary,
            note=registration.needs_note or "",
        ),
    )


def open_for_registration(dialogue: Dialogue | None, now: datetime) -> Dialogue:
    if dialogue is None or dialogue.status == DialogueStatus.DRAFT:
        raise DialogueNotFound()
    if dialogue.status == DialogueStatus.CANCELLED:
        raise DialogueClosed("this dialogue has been cancelled")
    if now >= dialogue.starts_at:
        raise DialogueClosed("this dialogue has already taken place")
    if now < dialogue.registration_opens_at:
        raise DialogueClosed(f"registration opens at {dialogue.registration_opens_at.isoformat()}")
    if now >= dialogue.registration_closes_at:
        raise DialogueClosed("registration is closed")
    return dialogue


def apply_needs(registration: Registration, needs: RegistrationNeeds) -> None:
    registration.step_free = needs.step_free
    registration.sign_language = needs.sign_language
    registration.simple_language = needs.simple_language
    registration.interpreter_languages = ",".join(dict.fromkeys(needs.interpreter_languages))
    registration.children_ages = ",".join(str(a) for a in needs.children_ages)
    registration.dietary = needs.dietary
    registration.needs_note = needs.note or None


def register(uow: UnitOfWork, dialogue_id: str, body: RegistrationCreate) -> tuple[Registration, bool]:
    """Store the registration and emit RegistrationRequested; the seat is decided by the worker,
    serialised per dialogue. The same e-mail again returns the existing registration (False)."""
    now = uow.clock()
    dialogue = open_for_registration(uow.session.get(Dialogue, dialogue_id), now)
    if body.privacy_consent != dialogue.privacy_version:
        raise PrivacyNotAccepted(dialogue.privacy_version)
    unknown = set(body.groups) - set(json.loads(dialogue.quotas))
    if unknown:
        raise UnknownGroups(sorted(unknown), sorted(json.loads(dialogue.quotas)))
    email_hash = keyed_hash(uow.secret, body.email.lower())
    existing = uow.session.exec(
        select(Registration).where(
            Registration.dialogue_id == dialogue.id, Registration.email_hash == email_hash
        )
    ).first()
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        _send_link_again(uow, existing, dialogue)
        return existing, False
    if not dialogue.waitlist_enabled and dialogue.allocation == Allocation.FCFS:
        taken = uow.session.exec(
            select(Registration.id)
            .where(Registration.dialogue_id == dialogue.id)
            .where(Registration.status.in_([*HOLDS_SEAT, RegistrationStatus.REQUESTED]))  # type: ignore[attr-defined]
        ).all()
        if len(taken) >= dialogue.capacity:
            raise DialogueClosed("this dialogue is full and has no waiting list")
    registration = existing or Registration(
        id=new_id(), dialogue_id=dialogue.id, consent_version="", requested_at=now
    )
    registration.name, registration.email, registration.phone = body.name, body.email.lower(), body.phone
    registration.email_hash = email_hash
    registration.language = body.language
    registration.groups = ",".join(dict.fromkeys(body.groups))
    registration.consent_version = body.privacy_consent
    registration.status = RegistrationStatus.REQUESTED
    registration.waitlist_position = None
    registration.requested_at = now
    registration.decided_at = None
    apply_needs(registration, body.needs)
    uow.session.add(registration)
    uow.emit(
        new_envelope(
            RegistrationRequested(registration_id=registration.id, dialogue_id=dialogue.id, requested_at=now),
            now,
        )
    )
    return registration, True


LINK_AGAIN_AFTER = timedelta(minutes=10)


def _send_link_again(uow: UnitOfWork, registration: Registration, dialogue: Dialogue) -> None:
    """Someone registered again with this address: its owner gets their own link by mail (nobody
    else sees anything). Not more than once in ten minutes, so the form cannot flood a mailbox."""
    now = uow.clock()
    if registration.link_sent_at is not None and now - registration.link_sent_at < LINK_AGAIN_AFTER:
        return
    registration.link_sent_at = now
    uow.session.add(registration)
    notify_registration(uow, registration, dialogue, "registration_link")


def register_once(
    uow_factory: UnitOfWorkFactory, dialogue_id: str, body: RegistrationCreate
) -> tuple[Registration, bool]:
    """``register`` in a transaction of its own. When the same e-mail registers twice at the same
    moment, the transaction that commits second meets the first one's row (unique per dialogue and
    e-mail) and is answered like any other repeat: with the registration that is there."""
    for attempt in (1, 2):
        with uow_factory() as uow:
            registration, created = register(uow, dialogue_id, body)
            try:
                uow.commit()
            except IntegrityError:
                if attempt == 2 or not created:
                    raise
                continue
            return registration, created
    raise AssertionError("unreachable")


def cancel(uow: UnitOfWork, registration: Registration) -> None:
    if registration.status in (
        RegistrationStatus.CANCELLED,
        RegistrationStatus.ATTENDED,
        RegistrationStatus.NO_SHOW,
    ):
        raise DialogueClosed(f"the registration is {registration.status}")
    now = uow.clock()
    registration.held_seat_when_cancelled = registration.status in HOLDS_SEAT
    if registration.status != RegistrationStatus.WAITLISTED:
        registration.waitlist_position = None  # a waiting place is given up by the worker, in turn
    registration.status = RegistrationStatus.CANCELLED
    registration.decided_at = now
    uow.session.add(registration)
    uow.emit(
        new_envelope(
            RegistrationCancelled(
                registration_id=registration.id, dialogue_id=registration.dialogue_id, cancelled_at=now
            ),
            now,
        )
    )


class RegistrationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("registration not found")


class RegistrationIsCancelled(Conflict):
    def __init__(self) -> None:
        super().__init__("the registration is cancelled")


def by_link(session: Session, secret: str, registration_id: str, token: str) -> Registration:
    """The registration behind a mailed link; a wrong token is the same as no registration."""
    registration = session.get(Registration, registration_id)
    if registration is None or not token_matches(secret, registration_id, token):
        raise RegistrationNotFound()
    return registration


def change_needs(uow: UnitOfWork, registration_id: str, token: str, needs: RegistrationNeeds) -> Registration:
    registration = by_link(uow.session, uow.secret, registration_id, token)
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationIsCancelled()
    apply_needs(registration, needs)
    uow.session.add(registration)
    return registration


def cancel_by_link(uow: UnitOfWork, registration_id: str, token: str) -> Registration:
    """The resident cancels; the seat goes to the next person on the waiting list."""
    registration = by_link(uow.session, uow.secret, registration_id, token)
    cancel(uow, registration)
    return registration
