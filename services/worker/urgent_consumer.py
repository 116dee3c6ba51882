"""The urgent topics read by a consumer process of their own, beside the worker.

A rush of registrations keeps the worker's Faust event loop busy taking in and decoding batches;
an emergency's event on an urgent topic waited behind them in the same loop, and the urgent
Processor's answer with it. This child runs a Faust app of its own on the urgent topics only, in
a consumer group of its own (``<WORKER_GROUP>-urgent``), with the urgent Processor in the same
process and scheduled higher than the rest (``urgent_nice``). The worker's app then reads only the
bulk topics.

Before its first start the group takes over the offsets the worker group committed on the urgent
topics (``services.topics.hand_over_offsets``): it goes on where the worker stopped, rather than
reading the urgent topics again from the start (the inbox would skip what was handled, but what
was dead-lettered would be tried and dead-lettered again).

The child counts its events and sends the counts to the worker, whose ``/metrics`` shows them. A
child that dies is started again; it ends on its own when the worker that started it is gone."""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Sequence
from multiprocessing.context import SpawnProcess
from typing import Any, cast

from events.catalog import URGENT_TOPICS
from services.lifeline import hold_on_to
from services.logs import configure_logging
from services.metrics import EVENTS
from services.pipeline.processing import Outcome, Record
from services.priority import reschedule
from services.settings import Settings
from services.worker.processor_process import Counts, counted

log = logging.getLogger(__name__)
READY = "ready"  # on the counts queue: the child has joined its group and has its partitions
_CONTEXT = multiprocessing.get_context("spawn")  # a fresh interpreter, no inherited threads or sockets


def urgent_group(settings: Settings) -> str:
    return f"{settings.worker_group}-urgent"


class UrgentConsumer:
    """Started and stopped with the worker's app (a ``Background``)."""

    def __init__(self, settings: Settings, wake_urgent: Any, wake_bulk: Any) -> None:
        self._settings = settings
        self._wakes = (wake_urgent, wake_bulk)
        self._counts: Any = None
        self._stopping = threading.Event()
        self._process: SpawnProcess | None = None
        self._watch: threading.Thread | None = None

    def start(self, ready_within_s: float = 0.0) -> None:
        """Start the child; with ``ready_within_s``, wait until it has joined its group and been
        given its partitions (at most that long), so the worker starts its bulk topics after the
        urgent ones. Started already, nothing happens."""
        if self._process is not None:
            return
        self._stopping.clear()
        self._spawn()
        if ready_within_s > 0:
            self._await_ready(ready_within_s)
        self._watch = threading.Thread(target=self._keep_running, name="urgent-consumer-watch", daemon=True)
        self._watch.start()

    def _spawn(self) -> None:
        # A queue of its own for each child: one killed while writing would leave its lock held.
        self._counts = _CONTEXT.Queue()
        process = _CONTEXT.Process(
            target=_consume,
            args=(self._settings, *self._wakes, self._counts, os.getpid()),
            name="weltoffen-urgent-consumer",
            daemon=True,
        )
        process.start()
        self._process = process
        log.info("the urgent topics' consumer started in process %s", process.pid)

    def _await_ready(self, within_s: float) -> None:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline and self._process is not None and self._process.is_alive():
            try:
                item = self._counts.get(timeout=0.5)
            except queue.Empty:
                continue
            if item == READY:
                log.info("the urgent topics' consumer reads; the bulk topics start now")
                return
            self._count(item)
        log.warning(
            "the urgent topics' consumer is not ready after %.0fs; the bulk topics start regardless", within_s
        )

    def _keep_running(self) -> None:
        """Pass the child's counts on to this process's metrics; start it again should it die."""
        failures = 0
        while not self._stopping.is_set():
            try:
                item = self._counts.get(timeout=1.0)
                if item != READY:  # a child started again is ready again
                    self._count(item)
                continue
            except queue.Empty:
                pass
            process = self._process
            if process is None or process.is_alive() or self._stopping.is_set():
                failures = 0 if process is not None and process.is_alive() else failures
                continue
            failures += 1
            delay = min(30.0, 0.5 * 2 ** min(failures, 6))
            log.error(
                "the urgent topics' consumer ended (exit %s); starting it again in %.1fs",
                process.exitcode,
                delay,
            )
            if not self._stopping.wait(delay):
                self._spawn()

    def _count(self, counts: Counts) -> None:
        for (kind, outcome), count in counts.items():
            EVENTS.labels(kind, outcome).inc(count)

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGTERM: Faust finishes the event in hand and commits its offsets, then the child ends."""
        self._stopping.set()
        if self._watch is not None:
            self._watch.join(timeout_s)
        process = self._process
        if process is not None:
            if process.is_alive():
                process.terminate()
            process.join(timeout_s)
            if process.is_alive():
                process.kill()
                process.join(5)
        while self._counts is not None:  # the counts of the last events
            try:
                item = self._counts.get_nowait()
                if item != READY:
                    self._count(item)
            except (queue.Empty, OSError, ValueError):
                break
        self._process = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


class _CountingProcessor:
    """The urgent Processor, sending the counts of each batch's events to the worker."""

    def __init__(self, processor: Any, counts: Any) -> None:
        self._processor = processor
        self._counts = counts
        self._before = counted()

    def process_batch(self, records: Sequence[Record]) -> list[Outcome]:
        outcomes: list[Outcome] = self._processor.process_batch(records)
        after = counted()
        counts = {key: n - self._before.get(key, 0.0) for key, n in after.items()}
        self._before = after
        if any(counts.values()):
            self._counts.put({key: n for key, n in counts.items() if n})
        return outcomes


def _consume(settings: Settings, wake_urgent: Any, wake_bulk: Any, counts: Any, parent: int) -> None:
    from faust.worker import Worker

    from services.bootstrap import bootstrap
    from services.topics import hand_over_offsets
    from services.worker.app import create_worker_app

    # Logging first, so a refused priority is logged; the priority before any thread starts (a
    # thread keeps the niceness it started with).
    configure_logging(settings.log_format)
    reschedule(settings.urgent_nice, "the urgent topics' consumer")
    # From here on, a worker gone (killed, or interrupted while waiting for us) ends this process
    # too: through Faust's shutdown (with its commit) once that runs, or at once before.
    hold_on_to(parent, "the urgent topics' consumer", leave=lambda: os.kill(os.getpid(), signal.SIGTERM))
    ours = settings.model_copy(update={"worker_group": urgent_group(settings)})
    container = bootstrap(ours)
    container.senders_in_background = True  # a batch's follow-up only wakes the urgent sender
    container.wake_urgent, container.wake_bulk = wake_urgent, wake_bulk
    topics = [spec for spec in container.handlers.topics() if spec in URGENT_TOPICS.values()]
    _take_over(
        lambda: hand_over_offsets(
            settings, settings.worker_group, ours.worker_group, [settings.topic(s.name) for s in topics]
        ),
        parent,
    )
    app = create_worker_app(
        ours,
        _CountingProcessor(container.processor(urgent=True), counts),
        container.handlers,
        container.after_batch(),
        topics=topics,
    )

    told: list[bool] = []

    async def tell_the_worker_when_ready(_app: Any, **_kwargs: Any) -> None:
        if not told:  # after the first rebalance: the group's partitions are ours to read
            told.append(True)
            counts.put(READY)

    app.on_rebalance_complete.connect(cast(Any, tell_the_worker_when_ready))
    Worker(app, loglevel="info", quiet=True).execute_from_commandline()


def _take_over(hand_over: Any, parent: int, patience_s: float = 60.0) -> None:
    """The broker may still be starting, or making its offsets topic: try for a while. Without the
    handover the group starts at the topics' beginning, which loses nothing (the inbox)."""
    deadline = time.monotonic() + patience_s
    delay = 0.5
    while True:
        if os.getppid() != parent:
            raise SystemExit("the worker is gone")
        try:
            result = hand_over()
            log.info(
                "the urgent consumer group took over %d partitions' offsets; the worker group let go of %d",
                result.copied,
                result.released,
            )
            return
        except Exception as exc:  # kafka-python's errors, a refused connection
            if time.monotonic() > deadline:
                log.warning(
                    "the urgent topics' offsets were not handed over (%r); reading on regardless", exc
                )
                return
            time.sleep(delay)
            delay = min(5.0, delay * 2)
