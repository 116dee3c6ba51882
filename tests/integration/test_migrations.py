from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.schema import metadata
from services.store.engine import make_engine
from services.store.migrate import upgrade

pytestmark = pytest.mark.integration


def test_migrations_build_exactly_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)  # a second upgrade is a no-op
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
