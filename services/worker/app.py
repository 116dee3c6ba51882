"""Faust app factory. Agents are thin: take a batch -> hand it to the shared Processor -> done."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from typing import Any, Protocol, cast

import faust

from events.catalog import URGENT_TOPICS, TopicSpec
from services.pipeline.handler_types import HandlerTable
from services.pipeline.processing import Outcome, Record
from services.settings import Settings
from services.timers import Timer, run_in_thread

log = logging.getLogger(__name__)

Agent = Callable[[faust.StreamT[Any]], Coroutine[Any, Any, None]]


class BatchProcessor(Protocol):
    """What an agent hands its batches to: the Processor, or one in a process of its own."""

    def process_batch(self, records: Sequence[Record]) -> list[Outcome]: ...


def create_worker_app(
    settings: Settings,
    processor: BatchProcessor,
    handlers: HandlerTable,
    after_batch: Mapping[str, Callable[[], object]] | None = None,
    timers: Sequence[Timer] = (),
    background: Background | None = None,
    urgent_processor: BatchProcessor | None = None,
    children: Sequence[Background] = (),
    on_full_batch: Callable[[], object] | None = None,
    topics: Sequence[TopicSpec] | None = None,
) -> faust.App:
    """A Faust app with one agent per topic the handler table needs. Topics must already exist
    (``weltoffen topics apply``): the worker never declares or resizes them. The urgent topics'
    agents hand their events to ``urgent_processor`` (with the urgent lane's database engine, in a
    process of its own as deployed), if given.
    ``children`` (a Processor's process) are started with the app and stopped before it ends.
    ``on_full_batch`` is told whenever a bulk topic's agent takes a full batch (events come faster
    than they are handled: a rush). ``topics`` narrows the topics read to some of those the
    handlers need (the worker's bulk topics, or the urgent consumer's)."""
    folder = settings.data_dir / "faust"
    folder.mkdir(parents=True, exist_ok=True)  # Faust makes only the last folder of its path
    app = faust.App(
        settings.worker_group,
        broker=[f"kafka://{server}" for server in settings.kafka_bootstrap.split(",")],
        store="memory://",
        web_enabled=False,
        topic_allow_declare=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        # A worker that dies without a goodbye (SIGKILL, a lost machine) is noticed after the session
        # timeout; only then can its partitions, the urgent ones included, move to another worker.
        broker_session_timeout=settings.worker_session_timeout_s,
        broker_heartbeat_interval=settings.worker_session_timeout_s / 5,
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        stream_wait_empty=False,
        stream_buffer_maxsize=settings.worker_stream_buffer,
        # Faust's own folder (it keeps no tables here: the store is in memory) goes with the
        # service's data, not into whatever folder the worker was started from.
        datadir=str(folder / "{conf.name}"),
    )
    for spec in handlers.topics() if topics is None else topics:
        topic = app.topic(
            settings.topic(spec.name),
            key_serializer="raw",
            value_serializer="raw",
            partitions=spec.partitions,
        )
        # One agent per topic, so an urgent topic never waits behind a bulk one.
        follow_up = (after_batch or {}).get(spec.name)
        urgent = spec in URGENT_TOPICS.values()
        lane = urgent_processor if urgent and urgent_processor is not None else processor
        consumer = _consumer(spec, lane, settings, follow_up, on_full_batch)
        app.agent(topic, name=f"consume-{spec.name}")(consumer)
    for timer in timers:
        if timer.wake is None:
            app.timer(timer.interval_s, name=f"timer-{timer.name}")(_tick(timer))
    wakeable = [timer for timer in timers if timer.wake is not None]
    for child in children:
        _run_in_background(app, child)
    _run_in_background(app, background or WakeableThreads(wakeable))
    return app


class Background(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


class WakeableThreads:
    """Timers a batch can wake (the senders) in threads of their own from start-up to shutdown: a
    batch's follow-up only wakes them, so its consumer goes on at once."""

    def __init__(self, timers: Sequence[Timer]) -> None:
        self._timers = timers
        self._stop = threading.Event()

    def start(self) -> None:
        for timer in self._timers:
            run_in_thread(timer, self._stop)

    def stop(self) -> None:
        self._stop.set()
        for timer in self._timers:
            assert timer.wake is not None
            timer.wake.set()


def _run_in_background(app: faust.App, background: Background) -> None:
    @app.task
    async def start_background() -> None:
        await asyncio.to_thread(background.start)

    async def stop_background(_app: Any, *_args: Any, **_kwargs: Any) -> None:
        await asyncio.to_thread(background.stop)

    app.on_before_shutdown.connect(cast(Any, stop_background))


def _tick(timer: Timer) -> Callable[[], Coroutine[Any, Any, None]]:
    async def tick() -> None:
        await asyncio.to_thread(timer.run_safely)

    return tick


def _consumer(
    spec: TopicSpec,
    processor: BatchProcessor,
    settings: Settings,
    follow_up: Callable[[], object] | None,
    on_full_batch: Callable[[], object] | None = None,
) -> Agent:
    # The urgent lane takes each event as it comes: it never waits for a batch to fill up (a batch
    # that is not full waits up to worker_batch_within_s), and urgent events are few.
    urgent = spec in URGENT_TOPICS.values()
    size = 1 if urgent else settings.worker_batch_size

    async def consume(stream: faust.StreamT[Any]) -> None:
        batches: AsyncIterator[Any] = cast(Any, stream).take_events(
            size, within=settings.worker_batch_within_s
        )
        if urgent:
            async for batch in batches:
                await _handle(processor, _records(spec, batch), follow_up)
            return
        in_hand: asyncio.Task[None] | None = None
        try:
            async for batch in batches:
                # Faust acknowledges a batch once the agent asks for the next one. Each message
                # gets a second reference here, given back only when the Processor has handled
                # the batch: so its offset is committed only then, while Faust takes the next
                # batch from the broker as the Processor works on this one.
                for event in batch:
                    event.message.incref()
                if on_full_batch is not None and len(batch) >= size:
                    on_full_batch()
                if in_hand is not None:
                    await asyncio.shield(in_hand)  # one batch at a time, in order
                in_hand = asyncio.ensure_future(
                    _handle_then_release(stream, processor, spec, batch, follow_up)
                )
        finally:
            if in_hand is not None:
                await asyncio.shield(in_hand)

    return consume


def _records(spec: TopicSpec, batch: Sequence[Any]) -> list[Record]:
    return [
        Record(
            topic=spec.name,
            value=event.message.value,
            key=event.message.key,
            partition=event.message.partition,
            offset=event.message.offset,
        )
        for event in batch
    ]


async def _handle(
    processor: BatchProcessor, records: list[Record], follow_up: Callable[[], object] | None
) -> None:
    # The Processor runs in a thread so the database does not block Faust's heartbeats.
    await _until_processed(processor, records)
    if follow_up is not None:
        await asyncio.to_thread(_safely, follow_up)


async def _handle_then_release(
    stream: faust.StreamT[Any],
    processor: BatchProcessor,
    spec: TopicSpec,
    batch: Sequence[Any],
    follow_up: Callable[[], object] | None,
) -> None:
    await _handle(processor, _records(spec, batch), follow_up)
    for event in batch:
        await stream.ack(event)  # the second reference: now the offset may be committed


async def _until_processed(processor: BatchProcessor, records: list[Record]) -> None:
    """Hold the batch until the Processor has handled or dead-lettered every record. It is built
    never to raise; should it all the same (a bug), the exception must not escape the agent: Faust
    would acknowledge the batch and restart the agent, and its events would be lost."""
    failures = 0
    while True:
        try:
            await asyncio.to_thread(processor.process_batch, records)
            return
        except Exception:
            failures += 1
            delay = min(30.0, 0.5 * 2 ** min(failures, 6))
            log.exception("processing a batch of %d failed; trying it again in %.1fs", len(records), delay)
            await asyncio.sleep(delay)


def _safely(work: Callable[[], object]) -> None:
    try:
        work()
    except Exception:  # the batch is committed; a timer retries whatever this did not finish
        log.exception("follow-up after a batch failed")
