"""Throughput and latency of the event backbone: real Kafka -> Faust worker -> database.

    python -m bench.pipeline --events 20000 [--workers 2] [--database-url URL] [--bootstrap HOST:PORT]
                             [--profile FILE]

Throughput: N pipeline probes wait on the probes topic (6 partitions); the worker (its own process,
as deployed) drains them — one receipt row per event, inbox row included — and ``seconds`` runs from
its first commit to its last, so neither the producer's speed nor the worker's start-up is measured.

Ceilings, measured on the same messages of the same broker in the same run:
``faust_ceiling_events_per_s``: a Faust agent (its own process) that takes the same batches and only
decodes (``faust_ratio`` = events_per_s / it); ``durable_ceiling_events_per_s``: aiokafka, decoding,
and the same two rows per event (receipt and inbox) written a batch at a time in one transaction;
``baseline_events_per_s``: a bare aiokafka read (``ratio`` = events_per_s / it).

Scale-out (``--workers 2``): with the workers already in their group, N more probes are produced
and drained once by one worker and once by two in one group (``scale_out_ratio``). The producer runs
in this process on the same cores while the workers drain; ``scale_out_ratio_after_producing``
compares the rates of what was left of each burst once it was done.

Latency: then, with one worker warm, ``--latency-events`` probes are produced at ``--rate`` per
second and p50/p99 are taken from produce to commit. Prints one JSON line; progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaProducer
from sqlalchemy import Engine, insert
from sqlmodel import Session, col, func, select

from bench import common
from bench.common import bare_consumer_rate, percentile, progress, service_env
from events import decode, encode, new_envelope
from events.catalog import PROBES
from events.contracts import PipelineProbe
from services.settings import Settings
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import InboxRecord, ProbeReceipt
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

    def __init__(self, settings: Settings, profile: Path | None = None) -> None:
        self.env = service_env(settings, worker_metrics_port=str(common.free_port()))
        self.profile = profile
        self.log = tempfile.NamedTemporaryFile(prefix="weltoffen-bench-worker-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self.profile is None:
            self.process = common.start(["worker"], self.env, self.log)
        else:
            self.process = common.start_profiled(["worker"], self.env, self.log, self.profile)

    def stop(self) -> None:
        if self.profile is not None and self.process is not None:
            common.stop_profiled(self.process)
        common.stop(self.process)
        self.process = None


def drain(engine: Engine, probe_id: str, count: int) -> float:
    """Events per second from the first receipt of ``probe_id`` to its last."""
    wait_for_receipts(engine, probe_id, count, timeout_s=max(180, count / 50))
    received = sorted(received for _, received in receipt_times(engine, probe_id))
    return (count - 1) / (received[-1] - received[0]).total_seconds()


def rate_after(engine: Engine, probe_id: str, moment: datetime, least: int) -> float | None:
    """Events per second of ``probe_id`` handled after ``moment`` (first to last); None if fewer
    than ``least`` were left by then, too few to tell a rate."""
    received = sorted(received for _, received in receipt_times(engine, probe_id) if received > moment)
    if len(received) < max(least, 2) or received[-1] == received[0]:
        return None
    return (len(received) - 1) / (received[-1] - received[0]).total_seconds()


def live_rate(
    settings: Settings, engine: Engine, workers: list[Worker], events: int, tag: str
) -> tuple[float, float, float | None]:
    """Workers already in their group (a probe went through each partition's worker), then a burst
    of ``events``: how fast they handle it, how busy the machine's cores were meanwhile, and how
    fast they handled what was left once the benchmark's producer was done (then they no longer
    share the cores with it)."""
    for worker in workers:
        worker.start()
    warm = f"join{len(workers)}{tag}"
    produce(settings, warm, KEYS)
    wait_for_receipts(engine, warm, KEYS, timeout_s=180)
    time.sleep(3)  # a rebalance that the last join started has settled
    burst = f"burst{len(workers)}{tag}"
    progress(f"{len(workers)} worker(s): a burst of {events} events")
    with common.MachineBusy() as machine:
        produce(settings, burst, events)
        produced = datetime.now(UTC)
        rate = drain(engine, burst, events)
    for worker in workers:
        worker.stop()
    return rate, machine.busy, rate_after(engine, burst, produced, least=events // 20)


def durable_ceiling(settings: Settings, engine: Engine, expect: int) -> float:
    """aiokafka + decode + the receipt and inbox rows of every event, a batch of 200 in one
    transaction (Core inserts, no ORM): what the database and the broker allow on this machine."""
    return asyncio.run(_durable(settings, engine, expect))


async def _durable(settings: Settings, engine: Engine, expect: int) -> float:
    async with common.from_the_beginning(settings, PROBES) as consumer:
        seen, timed, started = 0, 0, 0.0
        while seen < expect:
            batch = await consumer.getmany(timeout_ms=1000, max_records=200)
            messages = [m for records in batch.values() for m in records]
            if not messages:
                continue
            receipts, marks, now = [], [], datetime.now(UTC)
            for message in messages:
                envelope = decode(message.value)
                probe = envelope.event
                assert isinstance(probe, PipelineProbe)
                ceiling_id = f"{envelope.event_id}:ceiling"
                receipts.append(
                    {
                        "event_id": ceiling_id,
                        "probe_id": f"ceiling-{probe.probe_id}"[:64],
                        "stream": probe.stream,
                        "sequence": probe.sequence,
                        "sent_at": probe.sent_at,
                        "received_at": now,
                    }
                )
                marks.append(
                    {"handler": "bench.durable_ceiling", "event_id": ceiling_id, "processed_at": now}
                )
            with engine.begin() as connection:
                connection.execute(insert(ProbeReceipt), receipts)
                connection.execute(insert(InboxRecord), marks)
            if seen:
                timed += len(messages)
            else:
                started = time.perf_counter()  # as for the worker: from the first batch's commit
            seen += len(messages)
        return timed / (time.perf_counter() - started)


def faust_ceiling(settings: Settings, expect: int, log: Path) -> float:
    """A no-op Faust agent (bench.faust_noop, its own process, its own group) on the same topic."""
    command = [
        sys.executable,
        "-m",
        "bench.faust_noop",
        "--bootstrap",
        settings.kafka_bootstrap,
        "--topic",
        settings.topic(PROBES.name),
        "--group",
        f"{settings.worker_group}-noop",
        "--expect",
        str(expect),
        "--result",
        str(log.with_suffix(".json")),
        "--buffer",  # the worker's own setting, so the ceiling is Faust as the worker runs it
        str(settings.worker_stream_buffer),
    ]
    with log.open("wb") as output:
        done = subprocess.run(command, cwd=ROOT, stdout=output, stderr=output, timeout=600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: the no-op Faust agent failed; see {log}")
    return float(json.loads(log.with_suffix(".json").read_text())["events_per_s"])


def run(
    events: int,
    database_url: str,
    bootstrap: str,
    latency_events: int,
    rate: float,
    workers: int,
    profile: Path | None = None,
) -> dict[str, object]:
    settings = common.run_settings("bench", database_url, bootstrap)
    tag = settings.worker_group
    engine = make_engine(database_url)
    upgrade(engine)
    apply_topics(settings)
    worker = Worker(settings, profile)  # (the samples of its last start: backlog and latency)
    scale: dict[str, object] = {}
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
        rate_handled = drain(engine, backlog, events)

        paced = f"lat{tag}"
        progress(f"latency: {latency_events} events at {rate:.0f}/s")
        produce(settings, paced, latency_events, rate=rate)
        wait_for_receipts(engine, paced, latency_events, timeout_s=120)
        latency_ms = [(r - s).total_seconds() * 1000 for s, r in receipt_times(engine, paced)]
        worker.stop()
        produced = 1 + events + latency_events
        if workers > 1:
            one, one_busy, one_after = live_rate(settings, engine, [Worker(settings)], events, tag)
            many, many_busy, many_after = live_rate(
                settings, engine, [Worker(settings) for _ in range(workers)], events, tag
            )
            produced += 2 * (KEYS + events)
            scale = {
                "workers": workers,
                "one_worker_events_per_s": round(one, 1),
                "workers_events_per_s": round(many, 1),
                "scale_out_ratio": round(many / one, 3),
                # The share of the machine's cores busy during each burst (the benchmark's producer,
                # the broker and the database included): near 1.0, the cores set the limit, not
                # the number of workers.
                "one_worker_machine_busy": round(one_busy, 3),
                "workers_machine_busy": round(many_busy, 3),
                # What was left of the burst once the producer was done (None: too little was
                # left, at least a twentieth of it is needed): the workers without the load
                # generator on the same cores.
                "one_worker_after_producing_per_s": _rounded(one_after),
                "workers_after_producing_per_s": _rounded(many_after),
                "scale_out_ratio_after_producing": (
                    round(many_after / one_after, 3) if one_after and many_after else None
                ),
                "cores": os.cpu_count(),
            }
    finally:
        worker.stop()
    progress("ceiling: a no-op Faust agent decodes the same messages")
    faust = faust_ceiling(settings, produced, Path(worker.log.name).with_suffix(".noop.log"))
    progress("ceiling: aiokafka, decoding and the same rows written in batches")
    durable = durable_ceiling(settings, engine, produced)
    progress("baseline: a bare aiokafka consumer reads the same messages")
    baseline = asyncio.run(bare_consumer_rate(settings, PROBES, produced))
    return {
        "benchmark": "pipeline",
        "events": events,
        "database": engine.dialect.name,
        "events_per_s": round(rate_handled, 1),
        "faust_ceiling_events_per_s": round(faust, 1),
        "faust_ratio": round(rate_handled / faust, 3),
        "durable_ceiling_events_per_s": round(durable, 1),
        "baseline_events_per_s": round(baseline, 1),
        "ratio": round(rate_handled / baseline, 4),
        **scale,
        "latency_events": latency_events,
        "latency_rate_per_s": rate,
        "p50_ms": round(statistics.median(latency_ms), 1),
        "p99_ms": round(percentile(latency_ms, 0.99), 1),
    }


def _rounded(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def main() -> None:
    arguments = common.parser(__doc__)
    arguments.add_argument("--events", type=int, default=10000)
    arguments.add_argument("--latency-events", type=int, default=1000)
    arguments.add_argument("--rate", type=float, default=200.0, help="events per second in the latency phase")
    arguments.add_argument("--workers", type=int, default=1, help="2: also measure two workers in one group")
    arguments.add_argument("--profile", type=Path, help="run the worker under py-spy; its samples go here")
    args = arguments.parse_args()
    with common.environment(args) as (url, bootstrap, _folder):
        result = run(args.events, url, bootstrap, args.latency_events, args.rate, args.workers, args.profile)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
