"""A registrant of a dialogue, stored directly: for tests of what is sent to registrants."""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.bootstrap import Container
from services.crypto import keyed_hash
from services.dialogues.tables import Dialogue, DialogueStatus, Registration
from services.store.tables import Role
from tests.support.people import person


def registrant(container: Container, email: str, language: str = "de", name: str = "Ayşe Demir") -> str:
    """A confirmed registration for a published dialogue three weeks ahead; returns its id."""
    organiser = person(container, Role.ORGANISER)
    now = container.clock()
    starts = now + timedelta(days=21)
    dialogue = Dialogue(
        id=str(uuid.uuid4()),
        organiser_id=organiser.id,
        municipality_ags="03241001",
        title="Bürgerdialog Zusammenhalt",
        format="citizen_dialogue",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        venue="Rathaus, Marktplatz 1",
        capacity=10,
        registration_opens_at=now,
        registration_closes_at=starts - timedelta(days=1),
        status=DialogueStatus.PUBLISHED,
        created_at=now,
        updated_at=now,
    )
    registration = Registration(
        id=str(uuid.uuid4()),
        dialogue_id=dialogue.id,
        name=name,
        email=email,
        email_hash=keyed_hash(container.settings.secret_key.get_secret_value(), email),
        language=language,
        consent_version="2026-1",
        status="confirmed",
        requested_at=now,
        decided_at=now,
    )
    with container.uow() as uow:
        uow.session.add(dialogue)
        uow.session.flush()
        uow.session.add(registration)
        uow.commit()
    return registration.id
