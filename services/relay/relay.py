"""Publishes outbox rows to Kafka with an idempotent, acks=all producer, in write order.

A row is marked published only after the broker acknowledged it. While the broker is away the relay
backs off and tries again; rows wait safely in the database (DESIGN invariant 1). A row that the
broker can never take as it is (larger than the size limit, say) is held with its reason for an
admin (``weltoffen outbox held``), so it never stands in front of the rows behind it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from kafka import KafkaProducer
from kafka import errors as kafka_errors
from sqlalchemy import Engine
from sqlmodel import Session

from events.catalog import MAX_MESSAGE_BYTES
from services.metrics import RELAY_PUBLISH, RELAY_ROWS
from services.priority import reschedule
from services.relay.partitioning import KeyPartitioner
from services.relay.signal import CommitSignal
from services.settings import Settings
from services.store import outbox
from services.store.uow import Clock, utc_now

log = logging.getLogger(__name__)
URGENT_TOPIC_NAMES = outbox.URGENT_TOPIC_NAMES
URGENT_LANE = 1  # the urgent topics' shard locks are apart from the others' (outbox.claim_pending)
# Failures that belong to one message, not to the broker: sending it again can never succeed.
UNPUBLISHABLE = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.InvalidRecordError,
    kafka_errors.InvalidTopicError,
)


class Producer(Protocol):
    def send(self, topic: str, value: bytes | None, key: bytes, headers: list[tuple[str, bytes]]) -> Any: ...
    def flush(self, timeout: float | None = None) -> None: ...
    def close(self, timeout: float | None = None) -> None: ...


def kafka_producer(settings: Settings) -> Producer:
    """The production producer: no acknowledged write is ever lost or duplicated by a retry."""
    producer: Producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        client_id="weltoffen-relay",
        acks="all",
        enable_idempotence=True,
        max_in_flight_requests_per_connection=5,
        linger_ms=5,
        batch_size=256 * 1024,
        max_request_size=MAX_MESSAGE_BYTES,  # the topics take this much (events.catalog)
        compression_type=None,
        partitioner=KeyPartitioner(),
        request_timeout_ms=5000,
        delivery_timeout_ms=20000,
        max_block_ms=5000,
        retry_backoff_ms=200,
        reconnect_backoff_max_ms=2000,
    )
    return producer


class Relay:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        producer_factory: Callable[[Settings], Producer] = kafka_producer,
        clock: Clock = utc_now,
        urgent_engine: Engine | None = None,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._urgent_engine = urgent_engine or engine  # the urgent lane's (services.store.engine)
        postgres = self._urgent_engine is not None and self._urgent_engine.dialect.name == "postgresql"
        self._signal = CommitSignal(self._urgent_engine) if postgres else None
        self._producer_factory = producer_factory
        self._producers: dict[bool, Producer] = {}  # by lane: urgent (True) and bulk (False)
        self._clock = clock
        self._totals = threading.Lock()
        self.published_total = 0
        self.held_total = 0
        # Longer than the producer's delivery timeout, so every future is settled after a flush.
        self._flush_timeout_s = 30.0

    def publish_once(self) -> int:
        """Publish one batch of pending rows, the urgent lane's first; returns how many it settled
        (acknowledged or held)."""
        return self.publish_lane(urgent=True) or self.publish_lane(urgent=False)

    def publish_lane(self, urgent: bool) -> int:
        """Publish one batch of one lane's pending rows (the urgent topics', or all others') with
        that lane's producer; returns how many it settled (acknowledged or held)."""
        producer = self._connect(urgent)
        with Session(self._urgent_engine if urgent else self._engine) as session:
            if urgent:
                rows = outbox.claim_pending(
                    session, self._settings.relay_batch_size, URGENT_TOPIC_NAMES, lane=URGENT_LANE
                )
            else:
                rows = outbox.claim_pending(
                    session, self._settings.relay_batch_size, excluding=URGENT_TOPIC_NAMES
                )
            if not rows:
                return 0
            started = time.perf_counter()
            futures: list[tuple[int, Any]] = []
            send_error: Exception | None = None
            held: dict[int, str] = {}
            for row in rows:
                assert row.id is not None
                try:
                    future = producer.send(
                        self._settings.topic(row.topic),
                        value=outbox.wire_value(row),
                        key=row.key.encode(),
                        headers=[(name, value.encode()) for name, value in outbox.decode_headers(row)],
                    )
                except UNPUBLISHABLE as exc:
                    held[row.id] = _describe(exc)
                    continue
                except Exception as exc:
                    send_error = exc
                    break
                futures.append((row.id, future))
            try:
                producer.flush(timeout=self._flush_timeout_s)
            except Exception as exc:
                send_error = send_error or exc
            # Only acknowledged rows are marked; the rest are sent again on the next try.
            acknowledged = [row_id for row_id, future in futures if _succeeded(future)]
            held.update(
                (row_id, _describe(future.exception)) for row_id, future in futures if _unpublishable(future)
            )
            if acknowledged:
                RELAY_PUBLISH.observe(time.perf_counter() - started)
                RELAY_ROWS.inc(len(acknowledged))
            outbox.mark_published(session, acknowledged, self._clock())
            for row_id, reason in held.items():
                log.error("outbox row %d can never be published as it is; held: %s", row_id, reason)
                outbox.hold(session, row_id, reason, self._clock())
            session.commit()
        with self._totals:
            self.published_total += len(acknowledged)
            self.held_total += len(held)
        if send_error is not None or len(acknowledged) + len(held) < len(rows):
            self.close(urgent)  # start afresh: a new producer after an outage
            raise BrokerUnavailable(
                f"{len(rows) - len(acknowledged) - len(held)} of {len(rows)} messages not acknowledged"
                + (f" ({type(send_error).__name__}: {send_error})" if send_error else "")
            )
        return len(acknowledged) + len(held)

    def run(self, stop: threading.Event) -> None:
        """Publish until stopped, the urgent lane in a thread of its own (so an emergency never
        waits while a batch of ordinary events is sent); a broker or database outage means: back
        off, then try again."""
        urgent = threading.Thread(target=self._run_urgent_lane, args=(stop,), name="relay-urgent")
        urgent.start()
        try:
            self._run_lane(stop, False)
        finally:
            self._wake_urgent_lane()
            urgent.join()
            self.close()
            if self._signal is not None:
                self._signal.close()

    def _run_urgent_lane(self, stop: threading.Event) -> None:
        # On Linux a thread has a niceness of its own: the urgent lane gets a core before the bulk
        # lane and the worker's bulk work (services/priority.py).
        reschedule(self._settings.urgent_nice, "the relay's urgent lane")
        self._run_lane(stop, True)

    def _wake_urgent_lane(self) -> None:
        if self._signal is None:
            return
        try:
            self._signal.wake()
        except Exception:  # the database is away: the lane ends after its longest wait
            log.warning("could not wake the urgent lane to stop it", exc_info=True)

    def _run_lane(self, stop: threading.Event, urgent: bool) -> None:
        idle = self._settings.relay_urgent_idle_s if urgent else self._settings.relay_idle_s
        # The bulk lane goes on at once only after a full batch: while events trickle in (a rush
        # of registrations stored one by one), it gathers them for up to ``idle`` instead of
        # paying a round of queries, a flush and a commit for every one or two rows, processor
        # time the urgent lane needs. The urgent lane goes on whenever it found anything.
        enough = 1 if urgent else self._settings.relay_batch_size
        failures = 0
        while not stop.is_set():
            try:
                settled = self.publish_lane(urgent)
                failures = 0
                if settled >= enough:
                    continue
                if urgent and self._signal is not None:
                    self._signal.wait(self._settings.relay_urgent_listen_s)
                else:
                    stop.wait(idle)
            except Exception as exc:
                failures += 1
                delay = min(self._settings.relay_backoff_max_s, 0.1 * 2**failures)
                log.warning(
                    "relay (%s lane) cannot publish (%s); retrying in %.1fs",
                    "urgent" if urgent else "bulk",
                    _describe(exc),
                    delay,
                )
                stop.wait(delay)

    def close(self, urgent: bool | None = None) -> None:
        """Drop the producer (of one lane, or both). Its close may fail after a broker crash
        (batches it can no longer settle); the next try must still start with a new producer,
        never the broken one again."""
        for lane in (True, False) if urgent is None else (urgent,):
            producer = self._producers.pop(lane, None)
            if producer is None:
                continue
            try:
                producer.close(timeout=5)
            except Exception as exc:
                log.warning(
                    "relay: the old producer did not close cleanly (%s); starting a new one",
                    _describe(exc),
                )

    def _connect(self, urgent: bool) -> Producer:
        producer = self._producers.get(urgent)
        if producer is None:
            producer = self._producers[urgent] = self._producer_factory(self._settings)
        return producer


class BrokerUnavailable(RuntimeError):
    """Some messages were not acknowledged; they stay pending and go out on the next try."""


def _succeeded(future: Any) -> bool:
    return bool(future.is_done and future.succeeded())


def _unpublishable(future: Any) -> bool:
    return bool(future.is_done and future.failed() and isinstance(future.exception, UNPUBLISHABLE))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
