"""Where the worker's bulk Processor runs, unless set: beside Faust in a process of its own with
SQLite (whose work is done in the worker's process), in the worker with PostgreSQL (whose server
already works beside it)."""

from __future__ import annotations

import pytest

from services.settings import Settings

SQLITE = "sqlite:////tmp/weltoffen-unit.db"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/weltoffen"


@pytest.mark.parametrize(
    ("database_url", "chosen", "expected"),
    [(SQLITE, None, True), (POSTGRES, None, False), (POSTGRES, True, True), (SQLITE, False, False)],
)
def test_the_processor_process_follows_the_database_unless_chosen(
    database_url: str, chosen: bool | None, expected: bool
) -> None:
    settings = Settings(database_url=database_url, kafka_bootstrap="", worker_processor_process=chosen)
    assert settings.processor_in_own_process is expected
