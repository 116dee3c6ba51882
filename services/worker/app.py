"""Faust app factory. Agents are thin: take a batch -> hand it to the shared Processor -> done."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, cast

import faust

from events.catalog import TopicSpec
from services.pipeline.handlers import HandlerTable
from services.pipeline.processing import Processor, Record
from services.settings import Settings

log = logging.getLogger(__name__)

Agent = Callable[[faust.StreamT[Any]], Coroutine[Any, Any, None]]


def create_worker_app(settings: Settings, processor: Processor, handlers: HandlerTable) -> faust.App:
    """A Faust app with one agent per topic the handler table needs. Topics must already exist
    (``weltoffen topics apply``): the worker never declares or resizes them."""
    app = faust.App(
        settings.worker_group,
        broker=[f"kafka://{server}" for server in settings.kafka_bootstrap.split(",")],
        store="memory://",
        web_enabled=False,
        topic_allow_declare=False,
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        stream_wait_empty=False,
    )
    for spec in handlers.topics():
        topic = app.topic(
            settings.topic(spec.name),
            key_serializer="raw",
            value_serializer="raw",
            partitions=spec.partitions,
        )
        # One agent per topic, so an urgent topic never waits behind a bulk one.
        app.agent(topic, name=f"consume-{spec.name}")(_consumer(spec, processor, settings))
    return app


def _consumer(spec: TopicSpec, processor: Processor, settings: Settings) -> Agent:
    async def consume(stream: faust.StreamT[Any]) -> None:
        batches: AsyncIterator[Any] = cast(Any, stream).take_events(
            settings.worker_batch_size, within=settings.worker_batch_within_s
        )
        async for batch in batches:
            records = [
                Record(
                    topic=spec.name,
                    value=event.message.value,
                    key=event.message.key,
                    partition=event.message.partition,
                    offset=event.message.offset,
                )
                for event in batch
            ]
            # The Processor never raises; it runs in a thread so the database does not block
            # Faust's heartbeats. Offsets are acknowledged only after it returns.
            await asyncio.to_thread(processor.process_batch, records)

    return consume
