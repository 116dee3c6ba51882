"""The README's run command: ``weltoffen serve`` starts on a fresh folder with nothing else installed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.pipeline import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.integration
def test_serve_runs_embedded_with_sqlite_in_a_fresh_folder(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELTOFFEN_")}
    env["PYTHONPATH"] = str(ROOT)
    env["WELTOFFEN_DATA_DIR"] = str(tmp_path / "var")
    server = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        ready = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready is not None, server.stdout.read().decode() if server.stdout else "no output"
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "broker": "embedded (no broker configured)"}
        assert (tmp_path / "var" / "weltoffen.db").exists()
        # a client cannot escape the rate limit by claiming other addresses: no proxy is trusted
        base = f"http://127.0.0.1:{port}"
        codes = [
            httpx.post(
                f"{base}/api/v1/auth/token",
                json={"email": f"x{n}@example.org", "password": "wrong"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            ).status_code
            for n in range(21)
        ]
        assert codes == [401] * 20 + [429]
        # secrets in links never reach the access log
        httpx.get(f"http://127.0.0.1:{port}/api/v1/registrations/r-1?token=LinkSecret123", timeout=5)
        httpx.get(f"http://127.0.0.1:{port}/api/v1/anonymous/cases/AB12-CD34", headers={"X-Case-Secret": "s"})
    finally:
        server.terminate()
        server.wait(timeout=20)
    output = server.stdout.read().decode() if server.stdout else ""
    assert "GET /api/v1/registrations/r-1?token=[redacted]" in output, output
    assert "GET /api/v1/anonymous/cases/[redacted]" in output, output
    assert "LinkSecret123" not in output and "AB12-CD34" not in output
