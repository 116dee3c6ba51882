"""What the fault drills run on: a PostgreSQL cluster and a Kafka broker of their own (so a drill may
stop or kill them), an SMTP server that counts every mail per recipient, the service as deployed
(API, relay, worker as processes) and a load of real registrations sent through the API."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from aiosmtpd.controller import Controller
from kafka import KafkaProducer
from sqlmodel import Session, col, func, select

from bench import common
from bench.common import ROOT, progress
from services.crypto import keyed_hash
from services.dialogues.tables import Registration
from services.store.engine import make_engine
from services.store.tables import OutboxRecord
from services.topics import apply_topics

POSTGRES = ROOT / "infra" / "postgres" / "postgres.sh"
BROKER = ROOT / "infra" / "kafka" / "broker.sh"
PASSWORD = "drill password 12345"


class OwnPostgres:
    """A throw-away cluster on a port of its own, stopped and started by the drills."""

    def __init__(self, folder: Path, port: int) -> None:
        self.env = {**os.environ, "PG_PORT": str(port), "PG_DATA": str(folder / "pg")}
        self.url = ""

    def start(self) -> None:
        run = subprocess.run(["bash", str(POSTGRES), "start"], env=self.env, check=True, capture_output=True)
        self.url = run.stdout.decode().strip().splitlines()[-1]

    def stop(self) -> None:
        subprocess.run(["bash", str(POSTGRES), "stop"], env=self.env, check=False, capture_output=True)


class OwnBroker:
    """A broker of the drills' own: killed with SIGKILL, as a crash would."""

    def __init__(self, folder: Path, port: int) -> None:
        self.data = folder / "kafka"
        self.bootstrap = f"127.0.0.1:{port}"
        self.env = {**os.environ, "KAFKA_PORT": str(port), "KAFKA_CONTROLLER_PORT": str(port + 1)}

    def start(self) -> None:
        subprocess.run(["bash", str(BROKER), "start", str(self.data)], env=self.env, check=True)

    def kill(self) -> None:
        pid = int((self.data / "broker.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        (self.data / "broker.pid").unlink(missing_ok=True)

    def stop(self) -> None:
        subprocess.run(["bash", str(BROKER), "stop", str(self.data)], env=self.env, check=False)


@dataclass
class Counting:
    """The SMTP handler: every mail counted per recipient, with the time it arrived per subject."""

    per_recipient: Counter[str] = field(default_factory=Counter)
    subjects: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        subject = str(message_from_bytes(envelope.content, policy=policy.default)["Subject"])
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.per_recipient[recipient.lower()] += 1
            self.subjects.setdefault(subject, time.time())
        return "250 OK"


class Mailbox:
    def __init__(self) -> None:
        self.handler = Counting()
        self.port = common.free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


class Stack:
    """One drill's service: its own topics and consumer group; API, relay and worker processes."""

    def __init__(
        self,
        name: str,
        database_url: str,
        bootstrap: str,
        mailbox: Mailbox,
        logs: Path,
        processor_process: bool = True,
    ) -> None:
        self.name = name
        self.mailbox = mailbox
        self.settings = common.run_settings(name, database_url, bootstrap)
        self.env = common.service_env(
            self.settings,
            smtp_host="127.0.0.1",
            smtp_port=str(mailbox.port),
            smtp_starttls="false",
            registrations_per_minute="0",
            sign_in_per_minute="0",
            notification_outage_retry_s="1",
            worker_processor_process=str(processor_process).lower(),
        )
        self.api_port = common.free_port()
        self.logs = logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts = 0
        self._files: list[IO[bytes]] = []
        apply_topics(self.settings)

    def start(self, name: str) -> None:
        command = {"api": ["api", "--port", str(self.api_port)]}.get(name, [name.rstrip("0123456789")])
        log = (self.logs / f"{self.name}-{name}.log").open("ab")
        self._files.append(log)
        self.processes[name] = common.start(command, self.env, log)

    def kill(self, name: str) -> None:
        self.processes.pop(name).send_signal(signal.SIGKILL)

    def terminate(self, name: str) -> None:
        common.stop(self.processes.pop(name))

    def supervise(self) -> None:
        """Restart what exited on its own, as a process supervisor would (and count it)."""
        for name, process in list(self.processes.items()):
            if process.poll() is not None:
                progress(f"{self.name}: {name} exited ({process.returncode}); restarting it")
                self.restarts += 1
                self.start(name)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=f"http://127.0.0.1:{self.api_port}/api/v1", timeout=30)

    def wait_ready(self, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        with self.client() as client:
            while time.monotonic() < deadline:
                try:
                    if client.get("/readyz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
        raise SystemExit(f"bench: the API of {self.name} did not become ready; see {self.logs}")

    def replayed_by_reconciler(self) -> int:
        """Events the workers' reconciler had to hand to the Processor again (from their logs)."""
        total = 0
        for log in self.logs.glob(f"{self.name}-worker*.log"):
            for line in log.read_text(errors="replace").splitlines():
                if "reconciler: replayed" in line:
                    total += int(line.split("reconciler: replayed", 1)[1].split()[0])
        return total

    def close(self) -> None:
        for name in list(self.processes):
            common.stop(self.processes.pop(name))
        for log in self._files:
            log.close()


@dataclass
class Load:
    """Registrations through the API at a steady rate, each with an address of its own."""

    stack: Stack
    dialogues: list[str]
    rate: float
    accepted: list[str] = field(default_factory=list)
    answers: Counter[int] = field(default_factory=Counter)
    retry_after_missing: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, seconds: float) -> threading.Thread:
        thread = threading.Thread(target=self._send, args=(seconds,), daemon=True)
        thread.start()
        return thread

    def _send(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        n = 0
        with self.stack.client() as client:
            while time.monotonic() < deadline and not self.stop.is_set():
                email = f"{self.stack.name}-{n}@example.org"
                try:
                    answer = client.post(
                        f"/dialogues/{self.dialogues[n % len(self.dialogues)]}/registrations",
                        json={"name": f"Resident {n}", "email": email, "privacy_consent": "2026-1"},
                    )
                    self.answers[answer.status_code] += 1
                    if answer.status_code in (200, 202):
                        self.accepted.append(email)
                    elif answer.status_code == 503 and "Retry-After" not in answer.headers:
                        self.retry_after_missing += 1
                except httpx.TransportError:
                    self.answers[0] += 1  # the API process was away (a drill that restarts it)
                n += 1
                time.sleep(1 / self.rate)


def outcome(stack: Stack, accepted: list[str]) -> tuple[int, int]:
    """(decided and mailed once or more, mails beyond the first) for these registrants."""
    counts = stack.mailbox.handler.per_recipient
    with stack.mailbox.handler.lock:
        mailed = [email for email in accepted if counts[email] >= 1]
        duplicated = sum(max(0, counts[email] - 1) for email in accepted)
    if not mailed:
        return 0, duplicated
    engine = make_engine(stack.settings.database_url)
    secret = stack.settings.secret_key.get_secret_value()
    marks = [keyed_hash(secret, email) for email in mailed]  # addresses are stored encrypted
    try:
        with Session(engine) as session:
            decided = session.exec(
                select(func.count())
                .select_from(Registration)
                .where(col(Registration.email_hash).in_(marks), Registration.status == "confirmed")
            ).one()
    finally:
        engine.dispose()
    return int(decided), duplicated


def dead_letters(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            letters = col(OutboxRecord.topic).like("%.dlt")
            return int(session.exec(select(func.count()).select_from(OutboxRecord).where(letters)).one())
    except Exception:
        return -1
    finally:
        engine.dispose()


def produce_raw(bootstrap: str, topic: str, items: list[tuple[bytes | None, bytes | None]]) -> None:
    """Any bytes, none included, from an independent producer (gzip: a value over the broker's
    message limit still arrives compressed, as it can from any producer out there)."""
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", compression_type="gzip", max_request_size=8 * 1024 * 1024
    )
    try:
        for key, value in items:
            producer.send(topic, key=key, value=value).get(timeout=30)
    finally:
        producer.close()


def scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="weltoffen-drills-"))
    folder.chmod(0o755)  # PostgreSQL runs as its own user and must reach its data folder inside
    return folder
