"""What the benchmarks share: progress lines, percentiles, the bare-consumer baseline, a worker process."""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import IO, Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.broker import broker
from events.catalog import TopicSpec
from services.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def progress(message: str) -> None:
    """Progress goes to stderr; stdout carries only the one JSON line."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@asynccontextmanager
async def from_the_beginning(settings: Settings, spec: TopicSpec) -> AsyncIterator[AIOKafkaConsumer]:
    """A plain aiokafka consumer on every partition of the topic, at its first offset (no group)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(settings.topic(spec.name), p) for p in range(spec.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        yield consumer
    finally:
        await consumer.stop()


async def bare_consumer_rate(settings: Settings, spec: TopicSpec, expect: int) -> float:
    """Events per second for a plain aiokafka consumer reading the topic from the beginning: the
    baseline every pipeline figure is compared with, measured in the same run on the same broker."""
    async with from_the_beginning(settings, spec) as consumer:
        seen, started = 0, time.perf_counter()
        while seen < expect:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            seen += sum(len(records) for records in batch.values())
        return seen / (time.perf_counter() - started)


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a child process (worker, relay, API) running with these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELTOFFEN_")}
    values = {
        "database_url": settings.database_url,
        "kafka_bootstrap": settings.kafka_bootstrap,
        "topic_prefix": settings.topic_prefix,
        "worker_group": settings.worker_group,
        "data_dir": str(settings.data_dir),
        **extra,
    }
    env.update({f"WELTOFFEN_{k.upper()}": str(v) for k, v in values.items()})
    return env


def start(command: list[str], env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """``weltoffen <command>`` as its own process, as it is deployed."""
    return subprocess.Popen(
        [sys.executable, "-m", "services.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def start_profiled(
    command: list[str], env: dict[str, str], log: IO[bytes], output: Path
) -> subprocess.Popen[bytes]:
    """``weltoffen <command>`` under py-spy (50 samples a second, its child processes included),
    which writes the samples (collapsed stacks) to ``output`` when the command ends."""
    spy = [str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses", "--format", "raw"]
    return subprocess.Popen(
        [*spy, "--rate", "50", "--output", str(output), "--", sys.executable, "-m", "services.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_profiled(process: subprocess.Popen[bytes]) -> None:
    """The command under py-spy is stopped first, so py-spy writes its samples as it exits."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if children.exists():
        for pid in children.read_text().split():
            subprocess.run(["kill", "-TERM", pid], check=False)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=60)
    stop(process)


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait(timeout=60)


def parser(doc: str | None) -> argparse.ArgumentParser:
    """The arguments every benchmark takes: where the database and the broker are."""
    arguments = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--database-url", help="default: a fresh SQLite file")
    arguments.add_argument(
        "--bootstrap", help="a running broker; default: start one with infra/kafka/broker.sh"
    )
    return arguments


@contextmanager
def environment(args: argparse.Namespace) -> Iterator[tuple[str, str, Path]]:
    """(database URL, broker, scratch folder) for one run; what this opened it also closes."""
    with (
        tempfile.TemporaryDirectory(prefix="weltoffen-bench-") as folder,
        broker(args.bootstrap) as bootstrap,
    ):
        yield args.database_url or f"sqlite:///{folder}/bench.db", bootstrap, Path(folder)


def settled(process: subprocess.Popen[bytes], idle: float = 0.1, timeout_s: float = 60.0) -> None:
    """Wait until ``process`` and its children (a worker's Processors and senders, which start as
    processes of their own and import for seconds) use less than ``idle`` of a core: the state of a
    worker that was running before a rush began, as a deployed one is."""
    tick = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + timeout_s
    before = _tree_cpu_ticks(process.pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _tree_cpu_ticks(process.pid)
        if (now - before) / tick < idle * 0.5:
            return
        before = now
    raise SystemExit(f"bench: the worker (pid {process.pid}) did not become idle in {timeout_s:.0f}s")


def _tree_cpu_ticks(pid: int) -> int:
    """User and system CPU ticks of a process and all its descendants (Linux /proc)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # it ended in between
    return total


def run_settings(name: str, database_url: str, bootstrap: str, **extra: Any) -> Settings:
    """Settings of one run: its own topic prefix and consumer group, so runs never meet."""
    tag = f"{name}{uuid.uuid4().hex[:8]}"
    return Settings(
        database_url=database_url,
        kafka_bootstrap=bootstrap,
        topic_prefix=f"{tag}.",
        worker_group=tag,
        **extra,
    )


class MachineBusy:
    """The share of all this machine's cores busy (not idle, not waiting for I/O) while the block
    runs, from ``/proc/stat``: 1.0 means every core was busy throughout."""

    def __init__(self) -> None:
        self.busy = 0.0
        self._start = (0, 0)

    def __enter__(self) -> MachineBusy:
        self._start = _cpu_times()
        return self

    def __exit__(self, *_: object) -> None:
        total, idle = (now - then for now, then in zip(_cpu_times(), self._start, strict=True))
        self.busy = 1 - idle / total if total else 0.0


def _cpu_times() -> tuple[int, int]:
    """Jiffies of all cores since boot: (all, idle and waiting for I/O)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    return sum(values), values[3] + values[4]
