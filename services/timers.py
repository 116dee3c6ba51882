"""Periodic jobs (retries, due deliveries; later deadlines and reminders). They claim due rows from
the database, so running them in every worker process is safe."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timer:
    name: str
    interval_s: float
    run: Callable[[], object]
    # Told after every run: the timer's name and the exception's type if it failed (the system view).
    on_run: Callable[[str, str | None], object] | None = None

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
    """Embedded mode: a timer as a daemon thread until ``stop`` is set."""

    def loop() -> None:
        while not stop.wait(timer.interval_s):
            timer.run_safely()

    thread = threading.Thread(target=loop, name=f"timer-{timer.name}", daemon=True)
    thread.start()
    return thread
