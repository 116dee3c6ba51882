"""A local SMTP server (aiosmtpd) in a process of its own that counts what arrives, so the server does
not share an interpreter lock with the benchmark or the worker it measures."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.sharedctypes import Synchronized
from types import TracebackType
from typing import Any

from bench.common import free_port


class _Counting:
    def __init__(self, count: Synchronized[int], last: Synchronized[float]) -> None:
        self._count, self._last = count, last

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._count.get_lock():
            self._count.value += 1
            self._last.value = time.time()
        return "250 OK"


def _serve(port: int, count: Synchronized[int], last: Synchronized[float], ready: Any) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_Counting(count, last), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


class MailSink:
    """``with MailSink() as sink``: ``sink.port`` takes mail; ``sink.count`` is how many arrived and
    ``sink.last`` (wall clock, seconds) when the last one did."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self._count: Synchronized[int] = context.Value("q", 0)
        self._last: Synchronized[float] = context.Value("d", 0.0)
        self._ready = context.Event()
        self._process = context.Process(
            target=_serve, args=(self.port, self._count, self._last, self._ready), daemon=True
        )

    def __enter__(self) -> MailSink:
        self._process.start()
        if not self._ready.wait(30):
            raise SystemExit("bench: the SMTP server did not start")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._process.terminate()
        self._process.join(10)

    @property
    def count(self) -> int:
        return int(self._count.value)

    @property
    def last(self) -> float:
        return float(self._last.value)

    def wait_for(self, count: int, timeout_s: float = 600) -> float:
        """Wait until ``count`` mails have arrived; when the last of them did (wall clock)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.count >= count:
                return self.last
            time.sleep(0.01)
        raise SystemExit(f"bench: only {self.count} of {count} mails arrived")
