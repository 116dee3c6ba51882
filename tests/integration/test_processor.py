"""The wrapper's transaction: a handler's state change, inbox mark and emitted events commit together
or not at all. Runs in-process on both databases with handlers written for the test."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from events import Envelope, encode, new_envelope
from events.catalog import PROBES
from events.contracts import NotificationRequested, PipelineProbe
from services.pipeline.handler_types import HandlerTable
from services.pipeline.probe import record_probe
from services.pipeline.processing import Outcome, Processor, Record, RetryPolicy
from services.store import outbox
from services.store.tables import InboxRecord, OutboxRecord, ProbeReceipt
from services.store.uow import UnitOfWork

pytestmark = pytest.mark.integration


class Boom(RuntimeError):
    pass


def notify_then_record(envelope: Envelope, uow: UnitOfWork) -> None:
    probe = envelope.event
    assert isinstance(probe, PipelineProbe)
    uow.emit(
        envelope.caused(NotificationRequested(notification_id=probe.probe_id, recipient_id="r", template="t"))
    )
    record_probe(envelope, uow)
    if probe.sequence == 13:
        raise Boom("unlucky number")


def probe_record(probe_id: str, sequence: int = 0) -> tuple[Envelope, Record]:
    envelope = new_envelope(
        PipelineProbe(probe_id=probe_id, stream=probe_id, sequence=sequence, sent_at=datetime.now(UTC))
    )
    return envelope, Record(topic=PROBES.name, value=encode(envelope), key=probe_id.encode())


def make_processor(engine: Engine, sleeps: list[float]) -> Processor:
    return Processor(
        lambda: UnitOfWork(engine),
        HandlerTable({PipelineProbe: (notify_then_record,)}),
        RetryPolicy(max_attempts=4, backoff_s=0.5, backoff_max_s=2.0),
        sleep=sleeps.append,  # the clock is injected: no real waiting in tests
    )


def outbox_for(engine: Engine, probe_id: str) -> list[OutboxRecord]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxRecord).order_by(col(OutboxRecord.id))).all()
        return [row for row in rows if probe_id.encode() in row.value]


def test_effects_and_emitted_events_commit_together(engine: Engine) -> None:
    probe_id = uuid.uuid4().hex
    envelope, record = probe_record(probe_id)
    processor = make_processor(engine, [])
    assert processor.process(record) is Outcome.HANDLED
    assert processor.process(record) is Outcome.DUPLICATE

    rows = outbox_for(engine, probe_id)
    assert [row.topic for row in rows] == ["weltoffen.notifications"]
    with Session(engine) as session:
        assert session.get(
            InboxRecord, ("tests.integration.test_processor.notify_then_record", envelope.event_id)
        )
        assert len(session.exec(select(ProbeReceipt).where(ProbeReceipt.probe_id == probe_id)).all()) == 1


def test_a_failing_handler_leaves_nothing_half_written(engine: Engine) -> None:
    probe_id = uuid.uuid4().hex
    _, record = probe_record(probe_id, sequence=13)
    sleeps: list[float] = []
    assert make_processor(engine, sleeps).process(record) is Outcome.DEAD_LETTERED

    assert len(sleeps) == 3  # four attempts, three waits between them
    assert all(0.25 <= s <= 0.5 for s in sleeps[:1]) and all(s <= 2.0 for s in sleeps)
    assert sleeps[2] > sleeps[0]  # backoff grows
    rows = outbox_for(engine, probe_id)
    assert [row.topic for row in rows] == ["weltoffen.probes.dlt"]  # no notification escaped
    with Session(engine) as session:
        assert session.exec(select(ProbeReceipt).where(ProbeReceipt.probe_id == probe_id)).all() == []


def test_a_batch_with_one_bad_event_still_handles_the_others_once(engine: Engine) -> None:
    probe_id = uuid.uuid4().hex
    records = [probe_record(probe_id, sequence=n)[1] for n in (11, 12, 13, 14)]
    records.insert(2, records[1])  # a duplicate inside the batch
    outcomes = make_processor(engine, []).process_batch(records)
    assert outcomes == [
        Outcome.HANDLED,
        Outcome.HANDLED,
        Outcome.DUPLICATE,
        Outcome.DEAD_LETTERED,
        Outcome.HANDLED,
    ]
    with Session(engine) as session:
        got = session.exec(select(ProbeReceipt.sequence).where(ProbeReceipt.probe_id == probe_id)).all()
    assert sorted(got) == [11, 12, 14]


def test_a_tombstone_is_dead_lettered_not_raised(engine: Engine) -> None:
    """A key without a value once raised TypeError out of the Processor and killed the agent."""
    key = uuid.uuid4().hex
    record = Record(topic=PROBES.name, value=None, key=key.encode(), partition=3, offset=17)
    assert make_processor(engine, []).process_batch([record]) == [Outcome.DEAD_LETTERED]
    [letter] = [row for row in outbox_rows(engine, PROBES.name + ".dlt") if row.key == key]
    headers = dict(outbox.decode_headers(letter))
    assert letter.value == b"" and headers["value-null"] == "true"
    assert headers["error"].startswith("DecodeError: null value")
    assert (headers["source-partition"], headers["source-offset"]) == ("3", "17")
    assert outbox.wire_value(letter) is None  # published as a tombstone again, like the original


class FlakyDatabase:
    """Stands for a database that is away until it has been asked ``down_for`` times whether it is
    back: meanwhile a handler's statement fails as it does when the connection is refused."""

    def __init__(self, down_for: int) -> None:
        self.down_for = down_for
        self.probes = 0
        self.calls = 0

    def handler(self, envelope: Envelope, uow: UnitOfWork) -> None:
        self.calls += 1
        if self.probes < self.down_for:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
        record_probe(envelope, uow)

    def reachable(self) -> bool:
        self.probes += 1
        return self.probes > self.down_for


def test_a_database_outage_is_waited_out_and_never_dead_letters(engine: Engine) -> None:
    probe_id = uuid.uuid4().hex
    _, record = probe_record(probe_id)
    database = FlakyDatabase(down_for=12)  # three times the attempts a failing event gets
    sleeps: list[float] = []
    processor = Processor(
        lambda: UnitOfWork(engine),
        HandlerTable({PipelineProbe: (database.handler,)}),
        RetryPolicy(max_attempts=4, backoff_s=0.5, backoff_max_s=2.0),
        sleep=sleeps.append,
        database_reachable=database.reachable,
    )
    assert processor.process(record) is Outcome.HANDLED
    assert database.calls == 2 and len(sleeps) == 13  # it waited as long as the outage lasted
    assert max(sleeps) <= 2.0  # at the policy's pace, however long that was
    assert outbox_for(engine, probe_id) == []  # nothing dead-lettered
    with Session(engine) as session:
        assert len(session.exec(select(ProbeReceipt).where(ProbeReceipt.probe_id == probe_id)).all()) == 1


def outbox_rows(engine: Engine, topic: str) -> list[OutboxRecord]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxRecord).where(OutboxRecord.topic == topic)).all())


class SecondWorker:
    """Two workers get the same event at the same time (a rebalance hands a partition over while
    its old owner is still writing). The first one's handler lets the second start and waits until
    the second is asking the inbox, then a little longer, so the second asks while the first has
    not committed."""

    def __init__(self, engine: Engine, record: Record) -> None:
        self.engine, self.record = engine, record
        self.calls = 0
        self.asking = threading.Event()
        self.outcome: Outcome | None = None
        self.thread = threading.Thread(target=self._run)

    def handler(self, envelope: Envelope, uow: UnitOfWork) -> None:
        self.calls += 1
        if self.calls == 1:
            self.thread.start()
            assert self.asking.wait(10)
            time.sleep(0.3)  # the second worker is inside its question now (it can only wait for us)
        record_probe(envelope, uow)

    def processor(self, uow_type: type[UnitOfWork]) -> Processor:
        return Processor(
            lambda: uow_type(self.engine),
            HandlerTable({PipelineProbe: (self.handler,)}),
            RetryPolicy(max_attempts=4, backoff_s=0.01, backoff_max_s=0.01),
        )

    def _run(self) -> None:
        worker = self

        class Asking(UnitOfWork):
            def claim(self, handler: str, event_ids: Iterable[str]) -> set[str]:
                worker.asking.set()
                return super().claim(handler, event_ids)

        self.outcome = self.processor(Asking).process(self.record)


def test_two_workers_with_the_same_event_at_once_apply_it_once(engine: Engine) -> None:
    """One of them applies it, the other finds it applied, and its effects exist once. On
    PostgreSQL the second worker's claim waits for the first one's transaction and its handler never
    runs. (Checking first and marking with the commit let both run the handler there; the second
    one's effects were only undone when its mark collided. SQLite still works that way, so that a
    batch takes its write lock only for the commit: UnitOfWork.claim.)"""
    probe_id = uuid.uuid4().hex
    _, record = probe_record(probe_id)
    workers = SecondWorker(engine, record)
    first = workers.processor(UnitOfWork).process(record)
    workers.thread.join(30)
    assert {first, workers.outcome} == {Outcome.HANDLED, Outcome.DUPLICATE}
    if engine.dialect.name == "postgresql":
        assert (first, workers.outcome) == (Outcome.HANDLED, Outcome.DUPLICATE)
        assert workers.calls == 1
    with Session(engine) as session:
        assert len(session.exec(select(ProbeReceipt).where(ProbeReceipt.probe_id == probe_id)).all()) == 1
