"""The relay's urgent lane waiting for a commit on PostgreSQL (LISTEN/NOTIFY) instead of looking
every few milliseconds.

A transaction that writes rows of an urgent topic sends a notice on ``outbox.URGENT_SIGNAL`` as it
commits (``outbox.signal_urgent``). The lane keeps one connection of its own listening; when it
found nothing to publish it waits for such a notice, or at most a short while (a row written by
anything that does not signal is still found). A notice sent while the lane was busy waits on
the connection, so none is missed; nor is anything committed before the lane began to listen,
since the first wait after (re)connecting returns at once and the lane looks again.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, func, select

from services.store.outbox import URGENT_SIGNAL

log = logging.getLogger(__name__)


class CommitSignal:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Any = None  # SQLAlchemy's wrapper of a psycopg connection, listening

    def wait(self, longest_s: float) -> None:
        """Return when a transaction that signalled has committed, or after ``longest_s``. A
        broken connection is dropped and its error raised (the lane backs off, then listens anew)."""
        if self._connection is None:
            self._connection = self._listen()
            return
        try:
            for _notice in self._connection.driver_connection.notifies(timeout=longest_s, stop_after=1):
                pass
        except Exception:
            self.close()
            raise

    def wake(self) -> None:
        """Wake every listener now (a relay that stops wakes its own urgent lane so)."""
        with self._engine.begin() as connection:
            connection.execute(select(func.pg_notify(URGENT_SIGNAL, "")))

    def close(self) -> None:
        """Stop listening; the connection is discarded, not given back to the pool (it listens)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.invalidate()
            except Exception:  # already broken: nothing to give back
                log.debug("closing the urgent lane's listening connection failed", exc_info=True)

    def _listen(self) -> Any:
        connection = self._engine.raw_connection()
        try:
            driver: Any = connection.driver_connection
            driver.rollback()  # the pool's liveness check may have begun a transaction
            driver.autocommit = True
            driver.execute(f"LISTEN {URGENT_SIGNAL}")
        except Exception:
            connection.invalidate()
            raise
        return connection
