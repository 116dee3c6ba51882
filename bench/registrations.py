"""Seat allocation throughput: 10,000 registrations for a 500-seat dialogue through real Kafka, each
answered by mail at a real SMTP server.

    python -m bench.registrations [--registrations 10000] [--capacity 500]
                                  [--database-url URL] [--bootstrap HOST:PORT] [--profile FILE]

The registrations are stored first (as the API would); then the relay publishes them and the worker
(its own process) decides each seat, serialised per dialogue, and sends the confirmation or
waiting-list mails to an SMTP server (aiosmtpd, its own process). ``seconds`` runs from the relay's
start to the last decision, ``published_seconds`` to the relay's last publication of a registration,
``mailed_seconds`` to the last mail's arrival. The baseline is a bare
aiokafka consumer reading the same messages from the same broker in the same run. ``--profile`` runs
the worker under py-spy and writes its samples (collapsed stacks) to FILE. Prints one JSON line;
progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bench import common
from bench.common import bare_consumer_rate, progress, service_env
from bench.mail_sink import MailSink
from events import decode
from events.catalog import DIALOGUES
from services.accounts.operations import AccountCreate, new_account
from services.bootstrap import bootstrap
from services.dialogues import organisers
from services.dialogues.organisers import DialogueCreate
from services.dialogues.registrations import RegistrationCreate, register
from services.dialogues.tables import Registration
from services.notify.tables import DeliveryStatus, NotificationDelivery
from services.relay.relay import Relay
from services.settings import Settings
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import OutboxRecord
from services.store.uow import UnitOfWork, utc_now
from services.topics import apply_topics

ROOT = Path(__file__).resolve().parent.parent


def prepare(settings: Settings, registrations: int, capacity: int) -> str:
    engine = bootstrap(settings).engine  # the process's keys for the encrypted columns, too
    upgrade(engine)
    secret = settings.secret_key.get_secret_value()
    with Session(engine) as session:
        body = AccountCreate(
            email=f"org-{uuid.uuid4().hex[:6]}@example.org",
            display_name="Org",
            role="organiser",
            password="benchmark password 1",
        )
        organiser = new_account(body, utc_now())
        session.add(organiser)
        session.commit()
        organiser_id = organiser.id
    now = utc_now()
    with UnitOfWork(engine, secret=secret) as uow:
        dialogue = organisers.create(
            uow,
            organiser_id,
            DialogueCreate(
                title="Benchmark dialogue",
                format="citizen_dialogue",
                municipality_ags="05315000",
                starts_at=now + timedelta(days=30),
                ends_at=now + timedelta(days=30, hours=2),
                venue="Town hall",
                capacity=capacity,
                registration_opens_at=now - timedelta(hours=1),
                registration_closes_at=now + timedelta(days=29),
            ),
        )
        organisers.publish(uow, dialogue)
        uow.commit()
        dialogue_id = dialogue.id
    started = time.perf_counter()
    for start in range(0, registrations, 200):
        with UnitOfWork(engine, secret=secret) as uow:
            for n in range(start, min(start + 200, registrations)):
                register(
                    uow,
                    dialogue_id,
                    RegistrationCreate(
                        name=f"Resident {n}",
                        email=f"r{n}@example.org",
                        privacy_consent="2026-1",
                    ),
                )
            uow.commit()
    progress(f"{registrations} registrations stored in {time.perf_counter() - started:.1f}s")
    engine.dispose()
    return dialogue_id


def wait_until_decided(engine: Engine, dialogue_id: str, registrations: int, data_dir: Path) -> None:
    deadline = time.monotonic() + max(300, registrations / 20)
    while True:
        with Session(engine) as session:
            undecided = session.exec(
                select(func.count())
                .select_from(Registration)
                .where(Registration.dialogue_id == dialogue_id, Registration.status == "requested")
            ).one()
        if not undecided:
            return
        if time.monotonic() > deadline:
            raise SystemExit(
                f"bench: {undecided} registrations still undecided; see {data_dir / 'worker.log'}"
            )
        progress(f"{registrations - undecided}/{registrations} decided")
        time.sleep(1)


def wait_until_mailed(engine: Engine, sink: MailSink, registrations: int) -> int:
    """Wait until every registration's mail (and the organiser's alerts) has arrived at the SMTP
    server; how many mails that was."""
    deadline = time.monotonic() + max(300, registrations / 10)
    while time.monotonic() < deadline:
        with Session(engine) as session:
            planned, unsent = (
                session.exec(
                    select(func.count())
                    .select_from(NotificationDelivery)
                    .where(NotificationDelivery.channel == "email", *where)
                ).one()
                for where in ((), (NotificationDelivery.status != DeliveryStatus.SENT,))
            )
        if planned >= registrations and not unsent and sink.count >= planned:
            return planned
        progress(f"{sink.count} mails arrived, {unsent} of {planned} planned still to send")
        time.sleep(1)
    raise SystemExit(f"bench: only {sink.count} mails arrived")


def start_worker(
    settings: Settings, sink: MailSink, log: Path, profile: Path | None
) -> subprocess.Popen[bytes]:
    env = service_env(settings, smtp_host="127.0.0.1", smtp_port=str(sink.port), smtp_starttls="false")
    if profile is None:
        return common.start(["worker"], env, log.open("wb"))
    return common.start_profiled(["worker"], env, log.open("wb"), profile)


def seated_in_arrival_order(
    engine: Engine, dialogue_id: str, capacity: int
) -> tuple[list[Registration], bool]:
    """Every registration, and whether seats and waiting list follow the order of arrival on the topic."""
    with Session(engine) as session:
        rows = list(session.exec(select(Registration).where(Registration.dialogue_id == dialogue_id)).all())
        order: dict[str, int] = {}
        for record in session.exec(
            select(OutboxRecord).where(OutboxRecord.topic == DIALOGUES.name).order_by(col(OutboxRecord.id))
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


def last_published(engine: Engine) -> datetime:
    """When the relay published the last registration: the decisions cannot come sooner."""
    with Session(engine) as session:
        last = session.exec(
            select(func.max(OutboxRecord.published_at)).where(OutboxRecord.topic == DIALOGUES.name)
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
) -> dict[str, object]:
    settings = common.run_settings("br", database_url, bootstrap, data_dir=data_dir)
    apply_topics(settings)
    dialogue_id = prepare(settings, registrations, capacity)
    worker = start_worker(settings, sink, data_dir / "worker.log", profile)
    engine = make_engine(database_url)
    stop = threading.Event()
    relay = Relay(settings, engine)
    try:
        time.sleep(8 if profile else 5)  # let the worker join its group before the first event arrives
        common.settled(worker, idle=0.3 if profile else 0.1)  # and its children finish starting
        started = datetime.now(UTC)
        thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
        thread.start()
        wait_until_decided(engine, dialogue_id, registrations, data_dir)
        mails = wait_until_mailed(engine, sink, registrations)
    finally:
        stop.set()
        (common.stop_profiled if profile else common.stop)(worker)
    rows, in_order = seated_in_arrival_order(engine, dialogue_id, capacity)
    published = last_published(engine)
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
        "database": engine.dialect.name,
        "seconds": round(seconds, 3),
        "decisions_per_s": round(rate, 1),
        "published_seconds": round((published - started).total_seconds(), 3),
        "confirmed": len(confirmed),
        "waitlisted": len(waiting),
        "waitlist_in_order": in_order,
        "mails": mails,
        "mailed_seconds": round(mailed_seconds, 3),
        "mails_per_s": round(mails / mailed_seconds, 1),
        "baseline_events_per_s": round(baseline, 1),
        "ratio": round(rate / baseline, 4),
    }


def main() -> None:
    arguments = common.parser(__doc__)
    arguments.add_argument("--registrations", type=int, default=10000)
    arguments.add_argument("--capacity", type=int, default=500)
    arguments.add_argument("--profile", type=Path, help="run the worker under py-spy; its samples go here")
    args = arguments.parse_args()
    with common.environment(args) as (url, bootstrap, folder), MailSink() as sink:
        result = run(args.registrations, args.capacity, url, bootstrap, folder, sink, args.profile)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
