from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet

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


def test_upgrading_renames_handler_rows_and_encrypts_registrants_written_in_clear(tmp_path: Path) -> None:
    from sqlalchemy import text

    from services.crypto import FieldCipher
    from services.store.types import field_cipher, use_field_cipher
    from tests.conftest import sqlite_url

    use_field_cipher(FieldCipher([Fernet.generate_key().decode()]))
    engine = make_engine(sqlite_url(tmp_path))
    upgrade(engine, "0006")  # before both migrations
    now = "2026-11-30 00:00:00"
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO inbox (handler, event_id, processed_at) VALUES (:h, 'e-1', :now)"),
            {"h": "services.dialogues.handlers.allocate_seat", "now": now},
        )
        connection.execute(
            text(
                "INSERT INTO account (id, email, display_name, role, password_hash, is_active, created_at,"
                " failed_logins) VALUES ('o-1', 'o@example.org', 'O', 'organiser', 'x', 1, :now, 0)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO dialogue (id, organiser_id, municipality_ags, title, description, format,"
                " starts_at, ends_at, venue, accessibility, capacity, waitlist_enabled,"
                " registration_opens_at, registration_closes_at, languages, allocation, quotas,"
                " reminder_hours, brief_days, retention_days, privacy_version, status,"
                " alerted_thresholds, seats_taken, waitlist_last, created_at, updated_at) VALUES"
                " ('d-1', 'o-1', '03241001', 'T', '', 'citizen_dialogue', :now, :now, 'R', '', 3, 1,"
                " :now, :now, 'de', 'fcfs', '{}', '48', '7', 30, '2026-1', 'published', '', 0, 0, :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO registration (id, dialogue_id, name, email, email_hash, phone, language,"
                " step_free, sign_language, simple_language, interpreter_languages, children_ages,"
                " dietary, needs_note, groups, consent_version, status, held_seat_when_cancelled,"
                " requested_at) VALUES ('r-1', 'd-1', 'Ayşe Demir', 'ayse@example.org', 'h', NULL, 'de',"
                " 0, 0, 0, '', '', 'vegan', 'Rollstuhl', '', '2026-1', 'confirmed', 0, :now)"
            ),
            {"now": now},
        )
    upgrade(engine)
    with engine.connect() as connection:
        [handler] = connection.execute(text("SELECT handler FROM inbox WHERE event_id = 'e-1'")).one()
        name, email, phone, dietary, note = connection.execute(
            text("SELECT name, email, phone, dietary, needs_note FROM registration WHERE id = 'r-1'")
        ).one()
    assert handler == "dialogues.allocate_seat"
    assert phone is None and "Ayşe" not in name and "vegan" not in dietary
    assert [field_cipher().decrypt(v.encode()) for v in (name, email, dietary, note)] == [
        "Ayşe Demir",
        "ayse@example.org",
        "vegan",
        "Rollstuhl",
    ]
