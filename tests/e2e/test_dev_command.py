"""``weltoffen dev``: broker, relay, worker and API start together and stop together, on SIGTERM as
on Ctrl-C; a second one over the same ports refuses to start with one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.test_serve import free_port
from tests.support.pipeline import ROOT

pytestmark = pytest.mark.integration


def test_dev_stops_every_child_on_sigterm_and_refuses_taken_ports(tmp_path: Path) -> None:
    port, kafka_port = free_port(), free_port()
    while not _free(kafka_port + 1):
        kafka_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WELTOFFEN_", "KAFKA_", "PG_"))}
    env |= {"PYTHONPATH": str(ROOT), "WELTOFFEN_DATA_DIR": str(tmp_path / "var")}
    env["KAFKA_DATA_DIR"] = str(tmp_path / "kafka")
    args = [sys.executable, "-m", "services.cli", "dev", "--port", str(port), "--kafka-port", str(kafka_port)]
    dev = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            dev.kill()
            output = dev.stdout.read().decode(errors="replace") if dev.stdout else ""
            pytest.fail(f"weltoffen dev did not become ready:\n{output[-3000:]}")
        family = psutil.Process(dev.pid).children(recursive=True)
        assert len(family) >= 3  # relay, worker, API (and the broker)

        second = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        lines = (second.stdout + second.stderr).strip().splitlines()
        assert second.returncode == 2 and len(lines) == 1 and "already in use" in lines[0], lines

        dev.send_signal(signal.SIGTERM)
        dev.wait(timeout=90)
        _, alive = psutil.wait_procs(family, timeout=30)
        assert not alive, [p.cmdline() for p in alive]
        assert _free(port) and _free(kafka_port)
    finally:
        if dev.poll() is None:
            dev.kill()
        subprocess.run(
            ["bash", "infra/kafka/broker.sh", "stop", str(tmp_path / "kafka")], cwd=ROOT, check=False
        )


def _free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
