"""The worker stopped, or killed, while it still starts leaves no child behind.

It starts its senders and its urgent topics' consumer first and waits for the consumer to join its
group. Here the broker accepts connections and never answers (as one does that hangs while starting),
so the consumer is still in its start when the signal comes: Ctrl-C and SIGTERM stop the worker and
its children; after SIGKILL the children end by themselves."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.conftest import sqlite_url
from tests.support.pipeline import ROOT, pipeline_settings, settings_env

pytestmark = pytest.mark.integration
STARTED = b"the urgent topics' consumer started in process"


@pytest.fixture
def silent_broker() -> Iterator[str]:
    """An address that takes connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    closing = threading.Event()

    def take() -> None:
        while not closing.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=take, daemon=True).start()
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    closing.set()
    listener.close()
    for connection in held:
        connection.close()


@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_worker_stopped_while_it_starts_leaves_no_child(
    tmp_path: Path, silent_broker: str, stop_with: signal.Signals
) -> None:
    settings = pipeline_settings(sqlite_url(tmp_path), silent_broker, data_dir=tmp_path / "var")
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker"],
            cwd=ROOT,
            env=settings_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while STARTED not in log_path.read_bytes() and worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert STARTED in log_path.read_bytes(), log_path.read_text(errors="replace")[-3000:]
        time.sleep(1.0)  # the consumer is in its start: imports, its group's offsets
        children = psutil.Process(worker.pid).children(recursive=True)
        assert len(children) >= 3  # the resource tracker, the senders, the consumer
        worker.send_signal(stop_with)
        worker.wait(timeout=40)  # its own stop gives each kind of child 10 s
        _, alive = psutil.wait_procs(children, timeout=30)
        assert not alive, [child.cmdline()[-1][:80] for child in alive]
        assert b"the bulk topics start" not in log_path.read_bytes()  # it was stopped in its start
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
