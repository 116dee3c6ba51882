"""The urgent lane under load: from POST /incidents (immediate danger) to the coordinator's mail
arriving at an SMTP server, and to the alert arriving on their phone in Matrix (a real Synapse,
started for the run), once on a quiet system and once while a burst of registrations flows through
the same broker.

    python -m bench.incidents [--reports 30] [--burst 5000] [--database-url URL] [--bootstrap HOST:PORT]

API, relay and worker run as their own processes (as deployed), against a real broker (started
with infra/kafka/broker.sh unless given); so do the SMTP server and the burst's writer, so that
neither shares an interpreter lock with the clocks that measure. Prints one JSON line:
p50/p99 quiet, p50/p99 during the burst, and the ratios burst/quiet, for the mail and (matrix_*) for
Matrix; and, from the database's timestamps, the median of each hop quiet and during the burst
and its p99 (``hops_*``: bench.urgent_hops).
"""

from __future__ import annotations

import json
import multiprocessing
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from bench import common
from bench.common import free_port, percentile, progress, service_env
from bench.dialogues import published_dialogues
from bench.mail_sink import MailSink
from bench.matrix import Homeserver, Phone, homeserver
from bench.urgent_hops import Report, hop_figures
from services.accounts.operations import AccountCreate, new_account
from services.bootstrap import bootstrap as bootstrap_process
from services.dialogues.registrations import RegistrationCreate, register
from services.incidents.tables import CoordinatorProfile
from services.notify.tables import NotificationPreference
from services.settings import Settings
from services.store.engine import make_engine
from services.store.migrate import upgrade
from services.store.uow import UnitOfWork, utc_now
from services.topics import apply_topics

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark password 1"


def seed(settings: Settings, ags: str, matrix_id: str | None = None) -> tuple[str, str]:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    official_email = f"official-{uuid.uuid4().hex[:6]}@example.org"
    with Session(engine) as session:
        for role, email in (
            ("official", official_email),
            ("coordinator", f"coord-{uuid.uuid4().hex[:6]}@example.org"),
        ):
            body = AccountCreate(email=email, display_name=role, role=role, password=PASSWORD, region=ags)
            account = new_account(body, utc_now())
            session.add(account)
            session.flush()
            if role == "coordinator":
                session.add(
                    CoordinatorProfile(account_id=account.id, expertise="security,legal", capacity=100000)
                )
            if role == "coordinator" and matrix_id is not None:
                session.add(  # confirmed before the run: the confirmation is not what is measured
                    NotificationPreference(
                        account_id=account.id,
                        channels="email,matrix",
                        matrix_id=matrix_id,
                        matrix_confirmed_at=utc_now(),
                        updated_at=utc_now(),
                    )
                )
        session.commit()
    engine.dispose()
    return official_email, PASSWORD


def open_dialogues(settings: Settings, ags: str, count: int = 20, capacity: int = 200) -> list[str]:
    """Published dialogues (200 seats each, by default) for a burst of registrations."""
    engine = make_engine(settings.database_url)
    ids = published_dialogues(engine, settings.secret_key.get_secret_value(), count, capacity, ags)
    engine.dispose()
    return ids


def burst(settings: Settings, dialogues: list[str], count: int, times: Any) -> None:
    """Real registrations (stored, then seats decided by the worker, then mails sent), each in a
    transaction of its own as the API stores them, as fast as they can be stored. Runs in a process
    of its own (as the API would be), so that it does not share an interpreter lock with the clocks
    of this benchmark; puts when it began and ended on ``times``."""
    bootstrap_process(settings)  # the keys of the encrypted columns
    engine = make_engine(settings.database_url)
    times.put(time.time())
    secret = settings.secret_key.get_secret_value()
    for number in range(count):
        with UnitOfWork(engine, secret=secret) as uow:
            register(
                uow,
                dialogues[number % len(dialogues)],
                RegistrationCreate(
                    name=f"Resident {number}",
                    email=f"r{number}-{uuid.uuid4().hex[:4]}@example.org",
                    privacy_consent="2026-1",
                ),
            )
            uow.commit()
    times.put(time.time())
    engine.dispose()


def report_emergency(client: httpx.Client, token: str, ags: str) -> str:
    """POST /incidents with immediate danger, as an official would; returns the case reference."""
    answer = client.post(
        "/incidents",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "kind": "threat",
            "channel": "in_person",
            "occurred_at": datetime.now(UTC).isoformat(),
            "municipality_ags": ags,
            "targets": ["self"],
            "immediate_danger": True,
            "narrative": "Benchmark: a person threatens the mayor in front of the town hall.",
        },
    )
    answer.raise_for_status()
    case_ref: str = answer.json()["case_ref"]
    return case_ref


def measure(
    client: httpx.Client,
    token: str,
    inbox: MailSink,
    phone: Phone,
    ags: str,
    reports: int,
    reported: list[Report],
) -> tuple[list[float], list[float]]:
    """Milliseconds from the report to the mail, and to the Matrix message; each report goes to
    ``reported``."""
    mails, messages = [], []
    for _ in range(reports):
        started = time.time()
        case_ref = report_emergency(client, token, ags)
        arrived = inbox.arrival(case_ref)
        reported.append(Report(case_ref, started, arrived))
        mails.append((arrived - started) * 1000)
        messages.append((phone.wait(case_ref) - started) * 1000)
        time.sleep(0.05)
    return mails, messages


def figures(prefix: str, quiet: list[float], loaded: list[float]) -> dict[str, float]:
    return {
        f"{prefix}quiet_p50_ms": round(statistics.median(quiet), 1),
        f"{prefix}quiet_p99_ms": round(percentile(quiet, 0.99), 1),
        f"{prefix}burst_p50_ms": round(statistics.median(loaded), 1),
        f"{prefix}burst_p99_ms": round(percentile(loaded, 0.99), 1),
        f"{prefix}ratio_p50": round(statistics.median(loaded) / statistics.median(quiet), 3),
        f"{prefix}ratio_p99": round(percentile(loaded, 0.99) / percentile(quiet, 0.99), 3),
    }


def wait_until_ready(client: httpx.Client, logs: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: the API did not become ready; see {logs}")
        time.sleep(0.2)


def run(
    reports: int, burst_size: int, database_url: str, bootstrap: str, server: Homeserver
) -> dict[str, object]:
    ags = "05315000"
    bot, phone = server.register(), Phone(server, server.register())
    inbox = MailSink(subjects=True).__enter__()
    api_port = free_port()
    settings = common.run_settings(
        "bi", database_url, bootstrap, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_starttls=False
    )
    apply_topics(settings)
    bootstrap_process(settings)  # this process writes encrypted columns too (the burst's registrations)
    email, password = seed(settings, ags, phone.user.user_id)
    dialogues = open_dialogues(settings, ags)
    env = service_env(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=str(inbox.port),
        smtp_starttls="false",
        matrix_homeserver=server.url,
        matrix_user_id=bot.user_id,
        matrix_access_token=bot.access_token,
    )
    logs = Path(tempfile.mkdtemp(prefix="weltoffen-bench-incidents-"))
    commands = {"relay": ["relay"], "worker": ["worker"], "api": ["api", "--port", str(api_port)]}
    processes = {
        name: common.start(args, env, (logs / f"{name}.log").open("wb")) for name, args in commands.items()
    }
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}/api/v1", timeout=30) as client:
            wait_until_ready(client, logs)
            token = client.post("/auth/token", json={"email": email, "password": password}).json()[
                "access_token"
            ]
            progress("warming up")
            measure(client, token, inbox, phone, ags, 3, [])
            progress(f"quiet: {reports} emergency reports")
            quiet_reports: list[Report] = []
            quiet, quiet_matrix = measure(client, token, inbox, phone, ags, reports, quiet_reports)
            progress(f"burst: {burst_size} registrations, and meanwhile {reports} emergency reports")
            context = multiprocessing.get_context("spawn")
            times = context.Queue()
            flow = context.Process(target=burst, args=(settings, dialogues, burst_size, times))
            flow.start()
            began = times.get(timeout=120)  # after the process's start-up: the burst itself
            burst_reports: list[Report] = []
            try:
                loaded, loaded_matrix = measure(client, token, inbox, phone, ags, reports, burst_reports)
                ended = times.get(timeout=3600)
            finally:
                flow.join(60)
            if flow.exitcode != 0:
                raise SystemExit(
                    f"bench: the burst failed (exit {flow.exitcode}), so nothing was measured under load"
                )
            stored = [began, ended]
            burst_figures = {
                "burst_stored_s": round(stored[1] - stored[0], 1),
                "reports_while_storing": sum(1 for report in burst_reports if report.made < stored[1]),
            }
    finally:
        for process in processes.values():
            common.stop(process)
        inbox.__exit__(None, None, None)
        phone.close()
    engine = make_engine(database_url)
    return {
        "benchmark": "incidents_urgent_lane",
        "reports": reports,
        "burst_events": burst_size,
        **burst_figures,
        "database": engine.dialect.name,
        **figures("", quiet, loaded),
        **figures("matrix_", quiet_matrix, loaded_matrix),
        **{
            f"hops_{half}_{figure}_ms": hops[figure]
            for half, hops in (
                ("quiet", hop_figures(engine, quiet_reports)),
                ("burst", hop_figures(engine, burst_reports)),
            )
            for figure in ("p50", "p99")
        },
    }


def main() -> None:
    arguments = common.parser(__doc__)
    arguments.add_argument("--reports", type=int, default=30)
    arguments.add_argument("--burst", type=int, default=5000)
    args = arguments.parse_args()
    with common.environment(args) as (url, bootstrap, _folder), homeserver() as server:
        print(json.dumps(run(args.reports, args.burst, url, bootstrap, server)), flush=True)


if __name__ == "__main__":
    main()
