"""Unit of work: one transaction holding state changes, inbox marks and outbox rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col

from events import Envelope
from services.store import outbox
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
        """Mark these events as applied by the handler, in this transaction, and return those that
        were not marked before: the ones the handler is to apply now. One statement, and the inbox's
        unique key decides, so no query plan can make a batch's look at a growing inbox slow (a
        check by ``IN (…)`` was planned as a scan of the handler's rows while the statistics of a
        fresh database were still empty). A concurrent worker that claims the same event waits for
        this transaction and then finds it marked."""
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return set()
        at = self.clock()
        rows = [{"handler": handler, "event_id": event_id, "processed_at": at} for event_id in ids]
        claim = _claims[self.session.get_bind().dialect.name]
        return set(self.session.connection().scalars(claim, rows))

    def commit(self) -> None:
        self.session.flush()  # what these rows may refer to comes first
        for table, rows in self._rows.items():
            self.session.execute(insert(table), rows)
        self._rows = {}
        self.session.commit()


UnitOfWorkFactory = Callable[[], UnitOfWork]
# INSERT … ON CONFLICT DO NOTHING RETURNING, sent for many rows at once (SQLAlchemy's "insert many
# values"): the rows that come back are the ones that were not there.
_claims = {
    name: dialect.insert(InboxRecord).on_conflict_do_nothing().returning(col(InboxRecord.event_id))
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
