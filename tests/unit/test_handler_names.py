"""Inbox rows are keyed by a handler's name: every handler of the service has a stable one, unique
in the table, so that moving a module never makes a redelivered event look new."""

from __future__ import annotations

import importlib

import pytest

from events import Envelope
from events.contracts import PipelineProbe
from services.handler_table import HANDLERS
from services.pipeline.handler_types import HandlerTable, handler_name, handles
from services.store.uow import UnitOfWork

renames = importlib.import_module("services.store.migrations.versions.0007_stable_handler_names")


def _all_handlers() -> list[object]:
    return [h for handlers in HANDLERS.routes.values() for h in handlers]


def test_every_handler_of_the_service_has_a_stable_name_that_does_not_depend_on_its_module() -> None:
    for handler in _all_handlers():
        name = handler_name(handler)  # type: ignore[arg-type]
        assert not name.startswith(handler.__module__), name  # type: ignore[attr-defined]


def test_the_migration_renamed_every_handler_that_existed_to_its_stable_name() -> None:
    assert set(renames.RENAMED.values()) <= {handler_name(h) for h in _all_handlers()}  # type: ignore[arg-type]


def test_a_table_refuses_two_handlers_under_one_name() -> None:
    @handles("probe.same")
    def first(envelope: Envelope, uow: UnitOfWork) -> None: ...

    @handles("probe.same")
    def second(envelope: Envelope, uow: UnitOfWork) -> None: ...

    with pytest.raises(ValueError, match=r"probe\.same"):
        HandlerTable({PipelineProbe: (first, second)})


def test_a_handler_without_a_stable_name_is_kept_under_where_it_is_defined() -> None:
    def unnamed(envelope: Envelope, uow: UnitOfWork) -> None: ...

    assert handler_name(unnamed).endswith(
        "test_handler_names.test_a_handler_without_a_stable_name_is_kept_under_where_it_is_defined.<locals>.unnamed"
    )
