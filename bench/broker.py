"""A throw-away broker for a benchmark run, started with the project's own script."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "infra" / "kafka" / "broker.sh"


@contextmanager
def broker(bootstrap: str | None, port: int = 29092) -> Iterator[str]:
    """Use the given broker, or start one of our own on ``port`` and stop it afterwards."""
    if bootstrap:
        yield bootstrap
        return
    env = {**os.environ, "KAFKA_PORT": str(port), "KAFKA_CONTROLLER_PORT": str(port + 1)}
    with tempfile.TemporaryDirectory(prefix="weltoffen-bench-kafka-") as data:
        subprocess.run(["bash", str(SCRIPT), "start", data], env=env, check=True)
        try:
            yield f"127.0.0.1:{port}"
        finally:
            subprocess.run(["bash", str(SCRIPT), "stop", data], env=env, check=False)
