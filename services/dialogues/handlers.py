"""Seat allocation in the worker: serialised per dialogue (partition key), row-locked on PostgreSQL
so that even two workers during a rebalance never overbook."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from events import Envelope
from events.contracts import RegistrationCancelled, RegistrationRequested
from services.dialogues.messages import notify_organiser, notify_registration
from services.dialogues.tables import Dialogue, DialogueStatus, Registration
from services.store.uow import UnitOfWork
from workflows.dialogues.seating import HOLDS_SEAT, RegistrationStatus, crossed_thresholds, decide_seat


def _locked_dialogue(uow: UnitOfWork, dialogue_id: str) -> Dialogue:
    postgres = uow.session.get_bind().dialect.name == "postgresql"
    dialogue = uow.session.get(Dialogue, dialogue_id, with_for_update=postgres)
    if dialogue is None:
        raise LookupError(f"dialogue {dialogue_id} does not exist")
    return dialogue


def _confirmed(uow: UnitOfWork, dialogue_id: str) -> int:
    return uow.session.exec(
        select(func.count())
        .select_from(Registration)
        .where(Registration.dialogue_id == dialogue_id, col(Registration.status).in_(HOLDS_SEAT))
    ).one()


def _alert_capacity(uow: UnitOfWork, dialogue: Dialogue, before: int, after: int) -> None:
    sent = {t for t in dialogue.alerted_thresholds.split(",") if t}
    for threshold in crossed_thresholds(dialogue.capacity, before, after):
        if str(threshold) not in sent:
            sent.add(str(threshold))
            notify_organiser(
                uow,
                dialogue,
                "capacity_alert",
                percent=threshold,
                confirmed=after,
                capacity=dialogue.capacity,
            )
    dialogue.alerted_thresholds = ",".join(sorted(sent, key=int))
    uow.session.add(dialogue)


def allocate_seat(envelope: Envelope, uow: UnitOfWork) -> None:
    request = envelope.event
    assert isinstance(request, RegistrationRequested)
    dialogue = _locked_dialogue(uow, request.dialogue_id)
    registration = uow.session.get(Registration, request.registration_id)
    if registration is None or registration.status != RegistrationStatus.REQUESTED:
        return  # cancelled before its turn, or already decided
    if dialogue.status != DialogueStatus.PUBLISHED:
        registration.status = RegistrationStatus.REJECTED
        uow.session.add(registration)
        return
    if dialogue.allocation == "lottery":
        notify_registration(
            uow, registration, dialogue, "registration_received", draw_at=dialogue.registration_closes_at
        )
        return  # the draw at the close of registration decides
    confirmed = _confirmed(uow, dialogue.id)
    last = (
        uow.session.exec(
            select(func.max(Registration.waitlist_position)).where(Registration.dialogue_id == dialogue.id)
        ).one()
        or 0
    )
    decision = decide_seat(dialogue.capacity, confirmed, dialogue.waitlist_enabled, last)
    registration.status = decision.status
    registration.waitlist_position = decision.waitlist_position
    registration.decided_at = uow.clock()
    uow.session.add(registration)
    if decision.status == RegistrationStatus.CONFIRMED:
        notify_registration(uow, registration, dialogue, "registration_confirmed")
        _alert_capacity(uow, dialogue, confirmed, confirmed + 1)
    elif decision.status == RegistrationStatus.WAITLISTED:
        notify_registration(
            uow, registration, dialogue, "registration_waitlisted", position=decision.waitlist_position
        )
    else:
        notify_registration(uow, registration, dialogue, "registration_full")


def fill_free_seats(uow: UnitOfWork, dialogue: Dialogue) -> int:
    """Promote from the waiting list, in order, while seats are free."""
    confirmed = _confirmed(uow, dialogue.id)
    promoted = 0
    while confirmed < dialogue.capacity:
        waiting = uow.session.exec(
            select(Registration)
            .where(
                Registration.dialogue_id == dialogue.id, Registration.status == RegistrationStatus.WAITLISTED
            )
            .order_by(col(Registration.waitlist_position))
        ).first()
        if waiting is None:
            break
        waiting.status, waiting.waitlist_position, waiting.decided_at = (
            RegistrationStatus.CONFIRMED,
            None,
            uow.clock(),
        )
        uow.session.add(waiting)
        uow.session.flush()
        notify_registration(uow, waiting, dialogue, "registration_promoted")
        confirmed += 1
        promoted += 1
    return promoted


def release_seat(envelope: Envelope, uow: UnitOfWork) -> None:
    cancelled = envelope.event
    assert isinstance(cancelled, RegistrationCancelled)
    dialogue = _locked_dialogue(uow, cancelled.dialogue_id)
    registration = uow.session.get(Registration, cancelled.registration_id)
    if registration is not None and registration.name is not None:
        notify_registration(uow, registration, dialogue, "registration_cancelled")
    if dialogue.status == DialogueStatus.PUBLISHED and (
        dialogue.allocation == "fcfs" or dialogue.lottery_drawn_at
    ):
        fill_free_seats(uow, dialogue)
