"""Persistence: SQLModel tables, engine, unit of work, outbox/inbox, migrations."""
