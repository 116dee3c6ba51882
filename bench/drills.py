"""Fault drills: poison, outages and crashes against the service as deployed. Nothing may be lost,
nothing may take effect twice.

    python -m bench.drills [--only poison,database_down,...] [--outage-s 20] [--rate 15]
                           [--processor-in-worker]

Runs on a PostgreSQL cluster and a Kafka broker of its own (started with infra/, stopped at the end),
with API, relay and worker as processes and an SMTP server in this process that counts every mail.
Prints one JSON line per drill with ``drill``, ``sent``, ``handled``, ``dead_lettered``, ``lost``,
``duplicated`` and what else the drill observed. The load is real registrations through the API:
handled = registrations accepted (2xx) that ended decided with their mail; duplicated = mails beyond
one per registrant. An answer 503 (with Retry-After) during an outage is not a loss: nothing was
accepted, and the client was told to try again. The worker's bulk Processor runs in a process of
its own, as deployed; ``--processor-in-worker`` runs the drills with it inside the worker instead.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from bench import common
from bench.common import progress
from bench.drill_stack import (
    Load,
    Mailbox,
    OwnBroker,
    OwnPostgres,
    Stack,
    dead_letters,
    outcome,
    produce_raw,
    scratch,
)
from bench.incidents import open_dialogues, report_emergency, seed
from events import encode, new_envelope
from events.catalog import INPUT_TOPICS
from events.contracts import PipelineProbe
from services.store import outbox
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.tables import OutboxRecord, ProbeReceipt

Line = dict[str, Any]


def poison_kinds(key: str) -> dict[str, bytes | None]:
    unknown = {
        "id": uuid.uuid4().hex,
        "type": "SeatsMagicallyDoubled",
        "version": 1,
        "occurred_at": "2026-11-29T21:00:00+00:00",
        "key": key,
        "payload": {},
    }
    wrong_version = json.loads(encode(probe(key, 0)))
    wrong_version["version"] = 7
    return {
        "invalid_bytes": b"\xff\xfe\x00 not an event",
        "unknown_type": json.dumps(unknown).encode(),
        "wrong_version": json.dumps(wrong_version).encode(),
        "empty": b"",
        "null_value": None,
        "oversized": b'{"padding":"' + b"x" * (2 * 1024 * 1024) + b'"}',
    }


def probe(key: str, sequence: int):  # type: ignore[no-untyped-def]
    return new_envelope(PipelineProbe(probe_id=key, stream=key, sequence=sequence, sent_at=datetime.now(UTC)))


def drill_poison(stack: Stack) -> Line:
    """Every kind of poison on every input topic, from an independent producer; after it on each
    topic a valid event without a message key and one with: both must be handled."""
    stack.start("relay")
    stack.start("worker")
    key = f"drill-{uuid.uuid4().hex[:8]}"
    expected_letters: dict[tuple[str, str], int] = {}
    markers: list[str] = []
    for spec in INPUT_TOPICS:
        kinds = poison_kinds(key)
        items: list[tuple[bytes | None, bytes | None]] = [(key.encode(), value) for value in kinds.values()]
        keyless, keyed = probe(key + spec.name, 1), probe(key + spec.name, 2)
        items += [(None, encode(keyless)), ((key + spec.name).encode(), encode(keyed))]
        markers += [keyless.event_id, keyed.event_id]
        produce_raw(stack.settings.kafka_bootstrap, stack.settings.topic(spec.name), items)
        expected_letters.update({(spec.name, kind): 1 for kind in kinds})
    sent = len(expected_letters) + len(markers)
    engine = make_engine(stack.settings.database_url)

    def observe() -> tuple[set[str], list[OutboxRecord]]:
        with Session(engine) as session:
            receipts = session.exec(
                select(ProbeReceipt.event_id).where(col(ProbeReceipt.event_id).in_(markers))
            )
            letters = session.exec(select(OutboxRecord).where(OutboxRecord.key == key)).all()
            return set(receipts), [row for row in letters if row.topic.endswith(".dlt")]

    deadline = time.monotonic() + 120
    received, letters = observe()
    while (
        len(received) < len(markers) or len(letters) < len(expected_letters)
    ) and time.monotonic() < deadline:
        stack.supervise()
        time.sleep(0.5)
        received, letters = observe()
    time.sleep(2)  # anything beyond the expected (a duplicate) would show now
    received, letters = observe()
    handled = len(received)
    per_source = {
        (dict(outbox.decode_headers(row))["source-topic"], dict(outbox.decode_headers(row))["source-offset"])
        for row in letters
    }
    published = sum(1 for row in letters if row.published_at is not None)
    engine.dispose()
    return {
        "drill": "poison",
        "sent": sent,
        "handled": handled,
        "dead_lettered": len(per_source),
        "lost": sent - handled - len(per_source),
        "duplicated": len(letters) - len(per_source),
        "topics": len(INPUT_TOPICS),
        "kinds": sorted(poison_kinds(key)),
        "handled_without_key": len(received & set(markers[::2])),  # valid events with no message key
        "letters_published": published,
        "worker_restarts": stack.restarts,
    }


def load_drill(
    name: str,
    stack: Stack,
    rate: float,
    seconds: float,
    fault: Callable[[], dict[str, Any]],
    fault_at_s: float = 5.0,
) -> Line:
    """Registrations for ``seconds``; the fault starts after ``fault_at_s``; then wait until every
    accepted registration is decided and mailed (or three minutes pass) and count."""
    for process in ("relay", "worker", "api"):
        stack.start(process)
    stack.wait_ready()
    dialogues = open_dialogues(stack.settings, "05315000", count=12, capacity=100_000)
    letters_before = dead_letters(stack.settings.database_url)
    load = Load(stack, dialogues, rate)
    thread = load.run(seconds)
    time.sleep(fault_at_s)
    observed = fault()
    thread.join()
    progress(f"{name}: {len(load.accepted)} accepted; waiting for every decision and mail")
    deadline = time.monotonic() + 180
    handled, duplicated = outcome(stack, load.accepted)
    while handled < len(load.accepted) and time.monotonic() < deadline:
        stack.supervise()
        time.sleep(1)
        handled, duplicated = outcome(stack, load.accepted)
    time.sleep(3)  # a duplicate mail would arrive now
    handled, duplicated = outcome(stack, load.accepted)
    dead = dead_letters(stack.settings.database_url) - letters_before
    return {
        "drill": name,
        "sent": len(load.accepted),
        "handled": handled,
        "dead_lettered": dead,
        "lost": len(load.accepted) - handled - dead,
        "duplicated": duplicated,
        "api_answers": {str(code): count for code, count in sorted(load.answers.items())},
        "api_500": sum(count for code, count in load.answers.items() if code >= 500 and code != 503),
        "api_503_without_retry_after": load.retry_after_missing,
        "process_restarts": stack.restarts,
        "replayed_by_reconciler": stack.replayed_by_reconciler(),
        **observed,
    }


def run(only: list[str], outage_s: float, rate: float, processor_process: bool = True) -> list[Line]:
    folder = scratch()
    postgres = OwnPostgres(folder, common.free_port())
    broker = OwnBroker(folder, common.free_port())
    mailbox = Mailbox()
    postgres.start()
    upgrade(make_engine(postgres.url))
    broker.start()
    mailbox.start()
    lines: list[Line] = []
    try:
        for name in only:
            stack = Stack(
                f"d{name[:4]}{uuid.uuid4().hex[:4]}",
                postgres.url,
                broker.bootstrap,
                mailbox,
                folder,
                processor_process,
            )
            progress(f"drill {name}")
            try:
                line = DRILLS[name](stack, Faults(postgres, broker, mailbox, outage_s, rate))
            finally:
                stack.close()
            print(json.dumps(line), flush=True)
            lines.append(line)
    finally:
        mailbox.stop()
        broker.stop()
        postgres.stop()
    return lines


@dataclass(frozen=True)
class Faults:
    """What a drill may break, and how long an outage lasts."""

    postgres: OwnPostgres
    broker: OwnBroker
    mailbox: Mailbox
    outage_s: float
    rate: float


def outage(
    stop: Callable[[], None], start: Callable[[], None], seconds: float
) -> Callable[[], dict[str, Any]]:
    """A fault: a dependency away for ``seconds``, then back."""

    def fault() -> dict[str, Any]:
        stop()
        time.sleep(seconds)
        start()
        return {"outage_s": seconds}

    return fault


def database_down(stack: Stack, f: Faults) -> Line:
    fault = outage(f.postgres.stop, f.postgres.start, f.outage_s)
    return load_drill("database_down", stack, f.rate, f.outage_s + 15, fault)


def smtp_down(stack: Stack, f: Faults) -> Line:
    fault = outage(f.mailbox.stop, f.mailbox.start, f.outage_s)
    return load_drill("smtp_down", stack, f.rate, f.outage_s + 10, fault)


def broker_killed(stack: Stack, f: Faults) -> Line:
    down_s = min(f.outage_s, 10)
    return load_drill(
        "broker_killed", stack, f.rate, down_s + 15, outage(f.broker.kill, f.broker.start, down_s)
    )


def worker_killed(stack: Stack, f: Faults) -> Line:
    """SIGKILL of the worker right after an emergency report; a new worker starts at once (as a
    supervisor would start one): the coordinator's mail must still arrive within 30 s."""
    official, password = seed(stack.settings, "05315000")

    def fault() -> dict[str, Any]:
        with stack.client() as client:
            token = client.post("/auth/token", json={"email": official, "password": password}).json()
            started = time.time()
            case_ref = report_emergency(client, token["access_token"], "05315000")
        stack.kill("worker")
        stack.start("worker")
        deadline = time.monotonic() + 90
        arrived = None
        while arrived is None and time.monotonic() < deadline:
            with f.mailbox.handler.lock:
                arrived = next((t for s, t in f.mailbox.handler.subjects.items() if case_ref in s), None)
            time.sleep(0.05)
        return {"urgent_mail_s": None if arrived is None else round(arrived - started, 1)}

    return load_drill("worker_killed", stack, f.rate, 25, fault)


def rebalance(stack: Stack, f: Faults) -> Line:
    """A second worker joins mid-stream; later the first leaves: partitions move twice."""

    def fault() -> dict[str, Any]:
        stack.start("worker2")
        time.sleep(10)
        stack.terminate("worker")
        return {"workers": "1 -> 2 -> 1"}

    return load_drill("rebalance", stack, f.rate, 25, fault)


DRILLS: dict[str, Callable[[Stack, Faults], Line]] = {
    "poison": lambda stack, _faults: drill_poison(stack),
    "database_down": database_down,
    "smtp_down": smtp_down,
    "broker_killed": broker_killed,
    "worker_killed": worker_killed,
    "rebalance": rebalance,
}


def main() -> None:
    arguments = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments.add_argument("--only", default=",".join(DRILLS), help="comma-separated drills")
    arguments.add_argument("--outage-s", type=float, default=20.0, help="how long an outage lasts")
    arguments.add_argument("--rate", type=float, default=15.0, help="registrations a second")
    arguments.add_argument(
        "--processor-in-worker",
        action="store_true",
        help="the worker's bulk Processor inside the worker, not in a process of its own",
    )
    args = arguments.parse_args()
    drills = [name.strip() for name in args.only.split(",") if name.strip()]
    run(drills, args.outage_s, args.rate, not args.processor_in_worker)


if __name__ == "__main__":
    main()
