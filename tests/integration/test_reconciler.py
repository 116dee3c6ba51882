"""The reconciler: a published event that no agent handled is handed to the Processor again after
the grace period; what was handled or dead-lettered is left alone. Both databases, injected clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from events import new_envelope
from events.contracts import PipelineProbe, ProbeFault
from services.bootstrap import bootstrap
from services.pipeline.processing import Outcome, Record
from services.store.tables import OutboxRecord, ProbeReceipt
from tests.support.clock import Clock
from tests.support.pipeline import pipeline_settings

pytestmark = pytest.mark.integration


def test_a_published_event_no_agent_handled_is_replayed_once_after_the_grace_period(
    private_database_url: str,
) -> None:
    clock = Clock(datetime(2030, 5, 1, 12, 0, tzinfo=UTC))
    container = bootstrap(pipeline_settings(private_database_url, "127.0.0.1:9", reconcile_grace_s=60), clock)
    probe_id = uuid.uuid4().hex
    handled, lost, failing, late = (
        new_envelope(
            PipelineProbe(probe_id=probe_id, stream=probe_id, sequence=n, sent_at=clock.now, fault=fault)
        )
        for n, fault in enumerate([ProbeFault.NONE, ProbeFault.NONE, ProbeFault.FAIL, ProbeFault.NONE])
    )
    with container.uow() as uow:
        for envelope in (handled, lost, failing, late):
            uow.emit(envelope)
        uow.commit()
    with Session(container.engine) as session:  # the relay published the first three two minutes ago
        rows = {row.event_id: row for row in session.exec(select(OutboxRecord)).all()}
        for envelope, published in ((handled, -120), (lost, -120), (failing, -120), (late, -10)):
            rows[envelope.event_id].published_at = clock.now + timedelta(seconds=published)
            session.add(rows[envelope.event_id])
        session.commit()
        records = {
            e.event_id: Record(rows[e.event_id].topic, rows[e.event_id].value) for e in (handled, failing)
        }
    processor = container.processor()
    assert processor.process(records[handled.event_id]) is Outcome.HANDLED  # an agent handled it
    assert processor.process(records[failing.event_id]) is Outcome.DEAD_LETTERED  # and this one failed

    assert container.reconciler.run_once() == 1  # only the lost one; the late one is within grace
    assert receipts(container, probe_id) == [0, 1]
    assert container.reconciler.run_once() == 0
    clock.now += timedelta(minutes=2)  # the late one is now past its grace too, still unhandled
    assert container.reconciler.run_once() == 1
    assert receipts(container, probe_id) == [0, 1, 3]
    assert container.reconciler.run_once() == 0


def receipts(container, probe_id: str) -> list[int]:  # type: ignore[no-untyped-def]
    with Session(container.engine) as session:
        query = select(ProbeReceipt.sequence).where(ProbeReceipt.probe_id == probe_id)
        return sorted(session.exec(query).all())
