"""Embedded mode: drain the outbox in write order straight into the handlers, no broker needed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from sqlalchemy import Engine
from sqlmodel import Session

from events.catalog import spec_named
from services.pipeline.processing import Processor, Record
from services.store import outbox
from services.store.uow import Clock, utc_now

log = logging.getLogger(__name__)


class EmbeddedDispatcher:
    """Reads unpublished outbox rows in id order (so per-key order holds), passes each through the
    same Processor a Faust agent uses, then marks it dispatched. Dead-letter rows are only marked:
    they stay in the outbox table for a person to inspect and replay."""

    def __init__(
        self,
        engine: Engine,
        processor: Processor,
        batch_size: int = 200,
        clock: Clock = utc_now,
        after_batch: Mapping[str, Callable[[], object]] | None = None,
    ):
        self._engine = engine
        self._processor = processor
        self._batch_size = batch_size
        self._clock = clock
        self._after_batch = after_batch or {}

    def drain_once(self) -> int:
        """Dispatch one batch; returns how many rows it took."""
        with Session(self._engine) as session:
            rows = outbox.claim_pending(session, self._batch_size)
            batch = [
                (row.id, Record(topic=row.topic, value=row.value, key=row.key.encode()))
                for row in rows
                if row.id is not None
            ]
        if not batch:
            return 0
        inputs = [record for _, record in batch if spec_named(record.topic).is_input]
        self._processor.process_batch(inputs)
        # Marked after the handlers committed: a crash in between re-dispatches, and the inbox
        # turns that into a no-op.
        with Session(self._engine) as session:
            outbox.mark_published(session, [row_id for row_id, _ in batch], self._clock())
            session.commit()
        for topic in dict.fromkeys(record.topic for record in inputs):
            if topic in self._after_batch:
                self._after_batch[topic]()
        return len(batch)

    def drain(self) -> int:
        """Dispatch until the outbox is empty, including events the handlers emitted meanwhile."""
        total = 0
        while taken := self.drain_once():
            total += taken
        return total

    def run(self, stop: threading.Event, idle_s: float = 0.05) -> None:
        while not stop.is_set():
            try:
                if not self.drain_once():
                    stop.wait(idle_s)
            except Exception:  # a broken database must not kill the thread; try again shortly
                log.exception("embedded dispatcher failed; retrying")
                stop.wait(1.0)
