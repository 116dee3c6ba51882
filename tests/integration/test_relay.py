"""The relay against a real broker: outages lose nothing and duplicate nothing; two relays at once
never publish a row twice and keep per-key order."""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from events import Envelope, decode, new_envelope
from events.catalog import INCIDENTS_URGENT, PROBES
from events.contracts import IncidentKind, IncidentReported, PipelineProbe
from services.bootstrap import Container, bootstrap
from services.relay.relay import Relay, kafka_producer
from services.settings import Settings
from services.store.outbox import URGENT_TOPIC_NAMES, claim_pending
from services.store.tables import OutboxRecord
from services.topics import apply_topics
from tests.support.kafka import read_topic
from tests.support.pipeline import ROOT, pipeline_settings

pytestmark = pytest.mark.integration
BROKER = ROOT / "infra" / "kafka" / "broker.sh"


class Broker:
    """A broker of this test's own, so stopping it does not disturb the rest of the suite."""

    def __init__(self, data: Path, port: int, controller_port: int) -> None:
        self.data, self.bootstrap = data, f"127.0.0.1:{port}"
        self.env = {**os.environ, "KAFKA_PORT": str(port), "KAFKA_CONTROLLER_PORT": str(controller_port)}

    def start(self) -> None:
        subprocess.run(["bash", str(BROKER), "start", str(self.data)], env=self.env, check=True)

    def stop(self) -> None:
        subprocess.run(["bash", str(BROKER), "stop", str(self.data)], env=self.env, check=True)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    broker = Broker(tmp_path / "kafka", port=19192, controller_port=19193)
    broker.start()
    yield broker
    broker.stop()


def probes(probe_id: str, count: int, keys: int) -> list:  # type: ignore[type-arg]
    return [
        new_envelope(
            PipelineProbe(
                probe_id=probe_id, stream=f"{probe_id}-{n % keys}", sequence=n, sent_at=datetime.now(UTC)
            )
        )
        for n in range(count)
    ]


def on_postgres(postgres_url: str, kafka_bootstrap: str, **overrides: Any) -> tuple[Settings, Container]:
    """Settings for the shared PostgreSQL database and broker, the topics made, a container."""
    settings = pipeline_settings(postgres_url, kafka_bootstrap, **overrides)
    apply_topics(settings)
    return settings, bootstrap(settings)


def emitted(container: Container, envelopes: list[Envelope]) -> list[Envelope]:
    """The envelopes, written to the outbox in one transaction."""
    with container.uow() as uow:
        for envelope in envelopes:
            uow.emit(envelope)
        uow.commit()
    return envelopes


def an_emergency(incident_id: str) -> Envelope:
    return new_envelope(
        IncidentReported(
            incident_id=incident_id,
            case_id=incident_id,
            municipality_ags="03241001",
            kind=IncidentKind.THREAT,
            immediate_danger=True,
            reported_at=datetime.now(UTC),
        )
    )


def pending(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.exec(
            select(func.count())
            .select_from(OutboxRecord)
            .where(col(OutboxRecord.published_at).is_(None), col(OutboxRecord.held_at).is_(None))
        ).one()


def test_broker_down_during_intake_then_every_event_is_published_exactly_once(
    own_broker: Broker, postgres_url: str
) -> None:
    settings = pipeline_settings(postgres_url, own_broker.bootstrap, relay_backoff_max_s=0.5)
    apply_topics(settings)
    container = bootstrap(settings)
    own_broker.stop()

    relay = Relay(settings, container.engine)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    probe_id = uuid.uuid4().hex[:10]
    written = probes(probe_id, count=60, keys=4)
    for start in range(0, 60, 20):  # intake keeps succeeding while the broker is away
        with container.uow() as uow:
            for envelope in written[start : start + 20]:
                uow.emit(envelope)
            uow.commit()
    time.sleep(2)  # let the relay fail a few times against the missing broker
    assert thread.is_alive() and relay.published_total == 0
    assert pending(container.engine) >= 60

    own_broker.start()
    deadline = time.monotonic() + 60
    while pending(container.engine) and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    thread.join(timeout=30)
    assert pending(container.engine) == 0

    messages = read_topic(own_broker.bootstrap, settings.topic(PROBES.name), expect=60)
    ids = [decode(m.value).event_id for m in messages]
    assert sorted(ids) == sorted(e.event_id for e in written)  # all of them, each exactly once
    for key in {e.key for e in written}:
        sequence = [decode(m.value).event.sequence for m in messages if m.key == key.encode()]  # type: ignore[attr-defined]
        assert sequence == sorted(sequence)


def test_two_relays_at_once_never_publish_a_row_twice(postgres_url: str, kafka_bootstrap: str) -> None:
    settings, container = on_postgres(postgres_url, kafka_bootstrap, relay_batch_size=50)
    probe_id = uuid.uuid4().hex[:10]
    connected = threading.Semaphore(0)

    def producer(settings: Any) -> Any:
        made = kafka_producer(settings)
        connected.release()
        return made

    relays = [Relay(settings, container.engine, producer_factory=producer) for _ in range(2)]
    stop = threading.Event()
    threads = [threading.Thread(target=r.run, args=(stop,), daemon=True) for r in relays]
    for thread in threads:
        thread.start()
    for _ in range(4):  # both relays' producers, of both lanes: the backlog finds both relays ready
        assert connected.acquire(timeout=30)
    written = emitted(container, probes(probe_id, count=1200, keys=40))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with Session(container.engine) as session:
            left = session.exec(
                select(func.count())
                .select_from(OutboxRecord)
                .where(col(OutboxRecord.published_at).is_(None), col(OutboxRecord.key).startswith(probe_id))
            ).one()
        if not left:
            break
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    assert all(r.published_total > 0 for r in relays), [r.published_total for r in relays]
    assert sum(r.published_total for r in relays) == 1200
    messages = read_topic(kafka_bootstrap, settings.topic(PROBES.name), expect=1200)
    envelopes = [decode(m.value) for m in messages]
    assert len({e.event_id for e in envelopes}) == len(envelopes) == 1200
    for key in {e.key for e in written}:
        sequence = [e.event.sequence for e in envelopes if e.key == key]  # type: ignore[attr-defined]
        assert sequence == sorted(sequence), key


def test_a_relay_amid_a_batch_leaves_the_other_shards_to_a_second_relay(
    postgres_url: str, kafka_bootstrap: str
) -> None:
    settings, container = on_postgres(postgres_url, kafka_bootstrap, relay_batch_size=50)
    emitted(container, probes(uuid.uuid4().hex[:10], count=400, keys=40))
    # a time of its own, far ahead, that no retention test deletes
    stamp = datetime(2900, 1, 1, tzinfo=UTC) + timedelta(microseconds=random.randrange(10**12))
    with Session(container.engine) as first:  # a relay between its claim and its commit
        busy = {row.shard for row in claim_pending(first, 50, excluding=URGENT_TOPIC_NAMES)}
        assert busy
        second = Relay(settings, container.engine, clock=lambda: stamp)
        try:
            assert second.publish_lane(urgent=False) == 50  # a whole batch, not nothing
        finally:
            second.close()
        first.rollback()
    with Session(container.engine) as session:
        shards = session.exec(select(OutboxRecord.shard).where(OutboxRecord.published_at == stamp)).all()
    assert len(shards) == 50
    assert not busy & set(shards)


def test_the_relay_publishes_the_urgent_lane_before_a_backlog(
    postgres_url: str, kafka_bootstrap: str
) -> None:
    settings, container = on_postgres(postgres_url, kafka_bootstrap, relay_batch_size=200)
    probe_id = uuid.uuid4().hex[:10]
    emergency = an_emergency(probe_id)
    with container.uow() as uow:
        for envelope in probes(probe_id, count=1000, keys=10):
            uow.emit(envelope)
        uow.emit(emergency)  # written last, behind the whole backlog
        uow.commit()
    relay = Relay(settings, container.engine)
    try:
        assert relay.publish_once() >= 1
        with Session(container.engine) as session:
            row = session.exec(select(OutboxRecord).where(OutboxRecord.event_id == emergency.event_id)).one()
            assert row.published_at is not None  # in the very first batch
            assert pending(container.engine) >= 1000 - 200
    finally:
        while relay.publish_once():
            pass
        relay.close()


def test_a_row_the_broker_can_never_take_is_held_and_the_rest_go_out(
    postgres_url: str, kafka_bootstrap: str
) -> None:
    """A 2 MB row once headed every batch and stopped the relay for every ordinary topic."""
    from services.store import outbox
    from services.store.uow import utc_now

    settings, container = on_postgres(postgres_url, kafka_bootstrap)
    probe_id = uuid.uuid4().hex[:12]
    with Session(container.engine) as session:
        big = outbox.add_raw(
            session,
            topic=PROBES.name,
            key=probe_id,
            value=b"x" * (2 * 1024 * 1024),
            headers=[],
            now=utc_now(),
        )
        session.commit()
        big_id = big.id
    after = probes(probe_id, 5, keys=1)
    with container.uow() as uow:
        for envelope in after:
            uow.emit(envelope)
        uow.commit()

    relay = Relay(settings, container.engine)
    try:
        while relay.publish_once():
            pass
    finally:
        relay.close()
    published = read_topic(kafka_bootstrap, settings.topic(PROBES.name), expect=5)
    assert [decode(m.value).event_id for m in published if m.key == f"{probe_id}-0".encode()] == [
        e.event_id for e in after
    ]
    with Session(container.engine) as session:
        [held] = [row for row in outbox.held(session) if row.id == big_id]
        assert held.published_at is None and "MessageSizeTooLargeError" in (held.held_reason or "")
        assert outbox.release(session, held.id or 0) is True  # an admin may let it try again
        session.commit()
        assert all(row.id != big_id for row in outbox.held(session))
    container.engine.dispose()


class HeldProducer:
    """The real producer, except that a flush of a batch with ordinary (not urgent) topics waits
    until released: a bulk batch the broker is slow to take."""

    def __init__(self, real: Any, held: threading.Event, release: threading.Event) -> None:
        self._real, self._held, self._release = real, held, release
        self._bulk_in_batch = False

    def send(self, topic: str, value: bytes | None, key: bytes, headers: list[tuple[str, bytes]]) -> Any:
        self._bulk_in_batch |= not topic.endswith(".urgent")  # the catalogue's urgent lane
        return self._real.send(topic, value=value, key=key, headers=headers)

    def flush(self, timeout: float | None = None) -> None:
        if self._bulk_in_batch:
            self._held.set()
            self._release.wait(60)
        self._bulk_in_batch = False
        self._real.flush(timeout=timeout)

    def close(self, timeout: float | None = None) -> None:
        self._real.close(timeout=timeout)


def test_an_emergency_goes_out_while_a_bulk_batch_is_still_being_sent(
    database_url: str, kafka_bootstrap: str
) -> None:
    settings = pipeline_settings(database_url, kafka_bootstrap, relay_batch_size=200)
    apply_topics(settings)
    container = bootstrap(settings)
    probe_id = uuid.uuid4().hex[:10]
    backlog = emitted(container, probes(probe_id, count=300, keys=10))
    held, release = threading.Event(), threading.Event()
    relay = Relay(
        settings, container.engine, producer_factory=lambda s: HeldProducer(kafka_producer(s), held, release)
    )
    stop = threading.Event()
    running = threading.Thread(target=relay.run, args=(stop,))
    running.start()
    try:
        assert held.wait(30), "the relay never sent the backlog"
        [emergency] = emitted(container, [an_emergency(probe_id)])  # while the bulk batch waits
        deadline = time.monotonic() + 30
        while published_at(container.engine, emergency.event_id) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert published_at(container.engine, emergency.event_id) is not None
        unsettled = [e for e in backlog if published_at(container.engine, e.event_id) is None]
        assert len(unsettled) == len(backlog)  # the bulk batch is still in the broker's hands
        release.set()
        deadline = time.monotonic() + 30
        while unsettled and time.monotonic() < deadline:
            time.sleep(0.05)
            unsettled = [e for e in unsettled if published_at(container.engine, e.event_id) is None]
        assert not unsettled  # and then the backlog goes out after all
    finally:
        release.set()
        stop.set()
        running.join(60)
    emergencies = read_topic(kafka_bootstrap, settings.topic(INCIDENTS_URGENT.name), expect=1)
    assert [decode(message.value).event_id for message in emergencies] == [emergency.event_id]


def test_on_postgresql_an_emergency_wakes_the_urgent_lane_as_it_commits(
    postgres_url: str, kafka_bootstrap: str
) -> None:
    # The lane looks on its own only every 30 s here: only the commit's notice can wake it in time.
    settings, container = on_postgres(postgres_url, kafka_bootstrap, relay_urgent_listen_s=30.0)
    relay = Relay(settings, container.engine)
    stop = threading.Event()
    running = threading.Thread(target=relay.run, args=(stop,))
    running.start()
    try:
        probe_id = uuid.uuid4().hex[:10]
        [first] = emitted(container, [an_emergency(probe_id)])
        assert until_published(container.engine, first.event_id, within_s=30)
        time.sleep(1.0)  # the lane has looked again, found nothing, and now waits
        [second] = emitted(container, [an_emergency(probe_id)])
        assert until_published(container.engine, second.event_id, within_s=10)
    finally:
        stop.set()
        started = time.monotonic()
        running.join(60)
    assert not running.is_alive() and time.monotonic() - started < 10  # woken to stop, too


def until_published(engine, event_id: str, within_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within_s
    while published_at(engine, event_id) is None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def published_at(engine, event_id: str) -> datetime | None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        row = session.exec(select(OutboxRecord).where(OutboxRecord.event_id == event_id)).one()
        return row.published_at
