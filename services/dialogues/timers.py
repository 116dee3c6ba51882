"""Due dialogue jobs: reminders, logistics briefs, the lottery draw, the survey, the retention purge.
A job is claimed and done in one transaction, so it runs once however many workers tick."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from services.dialogues.event_handlers import fill_free_seats, locked_dialogue
from services.dialogues.messages import REGISTRANT, notify_organiser, notify_registrants, notify_registration
from services.dialogues.tables import Dialogue, DialogueJob, DialogueStatus, Registration
from services.notify.requests import withdraw_pending
from services.store.uow import Clock, UnitOfWork
from workflows.dialogues.logistics import Needs, brief
from workflows.dialogues.lottery import Entrant, draw
from workflows.dialogues.seating import RegistrationStatus

log = logging.getLogger(__name__)


class DialogueTimers:
    def __init__(self, engine: Engine, clock: Clock, secret: str) -> None:
        self._engine, self._clock, self._secret = engine, clock, secret

    def run_due(self) -> int:
        now = self._clock()
        with Session(self._engine) as session:
            due = session.exec(
                select(DialogueJob.id)
                .where(col(DialogueJob.done_at).is_(None), col(DialogueJob.due_at) <= now)
                .order_by(col(DialogueJob.due_at))
                .limit(100)
            ).all()
        done = 0
        for job_id in due:
            try:
                done += self._run(job_id)
            except Exception:  # the job stays due and is tried again on the next tick
                log.exception("dialogue job %s failed", job_id)
        return done

    def _run(self, job_id: str) -> int:
        with UnitOfWork(self._engine, self._clock, self._secret) as uow:
            now = uow.clock()
            claimed = uow.session.execute(
                update(DialogueJob)
                .where(col(DialogueJob.id) == job_id, col(DialogueJob.done_at).is_(None))
                .values(done_at=now)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                return 0
            job = uow.session.get(DialogueJob, job_id)
            assert job is not None
            dialogue = locked_dialogue(uow, job.dialogue_id)
            kind, _, argument = job.kind.partition(":")
            if kind == "retention":
                anonymise(uow, dialogue, now)
            elif dialogue.status != DialogueStatus.PUBLISHED:
                pass  # nothing to remind of or to brief about a cancelled dialogue
            elif kind == "reminder":
                notify_registrants(uow, dialogue, "registration_reminder", (RegistrationStatus.CONFIRMED,))
            elif kind == "brief":
                send_brief(uow, dialogue, int(argument))
            elif kind == "lottery":
                run_lottery(uow, dialogue, secrets.randbelow(2**31))
            elif kind == "survey" and dialogue.survey_url:
                notify_registrants(
                    uow,
                    dialogue,
                    "survey_invitation",
                    (RegistrationStatus.ATTENDED,),
                    survey_url=dialogue.survey_url,
                )
            uow.commit()
            return 1


def _registrations(uow: UnitOfWork, dialogue: Dialogue, *statuses: str) -> list[Registration]:
    return list(
        uow.session.exec(
            select(Registration).where(
                Registration.dialogue_id == dialogue.id, col(Registration.status).in_(statuses)
            )
        ).all()
    )


def needs_of(registration: Registration) -> Needs:
    return Needs(
        step_free=registration.step_free,
        sign_language=registration.sign_language,
        simple_language=registration.simple_language,
        interpreter_languages=tuple(x for x in registration.interpreter_languages.split(",") if x),
        children_ages=tuple(int(x) for x in registration.children_ages.split(",") if x),
        dietary=registration.dietary,
    )


def send_brief(uow: UnitOfWork, dialogue: Dialogue, days: int) -> None:
    confirmed = _registrations(uow, dialogue, RegistrationStatus.CONFIRMED)
    waitlisted = _registrations(uow, dialogue, RegistrationStatus.WAITLISTED)
    summary = brief(
        [needs_of(r) for r in confirmed],
        len(waitlisted),
        dialogue.capacity,
        dialogue.starts_at,
        "step_free" in dialogue.accessibility.split(","),
        now=uow.clock(),
    )
    notify_organiser(
        uow,
        dialogue,
        "logistics_brief",
        urgent=any(t.overdue for t in summary.tasks),  # something should have been booked already
        days=days,
        headcount=summary.headcount,
        capacity=summary.capacity,
        waitlisted=summary.waitlisted,
        step_free=summary.step_free,
        sign_language=summary.sign_language,
        simple_language=summary.simple_language,
        interpreters=summary.interpreter_languages,
        children=summary.children,
        childcare_staff=summary.childcare_staff,
        dietary=summary.dietary,
        tasks=[
            {"de": t.title_de, "en": t.title_en, "deadline": t.deadline.isoformat(), "overdue": t.overdue}
            for t in summary.tasks
        ],
    )


def run_lottery(uow: UnitOfWork, dialogue: Dialogue, seed: int) -> None:
    """Draw at the close of registration; the seed is stored so the draw can be repeated."""
    if dialogue.lottery_drawn_at is not None:
        return
    pool = _registrations(uow, dialogue, RegistrationStatus.REQUESTED)
    result = draw(
        [Entrant(r.id, frozenset(g for g in r.groups.split(",") if g)) for r in pool],
        dialogue.capacity,
        json.loads(dialogue.quotas),
        seed,
    )
    by_id = {r.id: r for r in pool}
    now = uow.clock()
    for registration_id in result.confirmed:
        registration = by_id[registration_id]
        registration.status, registration.decided_at = RegistrationStatus.CONFIRMED, now
        notify_registration(uow, registration, dialogue, "registration_confirmed")
    for position, registration_id in enumerate(result.waitlist, start=1):
        registration = by_id[registration_id]
        registration.decided_at = now
        if dialogue.waitlist_enabled:
            registration.status, registration.waitlist_position = RegistrationStatus.WAITLISTED, position
            notify_registration(uow, registration, dialogue, "registration_waitlisted", position=position)
        else:
            registration.status = RegistrationStatus.REJECTED
            notify_registration(uow, registration, dialogue, "registration_full")
    uow.session.add_all(pool)
    dialogue.lottery_seed, dialogue.lottery_drawn_at = seed, now
    dialogue.seats_taken = len(result.confirmed)
    dialogue.waitlist_last = len(result.waitlist) if dialogue.waitlist_enabled else 0
    uow.session.add(dialogue)
    uow.session.flush()
    fill_free_seats(uow, dialogue)  # a draw with fewer entrants than seats leaves none waiting anyway


def anonymise(uow: UnitOfWork, dialogue: Dialogue, now: datetime) -> None:
    """Delete personal data of every registrant; statuses and need counts stay for the figures.
    Messages to them that have not gone out yet are withdrawn, not left to fail."""
    registrations = uow.session.exec(
        select(Registration).where(
            Registration.dialogue_id == dialogue.id, col(Registration.anonymised_at).is_(None)
        )
    ).all()
    withdraw_pending(uow, REGISTRANT, [r.id for r in registrations])
    for registration in registrations:
        registration.name = registration.email = registration.email_hash = registration.phone = None
        registration.needs_note = None
        registration.dietary = ""
        registration.groups = ""
        registration.anonymised_at = now
        uow.session.add(registration)
