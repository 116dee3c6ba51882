"""The explicit table that maps each event type to its handlers."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from events import Envelope, Event
from events.catalog import TopicSpec, topics_of
from services.store.uow import UnitOfWork

Handler = Callable[[Envelope, UnitOfWork], None]


def handler_name(handler: Handler) -> str:
    """The stable name a handler's inbox rows are kept under."""
    return f"{handler.__module__}.{handler.__qualname__}"


@dataclass(frozen=True)
class HandlerTable:
    routes: Mapping[type[Event], tuple[Handler, ...]] = field(default_factory=dict)

    def for_event(self, event_type: type[Event]) -> tuple[Handler, ...]:
        return self.routes.get(event_type, ())

    def topics(self) -> list[TopicSpec]:
        """The topics a worker must consume to feed these handlers, in catalogue order."""
        specs: list[TopicSpec] = []
        for event_type in self.routes:
            specs.extend(spec for spec in topics_of(event_type) if spec not in specs)
        return specs


def load_handlers(spec: str) -> HandlerTable:
    """Import a handler table named ``module:attribute`` (the WELTOFFEN_HANDLERS setting)."""
    module_name, _, attribute = spec.partition(":")
    table = getattr(importlib.import_module(module_name), attribute or "HANDLERS")
    if not isinstance(table, HandlerTable):
        raise TypeError(f"{spec} is not a HandlerTable")
    return table
