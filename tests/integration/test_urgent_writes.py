"""The urgent lane's engine on SQLite: its first write takes the write lock itself, asking again
every millisecond while someone else writes, instead of sleeping in SQLite's busy handler."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from services.store import engine as engines
from services.store.engine import make_engine

pytestmark = pytest.mark.integration


def test_an_urgent_write_asks_for_the_lock_until_the_writer_before_it_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'lane.db'}"
    bulk, urgent = make_engine(url), make_engine(url, urgent=True)
    with bulk.begin() as connection:
        connection.execute(text("CREATE TABLE lane (writer TEXT)"))
    holder = bulk.connect()
    holder.begin()
    holder.execute(text("INSERT INTO lane VALUES ('bulk')"))  # holds the write lock
    pauses: list[int] = []

    def pause() -> None:
        pauses.append(1)
        if len(pauses) == 3:
            holder.commit()  # the bulk writer is done: the next ask succeeds

    monkeypatch.setattr(engines, "_pause", pause)
    with urgent.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM lane")).scalar() == 0  # reads need no lock
        connection.execute(text("INSERT INTO lane VALUES ('urgent')"))
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == engines.BUSY_TIMEOUT_MS
    assert len(pauses) == 3
    with bulk.connect() as connection:
        assert connection.execute(text("SELECT writer FROM lane ORDER BY rowid")).scalars().all() == [
            "bulk",
            "urgent",
        ]
    holder.close()


def test_an_urgent_write_that_fails_for_another_reason_is_not_asked_again(tmp_path: Path) -> None:
    urgent = make_engine(f"sqlite:///{tmp_path / 'lane.db'}", urgent=True)
    with pytest.raises(Exception, match="no such table"), urgent.begin() as connection:
        connection.execute(text("INSERT INTO missing VALUES (1)"))
    with urgent.begin() as connection:  # the connection is usable again, and so is the lock
        connection.execute(text("CREATE TABLE present (x INTEGER)"))
        connection.execute(text("INSERT INTO present VALUES (1)"))
