"""Published dialogues for the benchmarks' registrations, with the organiser who owns them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from services.accounts.operations import AccountCreate, new_account
from services.dialogues import organisers
from services.dialogues.organisers import DialogueCreate
from services.store.tables import Role
from services.store.uow import UnitOfWork, utc_now


def published_dialogues(
    engine: Engine, secret: str, count: int, capacity: int, ags: str = "05315000"
) -> list[str]:
    """``count`` dialogues of ``capacity`` seats, open for registration from an hour ago for four
    weeks, by a new organiser; their ids, in the order made."""
    now = utc_now()
    with Session(engine) as session:
        body = AccountCreate(
            email=f"org-{uuid.uuid4().hex[:6]}@example.org",
            display_name="Organiser",
            role=Role.ORGANISER,
            password="benchmark password 1",
        )
        organiser = new_account(body, now)
        session.add(organiser)
        session.commit()
        organiser_id = organiser.id
    ids = []
    with UnitOfWork(engine, secret=secret) as uow:
        for number in range(count):
            dialogue = organisers.create(
                uow,
                organiser_id,
                DialogueCreate(
                    title=f"Bürgerdialog {number + 1}",
                    format="citizen_dialogue",
                    municipality_ags=ags,
                    starts_at=now + timedelta(days=30),
                    ends_at=now + timedelta(days=30, hours=2),
                    venue="Rathaus",
                    capacity=capacity,
                    registration_opens_at=now - timedelta(hours=1),
                    registration_closes_at=now + timedelta(days=29),
                ),
            )
            organisers.publish(uow, dialogue)
            ids.append(dialogue.id)
        uow.commit()
    return ids
