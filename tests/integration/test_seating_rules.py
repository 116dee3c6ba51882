"""Seats and waiting list as a resident expects them, for any mix of registrations, cancellations and
added seats (Hypothesis, through the real operations and handlers on SQLite): never more confirmed
than seats, no seat left free while someone waits, the waiting list in the order people registered,
its places always 1..n."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from services.bootstrap import bootstrap
from services.dialogues import organisers
from services.dialogues.organisers import DialogueFields
from services.dialogues.registrations import (
    DialogueClosed,
    RegistrationCreate,
    cancel_by_link,
    manage_token,
    register,
)
from services.dialogues.tables import Registration
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import Role
from tests.conftest import sqlite_url
from tests.integration.test_dialogue_operations import draft
from tests.support.clock import Clock
from tests.support.operations import act
from tests.support.people import person
from tests.support.pipeline import pipeline_settings

pytestmark = pytest.mark.integration

steps = st.lists(
    st.one_of(
        st.just(("register", 0)),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("seats"), st.integers(min_value=1, max_value=2)),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Clock, str]:
    folder: Path = tmp_path_factory.mktemp("seating")
    url = sqlite_url(folder)
    upgrade(make_engine(url))
    clock = Clock()
    container = bootstrap(pipeline_settings(url), clock=clock)
    return container, clock, person(container, Role.ORGANISER).id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# someone waits; a newcomer registers while the organiser adds a seat: the seat is the waiting one's
@example(capacity=1, plan=[("register", 0)] * 3 + [("seats", 1)], drain_every=2)
@example(capacity=2, plan=[("register", 0)] * 4 + [("cancel", 2), ("register", 0)], drain_every=1)
@given(capacity=st.integers(min_value=1, max_value=4), plan=steps, drain_every=st.integers(1, 4))
def test_seats_follow_the_rules_whatever_happens(
    world: tuple[object, Clock, str], capacity: int, plan: list[tuple[str, int]], drain_every: int
) -> None:
    from services.access import Principal
    from services.bootstrap import Container

    container, clock, organiser_id = world
    assert isinstance(container, Container)
    organiser = Principal(organiser_id, Role.ORGANISER)
    fields = draft(clock, capacity)
    dialogue = act(container, lambda uow: organisers.create_dialogue(uow, organiser, fields))
    act(container, lambda uow: organisers.publish_dialogue(uow, organiser, dialogue.id))
    secret = container.settings.secret_key.get_secret_value()
    made: list[str] = []
    seats = capacity
    for number, (action, value) in enumerate(plan, start=1):
        clock.now += timedelta(seconds=1)
        if action == "register":
            body = RegistrationCreate(
                name="R", email=f"{uuid.uuid4().hex[:8]}@example.org", privacy_consent="2026-1"
            )
            made.append(act(container, lambda uow, body=body: register(uow, dialogue.id, body))[0].id)
        elif action == "cancel" and made:
            target = made[value % len(made)]
            with contextlib.suppress(DialogueClosed):  # cancelled already: refused, nothing changes
                act(container, lambda uow, t=target: cancel_by_link(uow, t, manage_token(secret, t)))
        elif action == "seats":
            seats += value
            changed = DialogueFields(**{**fields.model_dump(exclude={"municipality_ags"}), "capacity": seats})
            act(container, lambda uow, c=changed: organisers.change_dialogue(uow, organiser, dialogue.id, c))
        if number % drain_every == 0:
            container.dispatcher().drain()
    container.dispatcher().drain()

    with container.uow() as uow:
        rows = [
            (r.status, r.waitlist_position, r.requested_at)
            for r in uow.session.exec(select(Registration).where(Registration.dialogue_id == dialogue.id))
        ]
    confirmed = [r for r in rows if r[0] == "confirmed"]
    waiting = sorted((r for r in rows if r[0] == "waitlisted"), key=lambda r: r[1] or 0)
    assert len(confirmed) <= seats  # never more than the seats
    assert not waiting or len(confirmed) == seats  # no free seat while someone waits
    assert [r[1] for r in waiting] == list(range(1, len(waiting) + 1))  # places 1..n
    assert [r[2] for r in waiting] == sorted(r[2] for r in waiting)  # in the order they registered
    assert {r[0] for r in rows} <= {"confirmed", "waitlisted", "cancelled"}
    if waiting:  # nobody who registered after someone still waiting got a seat before them
        assert all(r[2] < waiting[0][2] for r in confirmed)
