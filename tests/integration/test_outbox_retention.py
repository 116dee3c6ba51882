"""Published outbox rows do not pile up for ever: the worker's timer deletes those published more
than OUTBOX_RETENTION_DAYS ago, a batch per transaction. Dead letters (the operators' record), rows
not yet published and held rows stay. Both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlmodel import Session, col, select

from events.catalog import DEAD_LETTER_SUFFIX, PROBES
from services.bootstrap import Container
from services.store import outbox
from services.store.tables import OutboxRecord
from tests.support.clock import Clock

pytestmark = pytest.mark.integration
# Long before every other test's rows, which share the PostgreSQL database: only ours are that old.
NOW = datetime(2019, 1, 10, 12, 0, tzinfo=UTC)


def row(name: str, topic: str, published: datetime | None, held: datetime | None = None) -> dict[str, Any]:
    key = f"retention-{uuid.uuid4().hex[:12]}"
    return {
        "event_id": f"{key}-{name}",
        "topic": topic,
        "key": key,
        "shard": outbox.shard_of(key),
        "value": b"{}",
        "headers": "[]",
        "created_at": (published or NOW) - timedelta(seconds=1),
        "published_at": published,
        "held_at": held,
    }


def test_rows_published_before_the_retention_are_deleted_and_the_rest_stay(
    container: Container, clock: Clock
) -> None:
    clock.now = NOW
    assert container.settings.outbox_retention_days == 7
    old, recent = NOW - timedelta(days=8), NOW - timedelta(days=6)
    dead_letters = PROBES.name + DEAD_LETTER_SUFFIX
    rows = [row(f"old-{n}", PROBES.name, old) for n in range(5)]
    rows += [
        row("recent", PROBES.name, recent),
        row("unpublished", PROBES.name, None),
        row("held", PROBES.name, None, held=old),
        row("old-dead-letter", dead_letters, old),
    ]
    with container.engine.begin() as connection:
        connection.execute(insert(OutboxRecord), rows)

    assert "outbox-retention" in [timer.name for timer in container.timers()]
    assert outbox.forget_published_before(container.engine, NOW - timedelta(days=7), batch=2) == 5
    assert container.forget_published_events() == 0  # the timer's run: nothing more to delete

    ours = [r["event_id"] for r in rows]
    with Session(container.engine) as session:
        left = set(session.exec(select(OutboxRecord.event_id).where(col(OutboxRecord.event_id).in_(ours))))
    assert left == {r["event_id"] for r in rows[5:]}  # recent, unpublished, held, the dead letter
