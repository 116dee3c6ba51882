"""A local SMTP server (aiosmtpd) in a process of its own that counts what arrives, so the server does
not share an interpreter lock with the benchmark or the worker it measures. With ``subjects=True``
it also tells when each subject arrived (its headers only are parsed, in the server's process)."""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from multiprocessing.sharedctypes import Synchronized
from types import TracebackType
from typing import Any

from bench.common import free_port


class _Counting:
    def __init__(self, count: Synchronized[int], last: Synchronized[float], subjects: Any) -> None:
        self._count, self._last, self._subjects = count, last, subjects

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        with self._count.get_lock():
            self._count.value += 1
            self._last.value = now
        if self._subjects is not None:
            from email import policy
            from email.parser import BytesHeaderParser

            headers = BytesHeaderParser(policy=policy.default).parsebytes(envelope.content)
            self._subjects.put((str(headers["Subject"]), now))
        return "250 OK"


def _serve(port: int, count: Synchronized[int], last: Synchronized[float], subjects: Any, ready: Any) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_Counting(count, last, subjects), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


class MailSink:
    """``with MailSink() as sink``: ``sink.port`` takes mail; ``sink.count`` is how many arrived and
    ``sink.last`` (wall clock, seconds) when the last one did; with ``subjects=True``,
    ``sink.arrival(needle)`` waits for a mail whose subject contains ``needle`` and says when it came."""

    def __init__(self, subjects: bool = False) -> None:
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self._count: Synchronized[int] = context.Value("q", 0)
        self._last: Synchronized[float] = context.Value("d", 0.0)
        self._ready = context.Event()
        self._subjects = context.Queue() if subjects else None
        self._arrivals: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._process = context.Process(
            target=_serve,
            args=(self.port, self._count, self._last, self._subjects, self._ready),
            daemon=True,
        )

    def __enter__(self) -> MailSink:
        self._process.start()
        if not self._ready.wait(30):
            raise SystemExit("bench: the SMTP server did not start")
        if self._subjects is not None:
            threading.Thread(target=self._collect, name="mail-subjects", daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        self._process.terminate()
        self._process.join(10)

    def _collect(self) -> None:
        assert self._subjects is not None
        while not self._stop.is_set():
            try:
                subject, arrived = self._subjects.get(timeout=0.5)
            except queue.Empty:
                continue
            with self._lock:
                self._arrivals.append((subject, arrived))

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

    def arrival(self, needle: str, timeout_s: float = 60) -> float:
        """When (wall clock) the first mail whose subject contains ``needle`` arrived."""
        if self._subjects is None:
            raise RuntimeError("this sink was not asked to note subjects")
        deadline, seen = time.monotonic() + timeout_s, 0
        while time.monotonic() < deadline:
            with self._lock:
                fresh, seen = self._arrivals[seen:], len(self._arrivals)
            for subject, arrived in fresh:
                if needle in subject:
                    return arrived
            time.sleep(0.005)
        raise SystemExit(f"bench: no mail about {needle} within {timeout_s:.0f}s")
