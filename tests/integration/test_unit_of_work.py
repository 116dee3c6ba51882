"""Rows a unit of work writes with its commit (outbox rows, receipts): all or nothing, in the order
they were given, and never lost when the unit of work joins a session someone else commits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, col, select

from events import decode, new_envelope
from events.contracts import PipelineProbe
from services.notify.tables import Notification, NotificationStatus
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


def test_rows_written_with_the_commit_get_their_defaults_and_typed_values(database_url: str) -> None:
    """On PostgreSQL such rows are streamed with COPY, not inserted by SQLAlchemy: a column left out
    still gets its default, and a time comes back as the same UTC moment."""
    engine = make_engine(database_url)
    at = datetime(2026, 3, 1, 23, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    ids = [str(uuid.uuid4()) for _ in range(3)]
    with UnitOfWork(engine) as uow:
        for n, notification_id in enumerate(ids):
            uow.append(
                Notification,
                {
                    "id": notification_id,
                    "recipient_id": f"r-{n}",
                    "template": "registration_confirmed",
                    "context": '{"quote": "a \\\\ and a tab\\t and ü"}',
                    "status": NotificationStatus.PENDING,
                    "created_at": at,
                },
            )
        uow.commit()
    with Session(engine) as session:
        rows = {
            row.id: row for row in session.exec(select(Notification).where(col(Notification.id).in_(ids)))
        }
    assert [rows[i].recipient_id for i in ids] == ["r-0", "r-1", "r-2"]
    first = rows[ids[0]]
    assert (first.recipient_kind, first.urgent, first.locale, first.subject_id) == (
        "account",
        False,
        None,
        None,
    )
    assert first.status == "pending"
    assert first.context == '{"quote": "a \\\\ and a tab\\t and ü"}'
    assert first.created_at == at and first.created_at.tzinfo is not None
