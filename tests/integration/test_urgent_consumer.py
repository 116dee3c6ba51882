"""The urgent topics' consumer process beside the worker, against a real broker on both databases:
it goes on where the worker group stopped on the urgent topics (what came before is not read
again), triages an emergency, wakes the urgent sender, is scheduled higher than the worker, and
its counts reach the worker's metrics; it ends on its own when the worker is killed."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from kafka.admin import OffsetSpec
from kafka.structs import TopicPartition
from sqlmodel import Session, select

from events import decode
from events.catalog import INCIDENTS_URGENT
from events.contracts import IncidentReported
from services.bootstrap import bootstrap
from services.incidents.intake import IncidentCreate, report_incident
from services.incidents.tables import Case
from services.metrics import COUNTED
from services.settings import Settings
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import OutboxRecord, Role
from services.topics import admin_client, apply_topics
from services.worker.urgent_consumer import UrgentConsumer, urgent_group
from tests.support.kafka import commit_offsets, held_offsets, produce_raw
from tests.support.operations import act
from tests.support.orphans import left_running_after_kill
from tests.support.people import person
from tests.support.pipeline import pipeline_settings
from tests.support.places import own_district
from tests.support.priority import expected_after_raising, niceness

pytestmark = pytest.mark.integration
SPAWN = multiprocessing.get_context("spawn")
T = TypeVar("T")


@pytest.fixture
def settings(database_url: str, kafka_bootstrap: str) -> Settings:
    upgrade(make_engine(database_url))
    settings = pipeline_settings(database_url, kafka_bootstrap, urgent_nice=-3)
    apply_topics(settings)
    return settings


def emergency_event(settings: Settings, region: str) -> tuple[str, bytes, bytes]:
    """An emergency reported through the operation (its case, and its event in the outbox)."""
    container = bootstrap(settings)
    report = IncidentCreate(
        kind="threat",  # type: ignore[arg-type]
        channel="in_person",
        occurred_at=datetime.now(UTC),
        municipality_ags=f"{region}000",
        targets=["self"],
        immediate_danger=True,
        narrative="A man with a knife waits in front of the mayor's house.",
    )
    secret = settings.secret_key.get_secret_value()
    case_id = act(container, lambda uow: report_incident(uow, report, None, container.cipher, secret)).case_id
    with Session(container.engine) as session:
        rows = session.exec(select(OutboxRecord).where(OutboxRecord.topic == INCIDENTS_URGENT.name)).all()
    [row] = [
        row
        for row in rows
        if isinstance(event := decode(row.value).event, IncidentReported) and event.case_id == case_id
    ]
    return case_id, row.key.encode(), row.value


def assignee(settings: Settings, case_id: str) -> str | None:
    with Session(make_engine(settings.database_url)) as session:
        case = session.get(Case, case_id)
        return case.assignee_id if case is not None else None


def eventually(probe: Callable[[], T], timeout_s: float = 90.0) -> T:
    deadline = time.monotonic() + timeout_s
    while not (value := probe()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


def test_the_consumer_goes_on_where_the_worker_stopped_and_triages_an_emergency(settings: Settings) -> None:
    container = bootstrap(settings)
    region = own_district(16)
    coordinator = person(container, Role.COORDINATOR, region=region, expertise="security")
    case_id, key, value = emergency_event(settings, region)
    topic = settings.topic(INCIDENTS_URGENT.name)
    # Before the handover point: bytes nobody can read. Read again, they would be dead-lettered,
    # before the emergency behind them on the same partition (same key) is handled.
    produce_raw(settings.kafka_bootstrap, topic, [(key, b"\xff not an event")])
    admin = admin_client(settings)
    try:
        partitions = {TopicPartition(topic, p): OffsetSpec.LATEST for p in range(INCIDENTS_URGENT.partitions)}
        ends = {tp: answer.offset for tp, answer in admin.list_partition_offsets(partitions).items()}
        commit_offsets(admin, settings.worker_group, ends)  # the worker read the urgent topic so far
        produce_raw(settings.kafka_bootstrap, topic, [(key, value)])

        wake_urgent, wake_bulk = SPAWN.Event(), SPAWN.Event()
        labels = {"type": "IncidentReported", "outcome": "handled"}
        handled = COUNTED.get_sample_value("weltoffen_events_total", labels) or 0.0
        consumer = UrgentConsumer(settings, wake_urgent, wake_bulk)
        consumer.start(ready_within_s=60)  # as the worker does, before its bulk topics
        try:
            group = admin.describe_groups([urgent_group(settings)])[urgent_group(settings)]
            assert group["group_state"] == "Stable" and len(group["members"]) == 1, group
            assert eventually(lambda: assignee(settings, case_id)) == coordinator.id
            assert consumer.pid is not None and consumer.pid != os.getpid()
            assert niceness(consumer.pid) == expected_after_raising(3)  # scheduled before the rest
            assert eventually(wake_urgent.is_set)
            assert eventually(
                lambda: (COUNTED.get_sample_value("weltoffen_events_total", labels) or 0.0) - handled == 1
            )
        finally:
            consumer.stop()
        assert not wake_bulk.is_set()

        with Session(make_engine(settings.database_url)) as session:
            dead = session.exec(
                select(OutboxRecord).where(OutboxRecord.topic == INCIDENTS_URGENT.dead_letter.name)
            ).all()
        assert dead == []  # what the worker group had read was not read again
        assert not any(tp.topic == topic for tp in held_offsets(admin, settings.worker_group))
        ours = held_offsets(admin, urgent_group(settings))
        assert all(ours[tp] >= end for tp, end in ends.items())
    finally:
        admin.close()


def test_a_consumer_that_died_is_started_again_and_triages_the_next_emergency(settings: Settings) -> None:
    container = bootstrap(settings)
    region = own_district(16)
    coordinator = person(container, Role.COORDINATOR, region=region, expertise="security")
    consumer = UrgentConsumer(settings, SPAWN.Event(), SPAWN.Event())
    consumer.start()
    try:
        first = consumer.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        case_id, key, value = emergency_event(settings, region)
        produce_raw(settings.kafka_bootstrap, settings.topic(INCIDENTS_URGENT.name), [(key, value)])
        assert eventually(lambda: assignee(settings, case_id)) == coordinator.id
        assert consumer.pid not in (None, first)
    finally:
        consumer.stop()


def test_the_consumer_ends_when_its_worker_is_killed(settings: Settings, tmp_path: Path) -> None:
    starts = (
        "import multiprocessing\n"
        "from services.worker.urgent_consumer import UrgentConsumer\n"
        f"settings = settings.model_copy(update={{'kafka_bootstrap': {settings.kafka_bootstrap!r},"
        f" 'topic_prefix': {settings.topic_prefix!r}, 'worker_group': {settings.worker_group!r}}})\n"
        "spawn = multiprocessing.get_context('spawn')\n"
        "child = UrgentConsumer(settings, spawn.Event(), spawn.Event())\n"
        "child.start()\n"
        "pids = [child.pid]"
    )
    children, running = left_running_after_kill(tmp_path, settings.database_url, starts, within_s=40)
    assert len(children) == 1 and running == []
