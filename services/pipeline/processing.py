"""The one wrapper every consumer uses (Faust agents and the embedded dispatcher alike).

decode -> inbox check -> handlers inside one DB transaction (their outbox rows included) -> commit.
An exception never escapes: a failing event is retried with backoff, then dead-lettered with its
error and original bytes, and processing moves on (DESIGN invariants 2 and 4). An outage of the
database is not the event's fault: the Processor waits for the database, as long as it takes, and
counts only the failures that happen while the database answers (invariant 8).
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from events import DecodeError, Envelope, decode
from events.catalog import DEAD_LETTER_SUFFIX, DEAD_LETTER_VALUE_LIMIT
from services.logs import about
from services.metrics import EVENTS
from services.pipeline.handler_types import HandlerTable, handler_name, prefetch_of
from services.store import outbox
from services.store.outage import is_database_outage
from services.store.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)
UNDECODABLE = "undecodable"  # the metrics' event type of bytes that are no event


@dataclass(frozen=True, slots=True)
class Record:
    """One message as received, before decoding."""

    topic: str  # catalogue name, without the deployment prefix
    value: bytes | None  # None: a tombstone (a key without a value)
    key: bytes | None = None
    partition: int | None = None
    offset: int | None = None


class Outcome(StrEnum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"  # every handler had already applied it
    NO_HANDLER = "no_handler"  # nothing in this process handles the type (yet)
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_s: float = 0.2
    backoff_max_s: float = 10.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so many workers do not retry in lockstep."""
        ceiling = min(self.backoff_max_s, self.backoff_s * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


class Processor:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        handlers: HandlerTable,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
        database_reachable: Callable[[], bool] = lambda: True,
        follow_ups: Mapping[str, Callable[[], object]] | None = None,
    ) -> None:
        self._uow = uow_factory
        self._follow_ups = follow_ups or {}
        self._handlers = handlers
        self._policy = policy
        self._sleep = sleep
        self._database_reachable = database_reachable

    def process_batch(self, records: Sequence[Record]) -> list[Outcome]:
        """Fast path: the whole batch in one transaction. If any handler fails, fall back to one
        record at a time so the failure is retried and dead-lettered alone."""
        if len(records) > 1:
            try:
                return self._batch_in_one_transaction(records)
            except Exception:
                log.info("batch of %d failed; processing its records one by one", len(records))
        return [self.process(record) for record in records]

    def process(self, record: Record) -> Outcome:
        try:
            envelope = _decode(record)
        except DecodeError as exc:
            return self._dead_letter(record, f"DecodeError: {exc}", attempts=0)
        with about(envelope.event_id, envelope.correlation_id):
            return self._process(record, envelope)

    def _process(self, record: Record, envelope: Envelope) -> Outcome:
        kind = envelope.type_name
        attempt = 0
        while True:
            attempt += 1
            try:
                with self._uow() as uow:
                    [outcome] = self._apply(uow, [envelope])
                    uow.commit()
                self._follow_up(uow.follow_ups)
                EVENTS.labels(kind, outcome.value).inc()
                return outcome
            except Exception as exc:  # never let one event stop the stream
                if self._outage(exc):
                    attempt -= 1  # not the event's fault: it does not count
                    continue
                EVENTS.labels(kind, "failed").inc()
                if attempt >= self._policy.max_attempts:
                    return self._dead_letter(record, _describe(exc), attempt, envelope.event_id, kind)
                delay = self._policy.delay(attempt)
                log.warning(
                    "%s %s failed (attempt %d/%d), retrying in %.2fs: %s",
                    envelope.type_name,
                    envelope.event_id,
                    attempt,
                    self._policy.max_attempts,
                    delay,
                    _describe(exc),
                )
                self._sleep(delay)

    def _batch_in_one_transaction(self, records: Sequence[Record]) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        envelopes: list[tuple[int, Envelope]] = []
        with self._uow() as uow:
            for index, record in enumerate(records):
                try:
                    envelopes.append((index, _decode(record)))
                except DecodeError as exc:
                    self._write_dead_letter(uow, record, f"DecodeError: {exc}", attempts=0)
                    outcomes[index] = Outcome.DEAD_LETTERED
            applied = self._apply(uow, [envelope for _, envelope in envelopes])
            outcomes.update(zip((index for index, _ in envelopes), applied, strict=True))
            uow.commit()
        self._follow_up(uow.follow_ups)
        kinds = {index: envelope.type_name for index, envelope in envelopes}
        for index, outcome in outcomes.items():
            EVENTS.labels(kinds.get(index, UNDECODABLE), outcome.value).inc()
        return [outcomes[index] for index in range(len(records))]

    def _apply(self, uow: UnitOfWork, envelopes: Sequence[Envelope]) -> list[Outcome]:
        """Run each envelope's handlers, skipping what the inbox says is done. The batch's events are
        claimed in the inbox, one statement per handler; duplicates inside the batch are caught in
        memory."""
        uow.in_handler = True
        done: set[tuple[str, str]] = set()
        prefetched: list[object] = []  # held until the batch is done: the session holds rows weakly
        for event_type in {type(envelope.event) for envelope in envelopes}:
            ids = [e.event_id for e in envelopes if type(e.event) is event_type]
            for handler in self._handlers.for_event(event_type):
                name = handler_name(handler)
                claimed = uow.claim(name, ids)
                done.update((name, event_id) for event_id in ids if event_id not in claimed)
                prefetch = prefetch_of(handler)
                todo = [
                    e for e in envelopes if type(e.event) is event_type and (name, e.event_id) not in done
                ]
                if prefetch is not None and len(todo) > 1:
                    prefetched.append(prefetch(todo, uow))
        outcomes: list[Outcome] = []
        for envelope in envelopes:
            handlers = self._handlers.for_event(type(envelope.event))
            if not handlers:
                outcomes.append(Outcome.NO_HANDLER)
                continue
            applied = False
            for handler in handlers:
                mark = (handler_name(handler), envelope.event_id)
                if mark in done:
                    continue
                handler(envelope, uow)
                done.add(mark)
                applied = True
            outcomes.append(Outcome.HANDLED if applied else Outcome.DUPLICATE)
        return outcomes

    def _follow_up(self, names: set[str]) -> None:
        """What the handlers asked for once their transaction committed (waking the senders for
        the deliveries they planned). It is committed already: a failure here is only logged, and
        a timer does later whatever this did not."""
        for name in sorted(names):
            work = self._follow_ups.get(name)
            if work is None:
                continue
            try:
                work()
            except Exception:
                log.exception("follow-up %s after a commit failed", name)

    def _dead_letter(
        self, record: Record, error: str, attempts: int, event_id: str | None = None, kind: str = UNDECODABLE
    ) -> Outcome:
        """Store the dead letter; if even that fails (database down), keep trying: losing the
        message is worse than holding up its partition."""
        failures = 0
        while True:
            try:
                with self._uow() as uow:
                    self._write_dead_letter(uow, record, error, attempts, event_id)
                    uow.commit()
                log.error(
                    "dead-lettered a message from %s (partition %s, offset %s): %s",
                    record.topic,
                    record.partition,
                    record.offset,
                    error,
                )
                EVENTS.labels(kind, Outcome.DEAD_LETTERED.value).inc()
                return Outcome.DEAD_LETTERED
            except Exception as exc:
                failures += 1
                delay = self._policy.delay(min(failures, 10))
                log.error("could not store a dead letter (%s); retrying in %.2fs", _describe(exc), delay)
                self._sleep(delay)

    def _outage(self, error: Exception) -> bool:
        """If the database is away, wait until it answers again and say so (True)."""
        if not is_database_outage(error) and self._database_reachable():
            return False
        waited = 0
        while True:
            waited += 1
            delay = self._policy.delay(min(waited, 10))
            log.warning(
                "database unavailable (%s); waiting %.2fs before trying again", _describe(error), delay
            )
            self._sleep(delay)
            if self._database_reachable():
                return True

    def _write_dead_letter(
        self, uow: UnitOfWork, record: Record, error: str, attempts: int, event_id: str | None = None
    ) -> None:
        value, value_headers = dead_letter_value(record.value)
        about = [
            ("source-topic", record.topic),
            ("source-partition", "" if record.partition is None else str(record.partition)),
            ("source-offset", "" if record.offset is None else str(record.offset)),
            *value_headers,
            *([("event-id", event_id)] if event_id else []),
        ]
        headers = outbox.dead_letter_headers(error, attempts, uow.clock(), about)
        outbox.add_raw(
            uow.session,
            topic=record.topic + DEAD_LETTER_SUFFIX,
            key=(record.key or b"").decode("utf-8", "replace"),
            value=value,
            headers=headers,
            now=uow.clock(),
        )


def dead_letter_value(value: bytes | None) -> tuple[bytes, list[tuple[str, str]]]:
    """What a dead letter carries of the original value: all of it, unless it is a tombstone (no
    value: an empty letter marked as such) or larger than a letter may be (its first bytes, with the
    original size and SHA-256 as a reference to the message at its source offset)."""
    if value is None:
        return b"", [(outbox.NULL_VALUE_HEADER, "true")]
    if len(value) <= DEAD_LETTER_VALUE_LIMIT:
        return bytes(value), []
    return bytes(value[:DEAD_LETTER_VALUE_LIMIT]), [
        ("value-truncated", "true"),
        ("original-bytes", str(len(value))),
        ("original-sha256", hashlib.sha256(value).hexdigest()),
    ]


def _decode(record: Record) -> Envelope:
    """The codec raises DecodeError for anything it cannot read; this makes sure no other exception
    (a bug, an input nobody thought of) can escape and let an offset pass an unhandled event."""
    try:
        return decode(record.value)
    except DecodeError:
        raise
    except Exception as exc:
        raise DecodeError(f"unreadable ({_describe(exc)})") from None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
