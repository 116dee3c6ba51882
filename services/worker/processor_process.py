"""The Processor of the worker's bulk topics in a process of its own (the urgent topics have a
consumer process of their own: ``services.worker.urgent_consumer``).

In one interpreter, Faust's event loop and the Processor's thread take turns at one lock: Faust
passes on the next batch only once the Processor gives the lock back, so their costs per event add
up. With the Processor in a child process, Faust fetches and decodes the next batch on one core
while the child decides and writes the last one on the other. The agent still waits for the
child's answer before its offsets move on, so nothing is acknowledged that was not handled or
dead-lettered.

One batch at a time goes through the pipe, in the order the agents hand them over. The child counts
its events and sends the counts back with the outcomes, so the worker's ``/metrics`` shows them. A
child that died is started again; the batch it had in hand fails, and the agent tries it again (the
inbox makes a batch that was committed before the child died a duplicate). The child ends on its own
when the worker that started it is gone."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from typing import Any

from services.lifeline import hold_on_to
from services.logs import configure_logging
from services.metrics import EVENTS
from services.pipeline.processing import Outcome, Record
from services.settings import Settings

log = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("spawn")  # a fresh interpreter, no inherited threads or sockets
Counts = dict[tuple[str, str], float]


class ProcessorGone(RuntimeError):
    """The child ended while it had a batch in hand; the batch is to be tried again."""


class ProcessorProcess:
    """Quacks like a Processor (``process_batch``) for the worker's agents."""

    def __init__(self, settings: Settings, wake_urgent: Any, wake_bulk: Any) -> None:
        self._settings = settings
        self._wakes = (wake_urgent, wake_bulk)
        self._lock = threading.Lock()
        self._process: SpawnProcess | None = None
        self._connection: Connection | None = None

    def start(self) -> None:
        with self._lock:
            self._start()

    def _start(self) -> None:
        ours, theirs = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=_serve,
            args=(self._settings, *self._wakes, theirs, os.getpid()),
            name="weltoffen-processor",
            daemon=True,
        )
        process.start()
        theirs.close()
        self._process, self._connection = process, ours
        log.info("the Processor of the bulk topics started in process %s", process.pid)

    def process_batch(self, records: Sequence[Record]) -> list[Outcome]:
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._stop()
                self._start()
            assert self._connection is not None
            try:
                self._connection.send(list(records))
                outcomes, counts = self._connection.recv()
            except (EOFError, OSError) as exc:
                self._stop()
                raise ProcessorGone(f"the Processor's process ended during a batch: {exc!r}") from exc
        for (kind, outcome), count in counts.items():
            EVENTS.labels(kind, outcome).inc(count)
        return list(outcomes)

    def stop(self, timeout_s: float = 30.0) -> None:
        """The child finishes the batch in hand (the pipe is read only between batches), then ends."""
        with self._lock:
            self._stop(timeout_s)

    def _stop(self, timeout_s: float = 5.0) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            self._process.join(timeout_s)
            if self._process.is_alive():
                self._process.terminate()
        self._process = self._connection = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


def counted() -> Counts:
    """This process's event counts so far, by type and outcome."""
    return {
        (sample.labels["type"], sample.labels["outcome"]): sample.value
        for metric in EVENTS.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
    }


def _serve(settings: Settings, wake_urgent: Any, wake_bulk: Any, connection: Connection, parent: int) -> None:
    from services.bootstrap import bootstrap

    configure_logging(settings.log_format)
    hold_on_to(parent, "the bulk Processor")  # also while bootstrapping, or in a batch that hangs
    container = bootstrap(settings)
    container.senders_in_background = True  # a batch's follow-up only wakes the senders
    container.wake_urgent, container.wake_bulk = wake_urgent, wake_bulk
    processor = container.processor()
    before = counted()
    while os.getppid() == parent:  # the worker is gone: nobody will hand us a batch
        try:
            if not connection.poll(1.0):
                continue
            records = connection.recv()
        except (EOFError, OSError):
            break  # the worker closed the pipe: it is stopping
        outcomes = processor.process_batch(records)
        after = counted()
        counts = {key: value - before.get(key, 0.0) for key, value in after.items()}
        before = after
        try:
            connection.send((outcomes, {key: n for key, n in counts.items() if n}))
        except (EOFError, OSError):
            break
    container.engine.dispose()
