"""Throughput and latency of the event backbone: real Kafka -> Faust worker -> database.

    python -m bench.pipeline --events 20000 [--database-url URL] [--bootstrap HOST:PORT]

Throughput: N pipeline probes wait on the probes topic; the worker (its own process, as deployed)
drains them — one receipt row per event, inbox row included — and ``seconds`` runs from its first
commit to its last, so neither the producer's speed nor the worker's start-up is measured. The
baseline is a bare aiokafka consumer reading the same N messages from the same broker in the same
run; ``ratio`` = events_per_s / baseline_events_per_s.

Latency: then, with the worker warm, ``--latency-events`` probes are produced at ``--rate`` per
second and p50/p99 are taken from produce to commit. Prints one JSON line; progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaProducer
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from bench import common
from bench.common import bare_consumer_rate, percentile, progress, service_env
from events import encode, new_envelope
from events.catalog import PROBES
from events.contracts import PipelineProbe
from services.settings import Settings
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import ProbeReceipt
from services.topics import apply_topics

ROOT = Path(__file__).resolve().parent.parent
KEYS = 60  # distinct partition keys (streams), spread over the topic's partitions


def produce(settings: Settings, probe_id: str, count: int, rate: float | None = None) -> None:
    """Produce probes, as fast as possible or paced at ``rate`` per second."""
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    topic = settings.topic(PROBES.name)
    started = time.perf_counter()
    for n in range(count):
        if rate:
            time.sleep(max(0.0, started + n / rate - time.perf_counter()))
        envelope = new_envelope(
            PipelineProbe(
                probe_id=probe_id, stream=f"{probe_id}-{n % KEYS}", sequence=n, sent_at=datetime.now(UTC)
            )
        )
        producer.send(topic, key=envelope.key.encode(), value=encode(envelope))
    producer.flush()
    producer.close()


def receipts(engine: Engine, probe_id: str) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(ProbeReceipt).where(ProbeReceipt.probe_id == probe_id)
        return session.exec(query).one()


def wait_for_receipts(engine: Engine, probe_id: str, count: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last_report = 0.0
    while (done := receipts(engine, probe_id)) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: only {done} of {count} events handled within {timeout_s:.0f}s")
        if time.monotonic() - last_report > 2:
            progress(f"{done}/{count} handled")
            last_report = time.monotonic()
        time.sleep(0.05)


def receipt_times(engine: Engine, probe_id: str) -> list[tuple[datetime, datetime]]:
    with Session(engine) as session:
        query = select(ProbeReceipt.sent_at, ProbeReceipt.received_at).where(
            col(ProbeReceipt.probe_id) == probe_id
        )
        return [(sent, received) for sent, received in session.exec(query).all()]


class Worker:
    """The worker as its own process, started and stopped by the benchmark."""

    def __init__(self, settings: Settings) -> None:
        self.env = service_env(settings)
        self.log = tempfile.NamedTemporaryFile(prefix="weltoffen-bench-worker-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = common.start(["worker"], self.env, self.log)

    def stop(self) -> None:
        common.stop(self.process)
        self.process = None


def run(
    events: int, database_url: str, bootstrap: str, latency_events: int, rate: float
) -> dict[str, object]:
    settings = common.run_settings("bench", database_url, bootstrap)
    tag = settings.worker_group
    engine = make_engine(database_url)
    upgrade(engine)
    apply_topics(settings)
    worker = Worker(settings)
    try:
        progress("starting the worker once, so its consumer group exists")
        worker.start()
        produce(settings, f"warm{tag}", 1)
        wait_for_receipts(engine, f"warm{tag}", 1, timeout_s=120)
        worker.stop()

        backlog = f"run{tag}"
        progress(f"producing a backlog of {events} events")
        produce(settings, backlog, events)
        progress("worker drains the backlog")
        worker.start()
        wait_for_receipts(engine, backlog, events, timeout_s=max(180, events / 50))
        received = sorted(received for _, received in receipt_times(engine, backlog))
        seconds = (received[-1] - received[0]).total_seconds()

        paced = f"lat{tag}"
        progress(f"latency: {latency_events} events at {rate:.0f}/s")
        produce(settings, paced, latency_events, rate=rate)
        wait_for_receipts(engine, paced, latency_events, timeout_s=120)
        latency_ms = [(r - s).total_seconds() * 1000 for s, r in receipt_times(engine, paced)]
    finally:
        worker.stop()
    progress("baseline: a bare aiokafka consumer reads the same messages")
    baseline = asyncio.run(bare_consumer_rate(settings, PROBES, events + 1))
    rate_handled = (events - 1) / seconds
    return {
        "benchmark": "pipeline",
        "events": events,
        "database": engine.dialect.name,
        "seconds": round(seconds, 3),
        "events_per_s": round(rate_handled, 1),
        "baseline_events_per_s": round(baseline, 1),
        "ratio": round(rate_handled / baseline, 4),
        "latency_events": latency_events,
        "latency_rate_per_s": rate,
        "p50_ms": round(statistics.median(latency_ms), 1),
        "p99_ms": round(percentile(latency_ms, 0.99), 1),
    }


def main() -> None:
    arguments = common.parser(__doc__)
    arguments.add_argument("--events", type=int, default=10000)
    arguments.add_argument("--latency-events", type=int, default=1000)
    arguments.add_argument("--rate", type=float, default=200.0, help="events per second in the latency phase")
    args = arguments.parse_args()
    with common.environment(args) as (url, bootstrap, _folder):
        print(json.dumps(run(args.events, url, bootstrap, args.latency_events, args.rate)), flush=True)


if __name__ == "__main__":
    main()
