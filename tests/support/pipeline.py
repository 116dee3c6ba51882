"""One interface over both transports, so the same contract tests run on embedded and on Kafka."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session, col, select

from events import Envelope
from events.catalog import TopicSpec
from services.bootstrap import Container, bootstrap
from services.relay.relay import Relay
from services.settings import Settings
from services.store import outbox
from services.store.tables import OutboxRecord, ProbeReceipt
from services.store.uow import utc_now
from tests.support.kafka import Message, produce_raw, read_topic

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]


def pipeline_settings(database_url: str, kafka_bootstrap: str = "", **overrides: object) -> Settings:
    tag = uuid.uuid4().hex[:8]
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "kafka_bootstrap": kafka_bootstrap,
        "topic_prefix": f"t{tag}.",
        "worker_group": f"worker-{tag}",
        "handler_max_attempts": 3,
        "handler_backoff_s": 0.01,
        "handler_backoff_max_s": 0.05,
        "worker_metrics_port": 0,  # a test that reads the worker's /metrics gives it a free port
        "relay_metrics_port": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as WELTOFFEN_* variables, for a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELTOFFEN_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue  # unset: the child takes the default, as this process did
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        env[f"WELTOFFEN_{name.upper()}"] = str(value)
    return env


class Pipeline:
    """Emit through the outbox, deliver (dispatcher or relay -> Kafka -> worker), observe the DB."""

    transport = "abstract"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.container: Container = bootstrap(settings)

    def emit(self, envelopes: Iterable[Envelope]) -> None:
        with self.container.uow() as uow:
            for envelope in envelopes:
                uow.emit(envelope)
            uow.commit()

    def inject_raw(self, spec: TopicSpec, key: bytes | None, value: bytes | None) -> None:
        raise NotImplementedError

    def deliver(self) -> None:
        raise NotImplementedError

    def dead_letters(self, spec: TopicSpec, expect: int) -> list[Message]:
        raise NotImplementedError

    def receipts(self, probe_id: str) -> list[ProbeReceipt]:
        with Session(self.container.engine) as session:
            query = (
                select(ProbeReceipt).where(ProbeReceipt.probe_id == probe_id).order_by(col(ProbeReceipt.id))
            )
            return list(session.exec(query).all())

    def outbox_rows(self, topic: str) -> int:
        with Session(self.container.engine) as session:
            return len(session.exec(select(OutboxRecord.id).where(OutboxRecord.topic == topic)).all())

    def wait_for(self, probe: Callable[[], T], done: Callable[[T], bool], timeout_s: float = 30.0) -> T:
        deadline = time.monotonic() + timeout_s
        while True:
            self.deliver()
            value = probe()
            if done(value) or time.monotonic() > deadline:
                return value
            time.sleep(0.1)

    def close(self) -> None:
        self.container.engine.dispose()


class EmbeddedPipeline(Pipeline):
    transport = "embedded"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.dispatcher = self.container.dispatcher()

    def inject_raw(self, spec: TopicSpec, key: bytes | None, value: bytes | None) -> None:
        assert value is not None, "the outbox has no tombstones: only a broker carries them"
        with Session(self.container.engine) as session:
            key_text = (key or b"").decode()
            outbox.add_raw(session, topic=spec.name, key=key_text, value=value, headers=[], now=utc_now())
            session.commit()

    def deliver(self) -> None:
        self.dispatcher.drain()

    def dead_letters(self, spec: TopicSpec, expect: int) -> list[Message]:
        self.deliver()
        with Session(self.container.engine) as session:
            rows = session.exec(
                select(OutboxRecord)
                .where(OutboxRecord.topic == spec.dead_letter.name)
                .order_by(col(OutboxRecord.id))
            ).all()
            return [
                Message(0, row.id or 0, row.key.encode(), row.value, dict(outbox.decode_headers(row)))
                for row in rows
            ]


class KafkaPipeline(Pipeline):
    """Relay in this process, worker as its own process — as in production."""

    transport = "kafka"

    def __init__(self, settings: Settings, log_dir: Path) -> None:
        super().__init__(settings)
        from services.topics import apply_topics

        apply_topics(settings)
        self.relay = Relay(settings, self.container.engine)
        self.log_path = log_dir / f"worker-{settings.worker_group}.log"
        self._log = self.log_path.open("wb")
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker"],
            cwd=ROOT,
            env=settings_env(settings),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def inject_raw(self, spec: TopicSpec, key: bytes | None, value: bytes | None) -> None:
        produce_raw(self.settings.kafka_bootstrap, self.settings.topic(spec.name), [(key, value)])

    def deliver(self) -> None:
        if self.worker.poll() is not None:
            raise RuntimeError(f"the worker exited ({self.worker.returncode}); see {self.log_path}")
        while self.relay.publish_once():
            pass

    def dead_letters(self, spec: TopicSpec, expect: int) -> list[Message]:
        # The worker stores dead letters in the outbox; the relay then publishes them.
        self.wait_for(lambda: self.outbox_rows(spec.dead_letter.name), lambda n: n >= expect)
        self.deliver()
        return read_topic(self.settings.kafka_bootstrap, self.settings.topic(spec.dead_letter.name), expect)

    def close(self) -> None:
        self.worker.terminate()
        try:
            self.worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.worker.kill()
        self._log.close()
        self.relay.close()
        super().close()
