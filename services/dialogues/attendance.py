"""On the day: the organiser marks who came."""

from __future__ import annotations

from services.access import Principal
from services.dialogues.dialogue_access import organised
from services.dialogues.registrations import RegistrationNotFound
from services.dialogues.tables import Registration
from services.store.uow import UnitOfWork
from workflows.dialogues.seating import HOLDS_SEAT, RegistrationStatus
from workflows.errors import Conflict


class NotAttending(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"only confirmed registrations attend; this one is {status}")


def _seat_holder(
    uow: UnitOfWork, principal: Principal, dialogue_id: str, registration_id: str
) -> Registration:
    dialogue = organised(uow.session, principal, dialogue_id, change=True)
    registration = uow.session.get(Registration, registration_id)
    if registration is None or registration.dialogue_id != dialogue.id:
        raise RegistrationNotFound()
    if registration.status not in HOLDS_SEAT:
        raise NotAttending(registration.status)
    return registration


def mark_attendance(
    uow: UnitOfWork, principal: Principal, dialogue_id: str, registration_id: str, attended: bool
) -> Registration:
    registration = _seat_holder(uow, principal, dialogue_id, registration_id)
    registration.status = RegistrationStatus.ATTENDED if attended else RegistrationStatus.NO_SHOW
    uow.session.add(registration)
    return registration


def clear_attendance(
    uow: UnitOfWork, principal: Principal, dialogue_id: str, registration_id: str
) -> Registration:
    """Take back a mark made by mistake (a tap at the door): the person holds their seat again,
    neither come nor not come."""
    registration = _seat_holder(uow, principal, dialogue_id, registration_id)
    registration.status = RegistrationStatus.CONFIRMED
    uow.session.add(registration)
    return registration
