"""Seat allocation throughput: 10,000 registrations for a 500-seat dialogue through real Kafka, each
answered by mail at a real SMTP server.

    python -m bench.registrations [--registrations 10000] [--capacity 500] [--dialogues 1]
                                  [--workers 1] [--database-url URL] [--bootstrap HOST:PORT]
                                  [--profile FILE]

The registrations are stored first (as the API would); then the relay publishes them and the worker
(its own process) decides each seat, serialised per dialogue, and sends the confirmation or
waiting-list mails to an SMTP server (aiosmtpd, its own process). ``seconds`` runs from the relay's
start to the last decision, ``published_seconds`` to the relay's last publication of a registration,
``mailed_seconds`` to the last mail's arrival. The baseline is a bare
aiokafka consumer reading the same messages from the same broker in the same run. ``--profile`` runs
the worker under py-spy and writes its samples (collapsed stacks) to FILE. Prints one JSON line;
progress goes to stderr.

``--dialogues N`` spreads the registrations over N dialogues of ``--capacity`` seats each (one
dialogue's seats are decided in order, by one worker at a time). ``--workers 2`` runs the benchmark
twice, with one worker and then with two in one group, each time with fresh topics and
registrations, and prints the second run's figures (``workers_*``) and ``scale_out_ratio``. Two
workers can share the work only if the dialogues fall on several partitions: give a dozen or more.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bench import common
from bench.common import bare_consumer_rate, progress, service_env
from bench.dialogues import published_dialogues
from bench.mail_sink import MailSink
from events import decode
from events.catalog import DIALOGUES
from services.bootstrap import bootstrap
from services.dialogues.registrations import RegistrationCreate, register
from services.dialogues.tables import Registration
from services.notify.tables import DeliveryStatus, NotificationDelivery
from services.relay.relay import Relay
from services.settings import Settings
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import OutboxRecord
from services.store.uow import UnitOfWork
from services.topics import apply_topics

ROOT = Path(__file__).resolve().parent.parent


def prepare(settings: Settings, registrations: int, capacity: int, dialogues: int = 1) -> list[str]:
    """Published dialogues of ``capacity`` seats, and the registrations stored for them in turn (as
    the API would: not yet decided); the dialogues' ids."""
    engine = bootstrap(settings).engine  # the process's keys for the encrypted columns, too
    upgrade(engine)
    secret = settings.secret_key.get_secret_value()
    ids = published_dialogues(engine, secret, dialogues, capacity)
    started = time.perf_counter()
    for start in range(0, registrations, 200):
        with UnitOfWork(engine, secret=secret) as uow:
            for n in range(start, min(start + 200, registrations)):
                register(
                    uow,
                    ids[n % dialogues],
                    RegistrationCreate(
                        name=f"Resident {n}",
                        email=f"r{n}@example.org",
                        privacy_consent="2026-1",
                    ),
                )
            uow.commit()
    progress(f"{registrations} registrations stored in {time.perf_counter() - started:.1f}s")
    engine.dispose()
    return ids


def wait_until_decided(engine: Engine, dialogue_ids: list[str], registrations: int, data_dir: Path) -> None:
    deadline = time.monotonic() + max(300, registrations / 20)
    while True:
        with Session(engine) as session:
            undecided = session.exec(
                select(func.count())
                .select_from(Registration)
                .where(col(Registration.dialogue_id).in_(dialogue_ids), Registration.status == "requested")
            ).one()
        if not undecided:
            return
        if time.monotonic() > deadline:
            raise SystemExit(
                f"bench: {undecided} registrations still undecided; see {data_dir / 'worker.log'}"
            )
        progress(f"{registrations - undecided}/{registrations} decided")
        time.sleep(1)


def wait_until_mailed(
    engine: Engine, sink: MailSink, registrations: int, since: datetime, arrived_before: int
) -> int:
    """Wait until every registration's mail (and the organiser's alerts) planned ``since`` has
    arrived at the SMTP server (which had taken ``arrived_before`` mails of earlier runs); how many
    mails that was."""
    deadline = time.monotonic() + max(300, registrations / 10)
    while time.monotonic() < deadline:
        with Session(engine) as session:
            planned, unsent = (
                session.exec(
                    select(func.count())
                    .select_from(NotificationDelivery)
                    .where(
                        NotificationDelivery.channel == "email",
                        col(NotificationDelivery.next_attempt_at) >= since,
                        *where,
                    )
                ).one()
                for where in ((), (NotificationDelivery.status != DeliveryStatus.SENT,))
            )
        if planned >= registrations and not unsent and sink.count - arrived_before >= planned:
            return planned
        progress(f"{sink.count} mails arrived, {unsent} of {planned} planned still to send")
        time.sleep(1)
    raise SystemExit(f"bench: only {sink.count} mails arrived")


def start_worker(
    settings: Settings, sink: MailSink, log: Path, profile: Path | None = None
) -> subprocess.Popen[bytes]:
    env = service_env(settings, smtp_host="127.0.0.1", smtp_port=str(sink.port), smtp_starttls="false")
    if profile is None:
        return common.start(["worker"], env, log.open("wb"))
    return common.start_profiled(["worker"], env, log.open("wb"), profile)


def seated_in_arrival_order(
    engine: Engine, dialogue_ids: list[str], capacity: int
) -> tuple[list[Registration], bool]:
    """Every registration, and whether each dialogue's seats and waiting list follow the order of
    arrival on the topic."""
    rows: list[Registration] = []
    in_order = True
    for dialogue_id in dialogue_ids:
        its, right = _seated(engine, dialogue_id, capacity)
        rows.extend(its)
        in_order = in_order and right
    return rows, in_order


def _seated(engine: Engine, dialogue_id: str, capacity: int) -> tuple[list[Registration], bool]:
    with Session(engine) as session:
        rows = list(session.exec(select(Registration).where(Registration.dialogue_id == dialogue_id)).all())
        order: dict[str, int] = {}
        for record in session.exec(
            select(OutboxRecord)
            .where(OutboxRecord.topic == DIALOGUES.name, OutboxRecord.key == dialogue_id)
            .order_by(col(OutboxRecord.id))
        ).all():
            order.setdefault(decode(record.value).event.registration_id, len(order))  # type: ignore[attr-defined]
    confirmed = {r.id for r in rows if r.status == "confirmed"}
    waiting = sorted((r for r in rows if r.status == "waitlisted"), key=lambda r: r.waitlist_position or 0)
    by_arrival = sorted(rows, key=lambda r: order[r.id])
    in_order = (
        {r.id for r in by_arrival[:capacity]} == confirmed
        and [r.id for r in by_arrival[capacity:]] == [r.id for r in waiting]
        and [r.waitlist_position for r in waiting] == list(range(1, len(waiting) + 1))
    )
    return rows, in_order


def last_published(engine: Engine, dialogue_ids: list[str]) -> datetime:
    """When the relay published the last registration: the decisions cannot come sooner."""
    with Session(engine) as session:
        last = session.exec(
            select(func.max(OutboxRecord.published_at)).where(
                OutboxRecord.topic == DIALOGUES.name, col(OutboxRecord.key).in_(dialogue_ids)
            )
        ).one()
    assert last is not None
    return last if last.tzinfo else last.replace(tzinfo=UTC)


def run(
    registrations: int,
    capacity: int,
    database_url: str,
    bootstrap: str,
    data_dir: Path,
    sink: MailSink,
    profile: Path | None = None,
    dialogues: int = 1,
    workers: int = 1,
) -> dict[str, object]:
    settings = common.run_settings("br", database_url, bootstrap, data_dir=data_dir)
    apply_topics(settings)
    dialogue_ids = prepare(settings, registrations, capacity, dialogues)
    processes = [
        start_worker(settings, sink, data_dir / f"worker{n or ''}.log", profile if n == 0 else None)
        for n in range(workers)
    ]
    engine = make_engine(database_url)
    stop = threading.Event()
    relay = Relay(settings, engine)
    arrived_before = sink.count
    try:
        time.sleep(8 if profile else 5)  # let the workers join their group before the first event
        for worker in processes:
            common.settled(worker, idle=0.3 if profile else 0.1)  # and their children finish starting
        started = datetime.now(UTC)
        thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
        with common.MachineBusy() as machine:
            thread.start()
            wait_until_decided(engine, dialogue_ids, registrations, data_dir)
        mails = wait_until_mailed(engine, sink, registrations, started, arrived_before)
    finally:
        stop.set()
        for worker in processes:
            (common.stop_profiled if profile and worker is processes[0] else common.stop)(worker)
    rows, in_order = seated_in_arrival_order(engine, dialogue_ids, capacity)
    published = last_published(engine, dialogue_ids)
    last = max(r.decided_at for r in rows if r.decided_at is not None)
    seconds = (last - started).total_seconds()
    mailed_seconds = sink.last - started.timestamp()
    confirmed = [r for r in rows if r.status == "confirmed"]
    waiting = [r for r in rows if r.status == "waitlisted"]
    progress("baseline: a bare aiokafka consumer reads the same messages")
    baseline = asyncio.run(bare_consumer_rate(settings, DIALOGUES, registrations))
    rate = registrations / seconds
    return {
        "benchmark": "registrations",
        "registrations": registrations,
        "capacity": capacity,
        "dialogues": dialogues,
        "database": engine.dialect.name,
        "seconds": round(seconds, 3),
        "decisions_per_s": round(rate, 1),
        "published_seconds": round((published - started).total_seconds(), 3),
        # The share of both cores busy until the last decision (relay, broker, database, senders
        # and SMTP server included): near 1.0, the cores set the limit.
        "machine_busy": round(machine.busy, 3),
        "confirmed": len(confirmed),
        "waitlisted": len(waiting),
        "waitlist_in_order": in_order,
        "mails": mails,
        "mailed_seconds": round(mailed_seconds, 3),
        "mails_per_s": round(mails / mailed_seconds, 1),
        "baseline_events_per_s": round(baseline, 1),
        "ratio": round(rate / baseline, 4),
    }


def scaled_out(one: dict[str, object], many: dict[str, object], workers: int) -> dict[str, object]:
    """The run with one worker, and beside it the run with ``workers`` (``workers_*``)."""
    shown = (
        "decisions_per_s",
        "seconds",
        "machine_busy",
        "confirmed",
        "waitlisted",
        "waitlist_in_order",
        "mails_per_s",
    )
    return {
        **one,
        "workers": workers,
        **{f"workers_{name}": many[name] for name in shown},
        "scale_out_ratio": round(_rate(many) / _rate(one), 3),
    }


def _rate(result: dict[str, object]) -> float:
    rate = result["decisions_per_s"]
    assert isinstance(rate, float)
    return rate


def main() -> None:
    arguments = common.parser(__doc__)
    arguments.add_argument("--registrations", type=int, default=10000)
    arguments.add_argument("--capacity", type=int, default=500, help="seats of each dialogue")
    arguments.add_argument("--dialogues", type=int, default=1)
    arguments.add_argument("--workers", type=int, default=1, help="2: once with one worker, once with two")
    arguments.add_argument("--profile", type=Path, help="run the worker under py-spy; its samples go here")
    args = arguments.parse_args()
    with common.environment(args) as (url, bootstrap, folder), MailSink() as sink:
        result = run(
            args.registrations, args.capacity, url, bootstrap, folder, sink, args.profile, args.dialogues
        )
        if args.workers > 1:
            progress(f"again, with {args.workers} workers in one group")
            many = run(
                args.registrations,
                args.capacity,
                url,
                bootstrap,
                folder,
                sink,
                None,
                args.dialogues,
                args.workers,
            )
            result = scaled_out(result, many, args.workers)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
