"""Periodic jobs (retries, due deliveries; later deadlines and reminders). They claim due rows from
the database, so running them in every worker process is safe."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


class Wake(Protocol):
    """A ``threading.Event``, or a ``multiprocessing`` one shared with another process."""

    def set(self) -> None: ...
    def clear(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


@dataclass(frozen=True)
class Timer:
    name: str
    interval_s: float
    run: Callable[[], object]
    # Told after every run: the timer's name and the exception's type if it failed (the system view).
    on_run: Callable[[str, str | None], object] | None = None
    # Set it to run the timer now rather than at its next interval (a batch planned deliveries, say).
    # A timer with a wake event runs in a thread of its own, in the worker as in embedded mode.
    wake: Wake | None = None

    def run_safely(self) -> None:
        error = None
        try:
            self.run()
        except Exception as exc:  # a timer must survive a broken database or a bug in one run
            error = type(exc).__name__
            log.exception("timer %s failed; it runs again in %.1fs", self.name, self.interval_s)
        if self.on_run is not None:
            self.on_run(self.name, error)


def run_in_thread(timer: Timer, stop: threading.Event) -> threading.Thread:
    """A timer as a daemon thread until ``stop`` is set (then set its wake event, too, if it has
    one, so it notices at once)."""

    def loop() -> None:
        while True:
            if timer.wake is None:
                if stop.wait(timer.interval_s):
                    return
            else:
                timer.wake.wait(timer.interval_s)
                timer.wake.clear()
                if stop.is_set():
                    return
            timer.run_safely()

    thread = threading.Thread(target=loop, name=f"timer-{timer.name}", daemon=True)
    thread.start()
    return thread
