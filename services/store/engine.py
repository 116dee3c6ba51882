"""The database engine, chosen by settings: SQLite file (default) or PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_MS = 30000
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
WRITE_LOCK_PAUSE_S = 0.001


def make_engine(url: str, urgent: bool = False) -> Engine:
    """An engine for the URL; SQLite gets WAL and a busy timeout so API, worker and relay can share it.

    ``urgent``: for the urgent lane. On SQLite, whose one write lock every process takes in turn, a
    transaction of this engine asks for the lock again every millisecond until it has it, while
    everyone else waits in SQLite's busy handler, which sleeps longer and longer between tries (up
    to 100 ms): an emergency's write goes first as soon as the lock is free, instead of whenever
    its sleep happens to end. PostgreSQL has no such lock; there ``urgent`` changes nothing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        if urgent:
            event.listen(engine, "before_cursor_execute", _write_lock_at_once)
        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _write_lock_at_once(
    _conn: Any, cursor: Any, statement: str, _parameters: Any, _context: Any, _executemany: bool
) -> None:
    """Before a transaction's first write (where the driver would begin a deferred transaction and
    let the busy handler wait), take the write lock ourselves."""
    connection = cursor.connection
    if connection.in_transaction or not statement.lstrip()[:7].upper().startswith(WRITES):
        return
    take_write_lock(connection)


def _pause() -> None:
    time.sleep(WRITE_LOCK_PAUSE_S)


def take_write_lock(connection: sqlite3.Connection, give_up_s: float = BUSY_TIMEOUT_MS / 1000) -> None:
    """``BEGIN IMMEDIATE``, tried every millisecond while another connection writes (SQLITE_BUSY),
    for as long as the busy timeout would have waited."""
    deadline = time.monotonic() + give_up_s
    connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
                _pause()
    finally:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()
