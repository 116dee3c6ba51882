"""The senders of a worker in processes of their own: rendering and sending mail then never competes
with handling events for one interpreter lock. The urgent sender has a process to itself, so an
emergency's mail never waits for the interpreter lock behind bulk mail being built; the bulk
senders' process runs at a lower scheduling priority (``bulk_senders_nice``), so on a busy machine
the worker and the urgent lane get the processor first. The worker wakes them after a batch planned
deliveries (two events shared with the children); they also look on their own at their interval.

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
        self._processes: list[SpawnProcess] = []

    def start(self) -> None:
        for urgent, name in ((True, "weltoffen-urgent-sender"), (False, "weltoffen-bulk-senders")):
            process = _CONTEXT.Process(
                target=_serve,
                args=(self._settings, urgent, self.wake_urgent, self.wake_bulk, self._stop, os.getpid()),
                name=name,
                daemon=True,
            )
            process.start()
            self._processes.append(process)
            log.info("%s started in process %s", name, process.pid)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Let the senders finish the batch in hand, then end the process."""
        self._stop.set()
        self.wake_urgent.set()
        self.wake_bulk.set()
        for process in self._processes:
            process.join(timeout_s)
            if process.is_alive():
                process.terminate()
        self._processes = []

    @property
    def pids(self) -> dict[str, int]:
        """The children's process ids by name (the urgent sender's, the bulk senders')."""
        return {str(p.name): p.pid for p in self._processes if p.pid is not None}

    @property
    def alive(self) -> bool:
        return bool(self._processes) and all(process.is_alive() for process in self._processes)


def _serve(
    settings: Settings, urgent: bool, wake_urgent: Any, wake_bulk: Any, stop: Any, parent: int
) -> None:
    from services.bootstrap import bootstrap

    if not urgent and settings.bulk_senders_nice:
        os.nice(settings.bulk_senders_nice)
    container = bootstrap(settings)
    container.wake_urgent, container.wake_bulk = wake_urgent, wake_bulk
    done = threading.Event()
    threads = [run_in_thread(timer, done) for timer in container.sender_timers(urgent)]
    while not stop.wait(1.0):
        if os.getppid() != parent:  # the worker is gone: nobody will wake or stop us
            break
    done.set()
    wake_urgent.set()
    wake_bulk.set()
    for thread in threads:
        thread.join(timeout=30)
