"""Rows a unit of work writes with its commit (outbox rows, receipts): all or nothing, in the order
they were given, and never lost when the unit of work joins a session someone else commits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from events import decode, new_envelope
from events.contracts import PipelineProbe
from services.store.engine import make_engine
from services.store.tables import OutboxRecord
from services.store.uow import UnitOfWork

pytestmark = pytest.mark.integration


def _probe(probe_id: str, sequence: int) -> PipelineProbe:
    return PipelineProbe(probe_id=probe_id, stream=probe_id, sequence=sequence, sent_at=datetime.now(UTC))


def _emitted(session: Session, probe_id: str) -> list[int]:
    rows = session.exec(select(OutboxRecord).order_by(col(OutboxRecord.id))).all()
    probes = [decode(row.value).event for row in rows if row.key == probe_id]
    return [probe.sequence for probe in probes if isinstance(probe, PipelineProbe)]


def test_emitted_events_are_written_with_the_commit_in_their_order_or_not_at_all(database_url: str) -> None:
    engine = make_engine(database_url)
    kept, dropped = f"uow-{uuid.uuid4().hex[:8]}", f"uow-{uuid.uuid4().hex[:8]}"
    with UnitOfWork(engine) as uow:
        for sequence in range(5):
            uow.emit(new_envelope(_probe(kept, sequence)))
        with Session(engine) as other:
            assert _emitted(other, kept) == []  # nothing before the commit
        uow.commit()
    with UnitOfWork(engine) as uow:
        uow.emit(new_envelope(_probe(dropped, 0)))  # left without commit: rolled back
    with Session(engine) as session:
        assert _emitted(session, kept) == [0, 1, 2, 3, 4]
        assert _emitted(session, dropped) == []


def test_a_joined_unit_of_work_emits_into_the_owners_transaction(database_url: str) -> None:
    engine = make_engine(database_url)
    probe_id = f"uow-{uuid.uuid4().hex[:8]}"
    with Session(engine) as owner:
        UnitOfWork.joining(owner).emit(new_envelope(_probe(probe_id, 7)))  # its commit is never called
        owner.commit()
    with Session(engine) as session:
        assert _emitted(session, probe_id) == [7]
