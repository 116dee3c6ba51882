"""Each periodic job's last run, kept in the database for the admins' system view (and /metrics),
whichever process ran it. Written at most every ``every`` per job, at once after a failure; a
database that cannot take it is no reason to disturb the job."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from services.store.tables import TimerRun
from services.store.uow import Clock

log = logging.getLogger(__name__)


class TimerLog:
    def __init__(self, engine: Engine, clock: Clock, every: timedelta = timedelta(seconds=10)) -> None:
        self._engine, self._clock, self._every = engine, clock, every
        self._written: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def record(self, name: str, error: str | None) -> None:
        now = self._clock()
        with self._lock:
            last = self._written.get(name)
            if error is None and last is not None and now - last < self._every:
                return
            self._written[name] = now
        try:
            with Session(self._engine) as session:
                run = session.get(TimerRun, name) or TimerRun(name=name, last_run_at=now)
                run.last_run_at = now
                if error is None:
                    run.last_ok_at = now
                else:
                    run.last_error, run.last_error_at = error[:200], now
                session.add(run)
                session.commit()
        except Exception as exc:  # two processes racing on the first row, or no database
            log.warning("could not record the run of timer %s: %s", name, type(exc).__name__)
