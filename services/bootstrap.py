"""One bootstrap per process: settings -> engine, unit of work, handlers, processor."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine

from services.pipeline.dispatcher import EmbeddedDispatcher
from services.pipeline.handlers import HandlerTable, load_handlers
from services.pipeline.processing import Processor, RetryPolicy
from services.settings import Settings
from services.store.engine import make_engine
from services.store.uow import Clock, UnitOfWork, utc_now


@dataclass
class Container:
    settings: Settings
    engine: Engine
    handlers: HandlerTable
    clock: Clock = field(default=utc_now)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine, self.clock)

    def processor(self) -> Processor:
        policy = RetryPolicy(
            max_attempts=self.settings.handler_max_attempts,
            backoff_s=self.settings.handler_backoff_s,
            backoff_max_s=self.settings.handler_backoff_max_s,
        )
        return Processor(self.uow, self.handlers, policy)

    def dispatcher(self) -> EmbeddedDispatcher:
        return EmbeddedDispatcher(self.engine, self.processor(), self.settings.worker_batch_size, self.clock)


def bootstrap(settings: Settings | None = None, clock: Clock = utc_now) -> Container:
    settings = settings or Settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)  # kafka-python logs every connection at INFO
    return Container(
        settings=settings,
        engine=make_engine(settings.database_url),
        handlers=load_handlers(settings.handlers),
        clock=clock,
    )
