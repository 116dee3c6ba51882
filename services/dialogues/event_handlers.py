"""Seat allocation in the worker: serialised per dialogue (partition key), row-locked on PostgreSQL
so that even two workers during a rebalance never overbook. The seat counters live on the locked
dialogue row, so a decision needs no counting query."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import defer
from sqlmodel import col, select, update

from events import Envelope
from events.contracts import DialogueSeatsChanged, RegistrationCancelled, RegistrationRequested
from services.dialogues.messages import notify_organiser, notify_registration
from services.dialogues.tables import Dialogue, DialogueStatus, Registration
from services.pipeline.handler_types import handles
from services.store.prefetch import by_ids
from services.store.uow import UnitOfWork
from workflows.dialogues.seating import Allocation, RegistrationStatus, crossed_thresholds, decide_seat


def locked_dialogue(uow: UnitOfWork, dialogue_id: str) -> Dialogue:
    """The dialogue, row-locked on PostgreSQL for the rest of the transaction. Within one batch it
    is locked once and then kept in the session, counters and all."""
    session = uow.session
    with session.no_autoflush:
        cached = session.identity_map.get(session.identity_key(Dialogue, dialogue_id))
        if isinstance(cached, Dialogue):
            return cached
        postgres = session.get_bind().dialect.name == "postgresql"
        dialogue = session.get(Dialogue, dialogue_id, with_for_update=postgres)
    if dialogue is None:
        raise LookupError(f"dialogue {dialogue_id} does not exist")
    return dialogue


def _alert_capacity(uow: UnitOfWork, dialogue: Dialogue, before: int, after: int) -> None:
    sent = {t for t in dialogue.alerted_thresholds.split(",") if t}
    for threshold in crossed_thresholds(dialogue.capacity, before, after):
        if str(threshold) not in sent:
            sent.update(str(t) for t in (80, 100) if t <= threshold)  # "full" makes "80 %" moot
            notify_organiser(
                uow,
                dialogue,
                "capacity_alert",
                percent=threshold,
                confirmed=after,
                capacity=dialogue.capacity,
            )
    dialogue.alerted_thresholds = ",".join(sorted(sent, key=int))


def _registrations(envelopes: Sequence[Envelope], uow: UnitOfWork) -> list[Registration]:
    """The registrations a batch of requests decides, in one query. Their encrypted details are
    left out (decrypting them was a tenth of a decision): a seat needs none of them, and the
    registrant's message needs only the address, to know there is one."""
    ids = [e.event.registration_id for e in envelopes if isinstance(e.event, RegistrationRequested)]
    unread = ("name", "phone", "dietary", "needs_note")
    options = [defer(getattr(Registration, column)) for column in unread]
    return by_ids(uow.session, Registration, ids, options=options)


@handles("dialogues.allocate_seat", prefetch=_registrations)
def allocate_seat(envelope: Envelope, uow: UnitOfWork) -> None:
    request = envelope.event
    assert isinstance(request, RegistrationRequested)
    dialogue = locked_dialogue(uow, request.dialogue_id)
    with uow.session.no_autoflush:  # seat state lives on the locked dialogue: no flush per event
        registration = uow.session.get(Registration, request.registration_id)
    if registration is None or registration.status != RegistrationStatus.REQUESTED:
        return  # cancelled before its turn, or already decided
    # Both rows came from this session, which writes their changes with the commit: no add().
    if dialogue.status != DialogueStatus.PUBLISHED:
        registration.status = RegistrationStatus.REJECTED
        return
    if dialogue.allocation == Allocation.LOTTERY:
        notify_registration(
            uow, registration, dialogue, "registration_received", draw_at=dialogue.registration_closes_at
        )
        return  # the draw at the close of registration decides
    if dialogue.waitlist_last and dialogue.seats_taken < dialogue.capacity:
        fill_free_seats(uow, dialogue)  # those waiting come first, whatever freed the seat
    confirmed = dialogue.seats_taken
    decision = decide_seat(dialogue.capacity, confirmed, dialogue.waitlist_enabled, dialogue.waitlist_last)
    registration.status = decision.status
    registration.waitlist_position = decision.waitlist_position
    registration.decided_at = uow.clock()
    if decision.status == RegistrationStatus.CONFIRMED:
        dialogue.seats_taken += 1
        notify_registration(uow, registration, dialogue, "registration_confirmed")
        _alert_capacity(uow, dialogue, confirmed, confirmed + 1)
    elif decision.status == RegistrationStatus.WAITLISTED:
        registration.waitlist_position = _waitlist_place(uow, dialogue, registration)
        notify_registration(
            uow, registration, dialogue, "registration_waitlisted", position=registration.waitlist_position
        )
    else:
        notify_registration(uow, registration, dialogue, "registration_full")


def _waitlist_place(uow: UnitOfWork, dialogue: Dialogue, registration: Registration) -> int:
    """The waiting list is kept in the order registrations were made (``requested_at``), which is
    also the order of promotion. Events of one dialogue arrive in the order their transactions were
    published, and two transactions committing at the same moment may swap: a registration made
    earlier but arriving later goes before those made after it, and they move one place down."""
    last_made = dialogue.waitlist_last_requested_at
    if last_made is None or registration.requested_at >= last_made:
        dialogue.waitlist_last += 1
        dialogue.waitlist_last_requested_at = registration.requested_at
        return dialogue.waitlist_last
    later = uow.session.exec(
        select(Registration)
        .where(
            Registration.dialogue_id == dialogue.id,
            Registration.status == RegistrationStatus.WAITLISTED,
            col(Registration.requested_at) > registration.requested_at,
        )
        .order_by(col(Registration.waitlist_position))
    ).all()
    if not later:  # everyone made later has already been promoted or has left
        dialogue.waitlist_last += 1
        return dialogue.waitlist_last
    place = later[0].waitlist_position or dialogue.waitlist_last + 1
    for moved in later:
        moved.waitlist_position = (moved.waitlist_position or 0) + 1
        uow.session.add(moved)
    dialogue.waitlist_last += 1
    return place


def fill_free_seats(uow: UnitOfWork, dialogue: Dialogue) -> int:
    """Promote from the waiting list, in order, while seats are free; those still waiting move up, so
    the places shown are always 1..n."""
    promoted = 0
    while dialogue.seats_taken < dialogue.capacity:
        waiting = uow.session.exec(
            select(Registration)
            .where(
                Registration.dialogue_id == dialogue.id, Registration.status == RegistrationStatus.WAITLISTED
            )
            .order_by(col(Registration.waitlist_position))
        ).first()
        if waiting is None:
            break
        place = waiting.waitlist_position or 1
        waiting.status, waiting.waitlist_position, waiting.decided_at = (
            RegistrationStatus.CONFIRMED,
            None,
            uow.clock(),
        )
        uow.session.add(waiting)
        _close_gap(uow, dialogue, place)
        notify_registration(uow, waiting, dialogue, "registration_promoted")
        dialogue.seats_taken += 1
        promoted += 1
    uow.session.add(dialogue)
    return promoted


def _close_gap(uow: UnitOfWork, dialogue: Dialogue, place: int) -> None:
    """Someone left the waiting list at this place: everyone behind moves one place up."""
    uow.session.flush()
    uow.session.execute(
        update(Registration)
        .where(
            col(Registration.dialogue_id) == dialogue.id,
            col(Registration.status) == RegistrationStatus.WAITLISTED,
            col(Registration.waitlist_position) > place,
        )
        .values(waitlist_position=col(Registration.waitlist_position) - 1)
    )
    dialogue.waitlist_last = max(0, dialogue.waitlist_last - 1)
    if dialogue.waitlist_last == 0:
        dialogue.waitlist_last_requested_at = None


@handles("dialogues.release_seat")
def release_seat(envelope: Envelope, uow: UnitOfWork) -> None:
    cancelled = envelope.event
    assert isinstance(cancelled, RegistrationCancelled)
    dialogue = locked_dialogue(uow, cancelled.dialogue_id)
    registration = uow.session.get(Registration, cancelled.registration_id)
    if registration is None:
        return
    if registration.held_seat_when_cancelled:
        dialogue.seats_taken -= 1
        registration.held_seat_when_cancelled = False  # given back exactly once
        uow.session.add_all([registration, dialogue])
    if registration.status == RegistrationStatus.CANCELLED and registration.waitlist_position is not None:
        place, registration.waitlist_position = registration.waitlist_position, None  # once
        uow.session.add_all([registration, dialogue])
        _close_gap(uow, dialogue, place)
    if registration.name is not None:
        notify_registration(uow, registration, dialogue, "registration_cancelled")
    if dialogue.status == DialogueStatus.PUBLISHED and (
        dialogue.allocation == Allocation.FCFS or dialogue.lottery_drawn_at
    ):
        fill_free_seats(uow, dialogue)


@handles("dialogues.seats_changed")
def seats_changed(envelope: Envelope, uow: UnitOfWork) -> None:
    """More seats (or fewer): fill what is free from the waiting list, in order."""
    changed = envelope.event
    assert isinstance(changed, DialogueSeatsChanged)
    dialogue = locked_dialogue(uow, changed.dialogue_id)
    if dialogue.status == DialogueStatus.PUBLISHED and (
        dialogue.allocation == Allocation.FCFS or dialogue.lottery_drawn_at
    ):
        fill_free_seats(uow, dialogue)
