"""Writing to and claiming from the outbox."""

from __future__ import annotations

import json
import zlib
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, text, update
from sqlmodel import Session, col, select

from events import Envelope, encode, topic_for
from events.catalog import DEAD_LETTER_SUFFIX, URGENT_TOPICS
from events.ids import new_id
from services.store.tables import OutboxRecord

SHARDS = 16  # rows of one key share a shard; a relay owns a shard while it publishes it
ADVISORY_LOCK_NAMESPACE = 0x57454C54  # "WELT": keeps our advisory locks apart from others'
URGENT_TOPIC_NAMES = frozenset(spec.name for spec in URGENT_TOPICS.values())
# PostgreSQL: a transaction that writes urgent rows says so on this channel as it commits
# (NOTIFY), and the relay's urgent lane, listening, looks at once instead of every few ms.
URGENT_SIGNAL = "weltoffen_outbox_urgent"

Headers = list[tuple[str, str]]
# A dead letter of a tombstone carries no value: the relay sends it as a tombstone again.
NULL_VALUE_HEADER = "value-null"
ERROR_HEADER_LIMIT = 1000


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode()) % SHARDS


def add(session: Session, envelope: Envelope, now: datetime) -> OutboxRecord:
    """Queue an event for publishing, in the caller's transaction."""
    record = OutboxRecord(**row(envelope, now))
    session.add(record)
    signal_urgent(session, [record.topic])
    return record


def signal_urgent(session: Session, topics: Iterable[str]) -> None:
    """On PostgreSQL, if any of these topics is urgent: wake the relay's urgent lane when this
    transaction commits (a NOTIFY is delivered at the commit, and only then)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if any(topic in URGENT_TOPIC_NAMES for topic in topics):
        session.execute(select(func.pg_notify(URGENT_SIGNAL, "")))


def row(envelope: Envelope, now: datetime) -> dict[str, Any]:
    """The outbox row of an event, as values for an INSERT."""
    return {
        "event_id": envelope.event_id,
        "topic": topic_for(envelope.event).name,
        "key": envelope.key,
        "shard": shard_of(envelope.key),
        "value": encode(envelope),
        "headers": json.dumps([("event-type", envelope.type_name), ("event-id", envelope.event_id)]),
        "created_at": now,
    }


def add_raw(
    session: Session,
    *,
    topic: str,
    key: str,
    value: bytes,
    headers: Headers,
    now: datetime,
    event_id: str | None = None,
) -> OutboxRecord:
    """Queue raw bytes (a dead letter keeps the original bytes exactly)."""
    record = OutboxRecord(
        event_id=event_id or new_id(),
        topic=topic,
        key=key,
        shard=shard_of(key),
        value=value,
        headers=json.dumps(headers),
        created_at=now,
    )
    session.add(record)
    return record


def dead_letter_headers(error: str, attempts: int, failed_at: datetime, about: Headers) -> Headers:
    """What every dead letter carries, whoever writes it (the Processor, the notifier): the reason,
    what it is about (source offset, channel, ...), how often it was tried, when it was given up."""
    return [
        ("error", error[:ERROR_HEADER_LIMIT]),
        *about,
        ("attempts", str(attempts)),
        ("failed-at", failed_at.isoformat()),
    ]


def decode_headers(record: OutboxRecord) -> Headers:
    return [(name, value) for name, value in json.loads(record.headers)]


def wire_value(record: OutboxRecord) -> bytes | None:
    """The value as it goes to the broker: None for the letter of a tombstone."""
    if not record.value and (NULL_VALUE_HEADER, "true") in decode_headers(record):
        return None
    return record.value


def claim_pending(
    session: Session,
    limit: int,
    topics: Collection[str] | None = None,
    *,
    excluding: Collection[str] = (),
    lane: int = 0,
) -> Sequence[OutboxRecord]:
    """Unpublished rows in write order (of ``topics``, or of all but ``excluding``), locked for
    this transaction.

    On PostgreSQL a relay first takes the advisory lock of each shard it will publish (only as
    many as fill the batch), so two relays never publish the same row, rows of one key never
    overtake each other, and a second relay takes other shards' rows meanwhile. Callers that publish
    disjoint sets of topics (the relay's urgent and bulk lanes) give each set its own ``lane``, so
    neither waits for the other's locks. SQLite has one writer.
    """
    pending = select(OutboxRecord).where(
        col(OutboxRecord.published_at).is_(None), col(OutboxRecord.held_at).is_(None)
    )
    in_order: Any = col(OutboxRecord.id)
    if topics is not None:
        pending = pending.where(col(OutboxRecord.topic).in_(topics))
        # A few topics' rows (the urgent lane's) are found by topic and then sorted, never by
        # reading the whole backlog of unpublished rows in id order, as SQLite would to spare
        # itself the sort: ordering by an expression leaves it no index that gives the order.
        in_order = col(OutboxRecord.id) + 0
    if excluding:
        pending = pending.where(col(OutboxRecord.topic).not_in(excluding))
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        owned = _lock_shards(session, pending, limit, ADVISORY_LOCK_NAMESPACE + lane)
        if not owned:
            return []
        pending = pending.where(col(OutboxRecord.shard).in_(owned))
    return session.exec(pending.order_by(in_order).limit(limit)).all()


_TRY_LOCKS = text(
    "SELECT s FROM unnest(CAST(:shards AS integer[])) AS s"
    " WHERE pg_try_advisory_xact_lock(CAST(:space AS integer), s)"
)


def _lock_shards(session: Session, pending: Any, limit: int, space: int) -> list[int]:
    """The shards this transaction now owns: of the shards with pending rows, oldest row first,
    as many as it could lock until they hold ``limit`` rows. A relay that locked every shard
    with a pending row would leave a second relay nothing to do for as long as a backlog lasts.
    """
    waiting = pending.subquery()
    by_age = select(waiting.c.shard, func.count()).group_by(waiting.c.shard).order_by(func.min(waiting.c.id))
    shards = [(row[0], row[1]) for row in session.execute(by_age)]
    owned: list[int] = []
    covered = 0
    while shards and covered < limit:
        wanted: dict[int, int] = {}
        while shards and covered + sum(wanted.values()) < limit:
            shard, count = shards.pop(0)
            wanted[shard] = count
        locked = session.scalars(_TRY_LOCKS, {"shards": list(wanted), "space": space}).all()
        owned.extend(locked)
        covered += sum(wanted[shard] for shard in locked)
    return owned


def mark_published(session: Session, ids: Sequence[int], now: datetime) -> None:
    """The rows the broker acknowledged. The session's copies of them are left as they are (bringing
    them up to date was 40 % of the time this took in the relay)."""
    if ids:
        published = update(OutboxRecord).where(col(OutboxRecord.id).in_(ids)).values(published_at=now)
        session.execute(published.execution_options(synchronize_session=False))


def forget_published(session: Session, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` rows published before ``before``, oldest first; how many. Dead letters
    stay (they are the operators' record, published or not), and so does every row not yet
    published or held."""
    old = (
        select(OutboxRecord.id)
        .where(
            col(OutboxRecord.published_at).is_not(None),
            col(OutboxRecord.published_at) < before,
            col(OutboxRecord.topic).not_like(f"%{DEAD_LETTER_SUFFIX}"),
        )
        .order_by(col(OutboxRecord.id))
        .limit(limit)
    )
    ids = list(session.exec(old).all())
    if ids:
        session.execute(delete(OutboxRecord).where(col(OutboxRecord.id).in_(ids)))
    return len(ids)


def forget_published_before(engine: Engine, before: datetime, batch: int = 1000) -> int:
    """Delete every row published before ``before`` (but dead letters), ``batch`` rows per
    transaction, so no other writer waits long for SQLite's write lock; how many."""
    total = 0
    while True:
        with Session(engine) as session:
            deleted = forget_published(session, before, batch)
            session.commit()
        total += deleted
        if deleted < batch:
            return total


def hold(session: Session, row_id: int, reason: str, now: datetime) -> None:
    """Set a row aside that can never be published as it is; the others go on without it."""
    session.execute(
        update(OutboxRecord)
        .where(col(OutboxRecord.id) == row_id)
        .values(held_at=now, held_reason=reason[:2000])
    )


def held(session: Session, limit: int = 100) -> Sequence[OutboxRecord]:
    """Rows set aside, oldest first."""
    query = select(OutboxRecord).where(
        col(OutboxRecord.held_at).is_not(None), col(OutboxRecord.published_at).is_(None)
    )
    return session.exec(query.order_by(col(OutboxRecord.id)).limit(limit)).all()


def release(session: Session, row_id: int) -> bool:
    """Let a held row be published again (after the limit that stopped it was raised)."""
    result = session.execute(
        update(OutboxRecord)
        .where(col(OutboxRecord.id) == row_id, col(OutboxRecord.held_at).is_not(None))
        .values(held_at=None, held_reason=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
