"""Unit of work: one transaction holding state changes, inbox marks and outbox rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, SQLModel, col, select

from events import Envelope
from services.store import outbox
from services.store.copy import copy_rows
from services.store.tables import InboxRecord, OutboxRecord

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class UnitOfWork:
    """Use as ``with uow: ...; uow.commit()``. Leaving the block without commit rolls back."""

    def __init__(self, engine: Engine, clock: Clock = utc_now, secret: str = "") -> None:
        self._engine = engine
        self.clock = clock
        self.secret = secret  # keys tokens that handlers derive (e.g. a registration's manage link)
        self._session: Session | None = None
        self._marks: list[dict[str, Any]] = []  # inbox rows written with the commit (SQLite)
        self._rows: dict[type[SQLModel], list[dict[str, Any]]] = {}
        self._joined = False
        # Set by the Processor while handlers run in this unit of work: what would be an event for
        # the worker itself (planning a notification's deliveries) may be done here and now.
        self.in_handler = False
        self.follow_ups: set[str] = set()  # what to do once this commits (keys of after_batch)

    @classmethod
    def joining(cls, session: Session, clock: Clock = utc_now, secret: str = "") -> UnitOfWork:
        """A unit of work inside a session that is already open; its owner commits."""
        uow = cls(session.get_bind(), clock, secret)  # type: ignore[arg-type]
        uow._session = session
        uow._joined = True  # its owner commits: nothing may wait for this one's commit
        return uow

    def __enter__(self) -> UnitOfWork:
        self._session = Session(self._engine, expire_on_commit=False)
        self._marks = []
        self._rows = {}
        self.follow_ups = set()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        finally:
            self._session.close()
            self._session = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def emit(self, envelope: Envelope) -> None:
        """Publish an event when (and only if) this transaction commits."""
        if self._joined:
            outbox.add(self.session, envelope, self.clock())
        else:
            self.append(OutboxRecord, outbox.row(envelope, self.clock()))

    def append(self, table: type[SQLModel], values: dict[str, Any]) -> None:
        """A row nothing in this transaction reads again (an outbox row, a receipt): written with
        the commit, after everything else, in one statement per table and in the order given."""
        if self._joined:
            self.session.add(table(**values))
        else:
            self._rows.setdefault(table, []).append(values)

    def claim(self, handler: str, event_ids: Iterable[str]) -> set[str]:
        """Of these events, those the handler has not applied yet: the ones it is to apply now. They
        count as applied once this transaction commits.

        PostgreSQL: the inbox rows are written here, in one statement (``INSERT … ON CONFLICT DO
        NOTHING RETURNING``), and the unique key answers, not a query plan. (A check by ``IN (…)``
        was planned as a scan of the handler's rows while a fresh database had no statistics, up to
        118 ms a batch.) A concurrent worker that claims the same event waits for this transaction
        and then finds it taken.

        SQLite: asked with ``IN (…)`` (its plan always uses the key) and written with the commit. A
        write here would take SQLite's one write lock for the whole batch, and every other writer
        (a second worker, the urgent lane, relay and senders) would wait for the batch instead of
        for its commit. A concurrent worker with the same event runs the handler too; its effects
        are undone when its inbox row collides at the commit, and it tries again."""
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return set()
        at = self.clock()
        rows = [{"handler": handler, "event_id": event_id, "processed_at": at} for event_id in ids]
        if self.session.get_bind().dialect.name == "postgresql":
            return set(self.session.connection().scalars(_CLAIM, rows))
        asked = select(InboxRecord.event_id).where(
            col(InboxRecord.handler) == handler, col(InboxRecord.event_id).in_(ids)
        )
        done = set(self.session.exec(asked))
        self._marks.extend(row for row in rows if row["event_id"] not in done)
        return {event_id for event_id in ids if event_id not in done}

    def commit(self) -> None:
        self.session.flush()  # what these rows may refer to comes first
        postgres = self.session.get_bind().dialect.name == "postgresql"
        outbox.signal_urgent(self.session, (row["topic"] for row in self._rows.get(OutboxRecord, [])))
        for table, rows in self._rows.items():
            if postgres:
                copy_rows(self.session.connection(), table, rows)
            else:
                self.session.execute(insert(table), rows)
        self._rows = {}
        if self._marks:
            self.session.execute(insert(InboxRecord), self._marks)
            self._marks = []
        self.session.commit()


UnitOfWorkFactory = Callable[[], UnitOfWork]
# INSERT … ON CONFLICT DO NOTHING RETURNING, sent for many rows at once (SQLAlchemy's "insert many
# values"): the rows that come back are the ones that were not there.
_CLAIM = postgresql.insert(InboxRecord).on_conflict_do_nothing().returning(col(InboxRecord.event_id))
