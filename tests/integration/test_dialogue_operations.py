"""A dialogue driven through its operations, without HTTP: the functions the API calls. Failures are
named domain errors. Both databases; the seat is decided by the same handlers, in-process."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.access import Principal, RoleNotAllowed
from services.bootstrap import Container
from services.dialogues import organisers
from services.dialogues.attendance import NotAttending, mark_attendance
from services.dialogues.dialogue_access import DialogueNotFound, NotOrganiser
from services.dialogues.organisers import DialogueCreate, DialogueStateConflict
from services.dialogues.registrations import (
    DialogueClosed,
    PrivacyNotAccepted,
    RegistrationCreate,
    RegistrationNotFound,
    cancel_by_link,
    manage_token,
    register,
)
from services.dialogues.tables import Registration
from services.store.tables import Role
from tests.support.clock import Clock
from tests.support.operations import act
from tests.support.people import person
from workflows.dialogues.seating import RegistrationStatus
from workflows.errors import NotFound

pytestmark = pytest.mark.integration


def principal(container: Container, role: Role) -> Principal:
    found = person(container, role)
    return Principal(found.id, role)


def draft(clock: Clock, capacity: int = 1) -> DialogueCreate:
    starts = clock.now + timedelta(days=20)
    return DialogueCreate(
        title="Bürgerdialog Zusammenhalt",
        format="citizen_dialogue",
        municipality_ags="03241001",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="Rathaus, Marktplatz 1",
        capacity=capacity,
        registration_opens_at=clock.now,
        registration_closes_at=starts - timedelta(days=1),
    )


def resident(consent: str = "2026-1") -> RegistrationCreate:
    return RegistrationCreate(
        name="Ayşe", email=f"ayse-{uuid.uuid4().hex[:6]}@example.org", privacy_consent=consent
    )


def status_of(container: Container, registration_id: str) -> str:
    with container.uow() as uow:
        found = uow.session.get(Registration, registration_id)
        assert found is not None
        return found.status


def test_a_dialogue_from_draft_to_attendance_through_its_operations(
    container: Container, clock: Clock
) -> None:
    organiser = principal(container, Role.ORGANISER)
    colleague = principal(container, Role.ORGANISER)
    official = principal(container, Role.OFFICIAL)
    admin = principal(container, Role.ADMIN)

    with pytest.raises(RoleNotAllowed):
        act(container, lambda uow: organisers.create_dialogue(uow, official, draft(clock)))
    dialogue = act(container, lambda uow: organisers.create_dialogue(uow, organiser, draft(clock)))
    with pytest.raises(DialogueNotFound):  # a draft is not open to residents
        act(container, lambda uow: register(uow, dialogue.id, resident()))
    with pytest.raises(NotFound, match="dialogue not found"):  # another organiser does not learn it exists
        act(container, lambda uow: organisers.publish_dialogue(uow, colleague, dialogue.id))

    act(container, lambda uow: organisers.publish_dialogue(uow, organiser, dialogue.id))
    with pytest.raises(DialogueStateConflict, match="published"):
        act(container, lambda uow: organisers.publish_dialogue(uow, admin, dialogue.id))
    with pytest.raises(PrivacyNotAccepted, match="version 2026-1"):
        act(container, lambda uow: register(uow, dialogue.id, resident(consent="2019")))

    first, created = act(container, lambda uow: register(uow, dialogue.id, resident()))
    second, _ = act(container, lambda uow: register(uow, dialogue.id, resident()))
    assert created and status_of(container, first.id) == RegistrationStatus.REQUESTED
    container.dispatcher().drain()
    assert status_of(container, first.id) == RegistrationStatus.CONFIRMED
    assert status_of(container, second.id) == RegistrationStatus.WAITLISTED

    with pytest.raises(NotAttending, match="waitlisted"):
        act(container, lambda uow: mark_attendance(uow, organiser, dialogue.id, second.id, True))
    with pytest.raises(RegistrationNotFound):
        act(container, lambda uow: cancel_by_link(uow, first.id, "not-the-token"))
    token = manage_token(container.settings.secret_key.get_secret_value(), first.id)
    act(container, lambda uow: cancel_by_link(uow, first.id, token))
    with pytest.raises(DialogueClosed, match="cancelled"):
        act(container, lambda uow: cancel_by_link(uow, first.id, token))
    container.dispatcher().drain()
    assert status_of(container, second.id) == RegistrationStatus.CONFIRMED  # the next one moves up

    attended = act(container, lambda uow: mark_attendance(uow, organiser, dialogue.id, second.id, True))
    assert attended.status == RegistrationStatus.ATTENDED
    change = act(container, lambda uow: organisers.call_off(uow, admin, dialogue.id))
    assert change.registrants_notified
    with pytest.raises(DialogueStateConflict, match="cancelled already"):
        act(container, lambda uow: organisers.call_off(uow, organiser, dialogue.id))


def test_an_organiser_of_the_municipality_sees_but_does_not_change_a_colleagues_dialogue(
    container: Container, clock: Clock
) -> None:
    organiser = principal(container, Role.ORGANISER)
    dialogue = act(container, lambda uow: organisers.create_dialogue(uow, organiser, draft(clock)))
    town = person(container, Role.MUNICIPALITY, municipality_ags="03241001")
    municipality = Principal(town.id, Role.MUNICIPALITY, municipality_ags="03241001")
    with pytest.raises(NotOrganiser):
        act(container, lambda uow: organisers.publish_dialogue(uow, municipality, dialogue.id))
