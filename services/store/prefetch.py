"""Loading the rows a batch of events will need in one query each, instead of one query per event.

The session keeps loaded rows only weakly: the caller holds on to the returned list for as long as
``session.get`` should find them without asking the database again."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

T = TypeVar("T", bound=SQLModel)
CHUNK = 500  # ids per query, well under every database's limit of bound parameters


def by_ids(
    session: Session, table: type[T], ids: Iterable[str], key: Any = None, options: Sequence[Any] = ()
) -> list[T]:
    """The rows of ``table`` whose primary key (or ``key`` column) is among ``ids`` (loaded with
    ``options``, such as columns to leave out)."""
    column = col(key if key is not None else table.id)  # type: ignore[attr-defined]
    wanted = list(dict.fromkeys(ids))
    rows: list[T] = []
    for start in range(0, len(wanted), CHUNK):
        query = select(table).options(*options).where(column.in_(wanted[start : start + CHUNK]))
        rows.extend(session.exec(query).all())
    return rows
