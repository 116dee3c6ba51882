"""The senders of a worker in processes of their own: rendering and sending mail then never competes
with handling events for one interpreter lock. The urgent sender has a process to itself, so an
emergency's mail never waits for the interpreter lock behind bulk mail being built. The bulk senders
have ``bulk_sender_processes`` processes (each claims its own deliveries), which run at a lower
scheduling priority (``bulk_senders_nice``) and the urgent sender at a higher one (``urgent_nice``),
so on a busy machine the urgent lane and then the worker get the processor first. While the worker
is in a rush (it takes full batches), only the first bulk process sends: the others would take the
processor and the database from the decisions the mails are about, and start once the rush is over
(``rush``). The worker wakes them after a batch planned deliveries (two events shared with the
children); they also look on their own at their interval.

The child stops when told to, and on its own when the worker that started it is gone (killed, say):
what it had claimed is sent again by the next sender once the lease ends."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.context import SpawnProcess
from typing import Any

from services.lifeline import hold_on_to
from services.logs import configure_logging
from services.priority import reschedule
from services.settings import Settings
from services.timers import Timer, run_in_thread

log = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("spawn")  # a fresh interpreter, no inherited threads or sockets
RUSH_HOLD_S = 1.0  # how long after the worker's last full batch the further bulk senders wait


class SenderProcess:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.wake_urgent: Any = _CONTEXT.Event()
        self.wake_bulk: Any = _CONTEXT.Event()
        self._stop: Any = _CONTEXT.Event()
        self._rush_until: Any = _CONTEXT.Value("d", 0.0, lock=False)  # time.monotonic(), all processes
        self._processes: list[SpawnProcess] = []

    def start(self) -> None:
        """Start the senders' processes; started already, nothing happens."""
        if self._processes:
            return
        bulk = self._settings.bulk_sender_processes
        names = [(False, "weltoffen-bulk-senders" + (f"-{n}" if n else "")) for n in range(bulk)]
        for rank, (urgent, name) in enumerate([(True, "weltoffen-urgent-sender"), *names]):
            rush = self._rush_until if rank > 1 else None  # the urgent sender and the first bulk one send
            process = _CONTEXT.Process(
                target=_serve,
                args=(
                    self._settings,
                    urgent,
                    self.wake_urgent,
                    self.wake_bulk,
                    self._stop,
                    os.getpid(),
                    rush,
                ),
                name=name,
                daemon=True,
            )
            process.start()
            self._processes.append(process)
            log.info("%s started in process %s", name, process.pid)

    def rush(self) -> None:
        """The worker took a full batch: events come faster than it decides them. The further bulk
        senders hold back until ``RUSH_HOLD_S`` after the last such batch."""
        now = time.monotonic()
        if self._rush_until.value < now and len(self._processes) > 2:
            log.info("the worker is in a rush: the further bulk senders wait until it is over")
        self._rush_until.value = now + RUSH_HOLD_S

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
        """The children's process ids by name: the urgent sender's, the bulk senders' (the first is
        ``weltoffen-bulk-senders``, the others ``weltoffen-bulk-senders-1`` and on)."""
        return {str(p.name): p.pid for p in self._processes if p.pid is not None}

    @property
    def alive(self) -> bool:
        return bool(self._processes) and all(process.is_alive() for process in self._processes)


def after_rush(timer: Timer, rush_until: Any) -> Timer:
    """The timer, holding back while ``rush_until`` (a shared ``time.monotonic()``) lies ahead."""

    def run_after_rush(run: Callable[[], object] = timer.run) -> object:
        while (left := rush_until.value - time.monotonic()) > 0:
            time.sleep(min(left, RUSH_HOLD_S))
        return run()

    return replace(timer, run=run_after_rush)


def _serve(
    settings: Settings,
    urgent: bool,
    wake_urgent: Any,
    wake_bulk: Any,
    stop: Any,
    parent: int,
    rush_until: Any = None,
) -> None:
    from services.bootstrap import bootstrap

    # Logging first, so a refused priority is logged; the priority before any thread starts (a
    # thread keeps the niceness it started with).
    configure_logging(settings.log_format)
    if urgent:
        reschedule(settings.urgent_nice, "the urgent sender")
    else:
        reschedule(settings.bulk_senders_nice, "a bulk sender")
    # Also while bootstrapping, and should a send in hand not finish: the loop below sees a worker
    # gone only between its waits, and then waits for the batches in hand.
    hold_on_to(parent, "the urgent sender" if urgent else "a bulk sender", leave=stop.set)
    container = bootstrap(settings)
    container.wake_urgent, container.wake_bulk = wake_urgent, wake_bulk
    done = threading.Event()
    timers = container.sender_timers(urgent)
    if rush_until is not None:
        timers = [after_rush(timer, rush_until) for timer in timers]
    threads = [run_in_thread(timer, done) for timer in timers]
    while not stop.wait(1.0):
        if os.getppid() != parent:  # the worker is gone: nobody will wake or stop us
            break
    done.set()
    wake_urgent.set()
    wake_bulk.set()
    for thread in threads:
        thread.join(timeout=30)
