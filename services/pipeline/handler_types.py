"""What a handler is, and the explicit table that maps each event type to its handlers."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from events import Envelope, Event
from events.catalog import TopicSpec, topics_of
from services.store.uow import UnitOfWork

Handler = Callable[[Envelope, UnitOfWork], None]
# Loads what a batch of events will need in a query or two; the handler then finds it in the session.
# What it returns is held until the batch is done (the session holds rows only weakly).
Prefetch = Callable[[Sequence[Envelope], UnitOfWork], object]
H = TypeVar("H", bound=Handler)

_INBOX_NAME = "inbox_name"
_PREFETCH = "prefetch"


def handles(inbox_name: str, prefetch: Prefetch | None = None) -> Callable[[H], H]:
    """Give a handler the stable name its inbox rows are kept under, so that moving or renaming its
    module does not make every redelivered event look new; and, optionally, what to load for a
    whole batch of its events before the first is handled."""

    def mark(handler: H) -> H:
        setattr(handler, _INBOX_NAME, inbox_name)
        setattr(handler, _PREFETCH, prefetch)
        return handler

    return mark


def prefetch_of(handler: Handler) -> Prefetch | None:
    prefetch: Prefetch | None = getattr(handler, _PREFETCH, None)
    return prefetch


def handler_name(handler: Handler) -> str:
    """The name a handler's inbox rows are kept under: its stable name, else where it is defined."""
    return getattr(handler, _INBOX_NAME, None) or f"{handler.__module__}.{handler.__qualname__}"


@dataclass(frozen=True)
class HandlerTable:
    routes: Mapping[type[Event], tuple[Handler, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [handler_name(h) for handlers in self.routes.values() for h in handlers]
        twice = {name for name in names if names.count(name) > 1}
        if twice:
            raise ValueError(f"handler names must be unique in a table: {sorted(twice)}")

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
