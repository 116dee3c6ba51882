"""Driving operations as every interface does: one operation, one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from services.bootstrap import Container
from services.store.uow import UnitOfWork

T = TypeVar("T")


def act(container: Container, operation: Callable[[UnitOfWork], T]) -> T:
    """Run the operation in a unit of work and commit it, as the API, pages and CLI do."""
    with container.uow() as uow:
        result = operation(uow)
        uow.commit()
    return result
