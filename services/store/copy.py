"""Writing many new rows to PostgreSQL with ``COPY … FROM STDIN`` instead of an INSERT per row.

An ``executemany`` INSERT costs the server a statement and the client a round of SQLAlchemy's and
psycopg's bookkeeping for every row; COPY streams the rows as one command. Values go through each
column's own bind processing first (the UTC datetimes, the encrypted columns), as they would with an
INSERT. A column a row leaves out gets its Python default (or NULL if it has none); a column no row
gives and that has no Python default is left to the server's default; a column whose default is a SQL
expression must be given, since COPY cannot run it (refused, rather than a silent NULL).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, Connection
from sqlmodel import SQLModel

_Value = Callable[[dict[str, Any]], Any]


def copy_rows(connection: Connection, table: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts of column values) into ``table`` in the order given."""
    if not rows:
        return
    sql_table = SQLModel.metadata.tables[str(table.__tablename__)]
    given = {name for row in rows for name in row}
    columns = [column for column in sql_table.columns if column.name in given or column.default is not None]
    values = [_value_of(column, connection) for column in columns]
    names = ", ".join(connection.dialect.identifier_preparer.quote(c.name) for c in columns)
    quoted = connection.dialect.identifier_preparer.format_table(sql_table)
    driver = connection.connection.driver_connection  # psycopg's, in the session's transaction
    with driver.cursor() as cursor, cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([value(row) for value in values])


def _value_of(column: Column[Any], connection: Connection) -> _Value:
    """How one column's value is taken from a row: given or defaulted, then bind-processed."""
    name = column.name
    processor = column.type.bind_processor(connection.dialect)
    default = column.default
    if default is not None and default.is_callable:
        produce = default.arg  # type: ignore[attr-defined]

        def missing() -> Any:
            return produce(None)  # SQLAlchemy wraps a default without arguments to take a context

    elif default is not None and default.is_scalar:
        constant = default.arg  # type: ignore[attr-defined]

        def missing() -> Any:
            return constant

    elif default is not None:  # a SQL expression or a sequence: only an INSERT can run it

        def missing() -> Any:
            raise ValueError(f"give {column.table.name}.{name}: its default is SQL that COPY cannot run")

    else:

        def missing() -> Any:
            return None

    if processor is None:
        return lambda row: row[name] if name in row else missing()
    bind = processor
    return lambda row: bind(row[name] if name in row else missing())
