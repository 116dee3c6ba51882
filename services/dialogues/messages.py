"""Messages to registrants and organisers (the registrant's address is read at send time)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select

from notifications.messages import MESSAGES
from services.dialogues.tables import Dialogue, Registration
from services.notify.requests import request_notification
from services.store.uow import UnitOfWork

REGISTRANT = "registration"  # the kind of recipient a registrant is (no account: see recipients.py)


def dialogue_context(dialogue: Dialogue) -> dict[str, object]:
    return {
        "dialogue_title": dialogue.title,
        "starts_at": dialogue.starts_at,
        "ends_at": dialogue.ends_at,
        "venue": dialogue.venue or "online",
        "dialogue_uid": dialogue.id,
    }


def notify_registration(
    uow: UnitOfWork, registration: Registration, dialogue: Dialogue, template: str, **extra: object
) -> None:
    request_notification(
        uow,
        recipient_kind=REGISTRANT,
        recipient_id=registration.id,
        template=template,
        context={
            **dialogue_context(dialogue),
            # a calendar keeps one entry per registration, replaced by each newer message's invite
            "registration_uid": registration.id,
            "calendar_sequence": _next_sequence(uow, registration, template),
            **extra,
        },
        subject_id=dialogue.id,
        locale=registration.language,
    )


def _next_sequence(uow: UnitOfWork, registration: Registration, template: str) -> int:
    """Each invite or cancellation for a registration gets a higher SEQUENCE than the one before, so
    a calendar applies them in order (RFC 5545)."""
    if MESSAGES[template].attachments:
        registration.calendar_sequence += 1
        uow.session.add(registration)
    return registration.calendar_sequence


def notify_registrants(
    uow: UnitOfWork, dialogue: Dialogue, template: str, statuses: Iterable[str], **extra: object
) -> None:
    registrations = uow.session.exec(
        select(Registration).where(
            Registration.dialogue_id == dialogue.id, col(Registration.status).in_(list(statuses))
        )
    ).all()
    for registration in registrations:
        notify_registration(uow, registration, dialogue, template, status=registration.status, **extra)


def notify_organiser(
    uow: UnitOfWork, dialogue: Dialogue, template: str, urgent: bool = False, **context: object
) -> None:
    request_notification(
        uow,
        recipient_id=dialogue.organiser_id,
        template=template,
        context={
            "dialogue_title": dialogue.title,
            "starts_at": dialogue.starts_at,
            "dialogue_path": f"/dialogues/{dialogue.id}",
            **context,
        },
        subject_id=dialogue.id,
        urgent=urgent,
    )
