"""Alembic environment: migrations run on the connection handed in by services.store.migrate. The
tables' metadata (services.schema, which knows every stream) is handed in only to write a new
migration; running the existing ones needs none, so the store imports no stream."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=context.config.attributes.get("metadata"),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
