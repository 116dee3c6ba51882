"""Messages to registrants and organisers (the registrant's address is read at send time)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select

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
            **extra,
        },
        subject_id=dialogue.id,
        locale=registration.language,
    )


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
