"""The Processor of the worker's bulk topics in a process of its own (the urgent topics have a
consumer of their own: test_urgent_consumer.py): a child handles a batch exactly as in-process
(inbox included), its counts reach the worker's metrics, a batch that plans messages wakes the
worker's senders of its lane, and a child that was killed is replaced without an event lost or
applied twice. A real child process on both databases."""

from __future__ import annotations

import multiprocessing
import os
import signal
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from bench.registrations import prepare
from events import encode, new_envelope
from events.catalog import DIALOGUES, PROBES
from events.contracts import PipelineProbe
from services.dialogues.tables import Registration
from services.metrics import COUNTED
from services.pipeline.processing import Outcome, Record
from services.settings import Settings
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import OutboxRecord, ProbeReceipt
from services.worker.processor_process import ProcessorGone, ProcessorProcess
from tests.support.orphans import left_running_after_kill
from tests.support.pipeline import pipeline_settings
from tests.support.priority import niceness

pytestmark = pytest.mark.integration
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def settings(database_url: str) -> Settings:
    upgrade(make_engine(database_url))
    return pipeline_settings(database_url)


@pytest.fixture
def wakes() -> tuple[object, object]:
    return SPAWN.Event(), SPAWN.Event()


@pytest.fixture
def child(settings: Settings, wakes: tuple[object, object]) -> Iterator[ProcessorProcess]:
    process = ProcessorProcess(settings, *wakes)
    process.start()
    yield process
    process.stop()


def probes(stream: str, count: int) -> list[Record]:
    records = []
    for sequence in range(count):
        probe = PipelineProbe(probe_id=stream, stream=stream, sequence=sequence, sent_at=datetime.now(UTC))
        records.append(Record(topic=PROBES.name, value=encode(new_envelope(probe)), key=stream.encode()))
    return records


def receipts(settings: Settings, stream: str) -> list[int]:
    with Session(make_engine(settings.database_url)) as session:
        rows = session.exec(select(ProbeReceipt.sequence).where(ProbeReceipt.stream == stream)).all()
    return sorted(rows)


def counted(outcome: str) -> float:
    labels = {"type": "PipelineProbe", "outcome": outcome}
    return COUNTED.get_sample_value("weltoffen_events_total", labels) or 0.0


def test_a_batch_is_handled_once_in_the_child_and_counted_in_the_worker(
    settings: Settings, child: ProcessorProcess
) -> None:
    stream = uuid.uuid4().hex[:16]
    batch = probes(stream, 5)
    handled, duplicates = counted("handled"), counted("duplicate")

    assert child.process_batch(batch) == [Outcome.HANDLED] * 5
    assert child.process_batch(batch[:2]) == [Outcome.DUPLICATE] * 2  # redelivered: nothing twice

    assert receipts(settings, stream) == [0, 1, 2, 3, 4]
    assert counted("handled") - handled == 5 and counted("duplicate") - duplicates == 2
    assert child.pid is not None and child.pid != os.getpid()
    assert niceness(child.pid) == os.nice(0)  # as the worker


def test_a_killed_child_is_replaced_and_its_batch_tried_again_without_a_double(
    settings: Settings, child: ProcessorProcess
) -> None:
    stream = uuid.uuid4().hex[:16]
    first, second = probes(stream, 6)[:3], probes(stream, 6)[3:]
    assert child.process_batch(first) == [Outcome.HANDLED] * 3
    killed = child.pid
    assert killed is not None
    os.kill(killed, signal.SIGKILL)

    outcomes: list[Outcome] | None = None
    for _ in range(3):  # the agent's way: a batch that failed with the child is handed over again
        try:
            outcomes = child.process_batch(second + first)
            break
        except ProcessorGone:
            continue
    assert outcomes == [Outcome.HANDLED] * 3 + [Outcome.DUPLICATE] * 3
    assert child.pid not in (None, killed)
    assert receipts(settings, stream) == [0, 1, 2, 3, 4, 5]


def test_a_batch_that_planned_messages_wakes_the_workers_senders(
    settings: Settings, child: ProcessorProcess, wakes: tuple[object, object]
) -> None:
    [dialogue_id] = prepare(settings, registrations=3, capacity=2)
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxRecord)
            .where(OutboxRecord.topic == DIALOGUES.name, OutboxRecord.key == dialogue_id)
            .order_by(col(OutboxRecord.id))
        ).all()
    batch = [Record(topic=DIALOGUES.name, value=row.value, key=row.key.encode()) for row in rows]
    wake_urgent, wake_bulk = wakes

    assert child.process_batch(batch) == [Outcome.HANDLED] * 3

    assert wake_bulk.is_set()  # type: ignore[attr-defined]  (set before the child answered)
    assert not wake_urgent.is_set()  # type: ignore[attr-defined]
    with Session(engine) as session:
        decided = session.exec(
            select(Registration.status).where(Registration.dialogue_id == dialogue_id)
        ).all()
    assert sorted(decided) == ["confirmed", "confirmed", "waitlisted"]


def test_the_child_ends_when_its_worker_is_killed(settings: Settings, tmp_path: Path) -> None:
    starts = (
        "import multiprocessing\n"
        "from services.worker.processor_process import ProcessorProcess\n"
        "spawn = multiprocessing.get_context('spawn')\n"
        "child = ProcessorProcess(settings, spawn.Event(), spawn.Event())\n"
        "child.start()\n"
        "pids = [child.pid]"
    )
    children, running = left_running_after_kill(tmp_path, settings.database_url, starts)
    assert len(children) == 1 and running == []
