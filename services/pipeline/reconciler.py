"""A safety net under the consumer's offsets: every event this service published on an input topic
is, after a grace period, handled by each of its handlers (an inbox row) or dead-lettered.

Kafka's committed offsets are only as good as the client's bookkeeping. A fault drill saw one event
of 186 skipped while partitions moved during a rebalance: committed past, never handled, no error
logged. The outbox knows every event that went out, and the inbox knows every event that was
handled, so the difference is exact. What is missing is handed to the same Processor an agent uses;
its inbox check makes a late duplicate harmless. Events from producers outside this service are not
in the outbox and not covered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from events import DecodeError, Envelope, decode
from events.catalog import DEAD_LETTER_SUFFIX, INPUT_TOPICS
from services.pipeline.handler_types import HandlerTable, handler_name
from services.pipeline.processing import Processor, Record
from services.store.tables import InboxRecord, OutboxRecord
from services.store.uow import Clock

log = logging.getLogger(__name__)
INPUT_NAMES = frozenset(spec.name for spec in INPUT_TOPICS)


class Reconciler:
    def __init__(
        self,
        engine: Engine,
        processor: Processor,
        handlers: HandlerTable,
        clock: Clock,
        grace: timedelta = timedelta(seconds=60),
        lookback: timedelta = timedelta(hours=1),
        batch_size: int = 500,
    ) -> None:
        self._engine = engine
        self._processor = processor
        self._handlers = handlers
        self._clock = clock
        self._grace = grace
        self._lookback = lookback
        self._batch_size = batch_size
        self._watermark: int | None = None  # every row up to here has been checked
        self.replayed_total = 0

    def run_once(self, max_batches: int = 20) -> int:
        """Check what was published longer than the grace period ago; returns how many events had
        to be handed to the Processor again."""
        replayed = 0
        for _ in range(max_batches):
            checked, missing = self._next_batch(self._clock() - self._grace)
            for record in missing:
                self._processor.process(record)
            replayed += len(missing)
            if checked < self._batch_size:
                break
        if replayed:
            self.replayed_total += replayed
            log.warning("reconciler: replayed %d published event(s) that no agent had handled", replayed)
        return replayed

    def _next_batch(self, cutoff: datetime) -> tuple[int, list[Record]]:
        with Session(self._engine) as session:
            if self._watermark is None:
                self._watermark = _first_row_since(session, self._clock() - self._lookback) - 1
            rows = session.exec(
                select(OutboxRecord)
                .where(col(OutboxRecord.id) > self._watermark)
                .order_by(col(OutboxRecord.id))
                .limit(self._batch_size)
            ).all()
            settled: list[OutboxRecord] = []
            for row in rows:
                if row.held_at is None and (row.published_at is None or row.published_at > cutoff):
                    break  # not out long enough yet: check it (and what follows) next time
                if row.held_at is None and row.topic in INPUT_NAMES:
                    settled.append(row)
                self._watermark = row.id
            return len(rows), self._unhandled(session, settled)

    def _unhandled(self, session: Session, rows: Sequence[OutboxRecord]) -> list[Record]:
        envelopes: list[tuple[OutboxRecord, Envelope]] = []
        for row in rows:
            try:
                envelopes.append((row, decode(row.value)))
            except DecodeError:
                continue  # raw bytes put on an input topic on purpose (a drill): not an event of ours
        handled = _handled(session, self._handlers, [envelope for _, envelope in envelopes])
        missing: list[Record] = []
        for row, envelope in envelopes:
            names = {handler_name(h) for h in self._handlers.for_event(type(envelope.event))}
            if names <= handled.get(envelope.event_id, set()):
                continue  # every handler applied it (or it has none)
            if _dead_lettered(session, row.topic, envelope.event_id):
                continue
            missing.append(Record(topic=row.topic, value=row.value, key=row.key.encode()))
        return missing


def _handled(session: Session, handlers: HandlerTable, envelopes: Sequence[Envelope]) -> dict[str, set[str]]:
    """Which handlers applied which of these events: one inbox query per handler for the batch."""
    by_handler: dict[str, list[str]] = {}
    for envelope in envelopes:
        for handler in handlers.for_event(type(envelope.event)):
            by_handler.setdefault(handler_name(handler), []).append(envelope.event_id)
    handled: dict[str, set[str]] = {}
    for name, event_ids in by_handler.items():
        query = select(InboxRecord.event_id).where(
            col(InboxRecord.handler) == name, col(InboxRecord.event_id).in_(event_ids)
        )
        for event_id in session.exec(query):
            handled.setdefault(event_id, set()).add(name)
    return handled


def _first_row_since(session: Session, since: datetime) -> int:
    first = session.scalar(select(func.min(OutboxRecord.id)).where(col(OutboxRecord.created_at) >= since))
    if first is not None:
        return int(first)
    last = session.scalar(select(func.max(OutboxRecord.id)))
    return int(last or 0) + 1


def _dead_lettered(session: Session, topic: str, event_id: str) -> bool:
    letter = session.exec(
        select(OutboxRecord.id).where(
            OutboxRecord.topic == topic + DEAD_LETTER_SUFFIX,
            col(OutboxRecord.headers).contains(f'["event-id", "{event_id}"]'),
        )
    ).first()
    return letter is not None
