"""The senders of a worker in a process of their own: rendering and sending mail then never competes
with handling events for one interpreter lock. The worker wakes them after a batch planned
deliveries (two events shared with the child); they also look on their own at their interval.

The child stops when told to, and on its own when the worker that started it is gone (killed, say):
what it had claimed is sent again by the next sender once the lease ends."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from multiprocessing.context import SpawnProcess
from typing import Any

from services.settings import Settings
from services.timers import run_in_thread

log = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("spawn")  # a fresh interpreter, no inherited threads or sockets


class SenderProcess:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.wake_urgent: Any = _CONTEXT.Event()
        self.wake_bulk: Any = _CONTEXT.Event()
        self._stop: Any = _CONTEXT.Event()
        self._process: SpawnProcess | None = None

    def start(self) -> None:
        self._process = _CONTEXT.Process(
            target=_serve,
            args=(self._settings, self.wake_urgent, self.wake_bulk, self._stop, os.getpid()),
            name="weltoffen-senders",
            daemon=True,
        )
        self._process.start()
        log.info("senders started in process %s", self._process.pid)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Let the senders finish the batch in hand, then end the process."""
        self._stop.set()
        self.wake_urgent.set()
        self.wake_bulk.set()
        if self._process is not None:
            self._process.join(timeout_s)
            if self._process.is_alive():
                self._process.terminate()
            self._process = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()


def _serve(settings: Settings, wake_urgent: Any, wake_bulk: Any, stop: Any, parent: int) -> None:
    from services.bootstrap import bootstrap

    container = bootstrap(settings)
    container.wake_urgent, container.wake_bulk = wake_urgent, wake_bulk
    done = threading.Event()
    threads = [run_in_thread(timer, done) for timer in container.sender_timers()]
    while not stop.wait(1.0):
        if os.getppid() != parent:  # the worker is gone: nobody will wake or stop us
            break
    done.set()
    wake_urgent.set()
    wake_bulk.set()
    for thread in threads:
        thread.join(timeout=30)
