"""Alembic environment: migrations run on the connection handed in by services.store.migrate."""

from __future__ import annotations

from alembic import context
from services.store.models import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
