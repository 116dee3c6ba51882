"""Alembic environment: migrations run on the connection handed in by services.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import services.notify.tables
import services.store.tables  # noqa: F401

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
