"""Telling an outage of the database from a bad event or a bad request.

An outage is not the event's fault: the worker waits for the database instead of counting the failure
towards dead-lettering, and the API answers 503 with Retry-After instead of 500 (DESIGN invariant 8).
"""

from __future__ import annotations

from sqlalchemy import Engine, exc, text

# Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER_S = 5


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached; nothing was written."""


def is_database_outage(error: BaseException) -> bool:
    """True when the error says the connection to the database failed or was lost, not that the
    statement was wrong: an operational error, a dropped connection, or no connection to be had."""
    if isinstance(error, DatabaseUnavailable | exc.DisconnectionError):
        return True
    if isinstance(error, exc.TimeoutError):  # the pool waited in vain for a connection
        return True
    if isinstance(error, exc.DBAPIError):
        return bool(error.connection_invalidated) or isinstance(
            error, exc.OperationalError | exc.InterfaceError
        )
    return False


def database_reachable(engine: Engine) -> bool:
    """One short round trip on a fresh connection from the pool."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
