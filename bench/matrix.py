"""A throw-away Matrix homeserver for a benchmark run (infra/matrix/synapse.sh), users registered with
its shared secret, and a phone that notes when each message arrived (the client-server API over
HTTP, read in a thread of its own)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
_FILTER = json.dumps({"room": {"timeline": {"types": ["m.room.message"]}, "state": {"types": []}}})


@dataclass(frozen=True)
class MatrixUser:
    user_id: str
    access_token: str


@dataclass(frozen=True)
class Homeserver:
    url: str
    shared_secret: str

    def register(self, name: str | None = None) -> MatrixUser:
        """A new user, registered with the shared secret (open registration is off)."""
        username, password = name or f"u{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = httpx.get(endpoint, timeout=10).json()["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(f"{nonce}\0{username}\0{password}\0notadmin".encode())
        body = {"nonce": nonce, "username": username, "password": password, "admin": False}
        answer = httpx.post(endpoint, json={**body, "mac": mac.hexdigest()}, timeout=10)
        answer.raise_for_status()
        return MatrixUser(answer.json()["user_id"], answer.json()["access_token"])


@contextmanager
def homeserver() -> Iterator[Homeserver]:
    """Synapse on a free port for this run; stopped and removed afterwards."""
    from bench.common import free_port

    folder = tempfile.mkdtemp(prefix="weltoffen-bench-synapse-")
    env = {**os.environ, "MATRIX_PORT": str(free_port())}
    script = str(ROOT / "infra" / "matrix" / "synapse.sh")
    url = subprocess.run(
        ["bash", script, "start", folder], env=env, check=True, capture_output=True, text=True
    )
    try:
        yield Homeserver(url.stdout.strip(), (Path(folder) / "shared_secret").read_text().strip())
    finally:
        subprocess.run(["bash", script, "stop", folder], env=env, check=False, capture_output=True)
        subprocess.run(["rm", "-rf", folder], check=False)


class Phone:
    """Joins every room it is invited to and notes the arrival time of every text."""

    def __init__(self, server: Homeserver, user: MatrixUser) -> None:
        self.user = user
        self._client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {user.access_token}"}, timeout=30
        )
        self.arrivals: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="phone", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        since = None
        while not self._stop.is_set():
            params: dict[str, str | int] = {"timeout": 1000, "filter": _FILTER}
            if since:
                params["since"] = since
            answer = self._client.get("/_matrix/client/v3/sync", params=params).json()
            now = time.time()
            since = answer["next_batch"]
            rooms = answer.get("rooms", {})
            for room_id in rooms.get("invite", {}):
                self._client.post(f"/_matrix/client/v3/join/{room_id}", json={})
            for room in rooms.get("join", {}).values():
                for event in room.get("timeline", {}).get("events", []):
                    body = event.get("content", {}).get("body")
                    if isinstance(body, str):
                        with self._lock:
                            self.arrivals.setdefault(body, now)

    def wait(self, needle: str, timeout_s: float = 60) -> float:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                found = [t for body, t in self.arrivals.items() if needle in body]
            if found:
                return found[0]
            time.sleep(0.005)
        raise SystemExit(f"bench: no Matrix message about {needle} within {timeout_s:.0f}s")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._client.close()
