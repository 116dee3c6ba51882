"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from services.crypto import FieldCipher


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out — also on SQLite, which keeps no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store times in UTC with tzinfo")
        moment = value.astimezone(UTC)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_cipher: FieldCipher | None = None


def use_field_cipher(cipher: FieldCipher) -> None:
    """The keys of this process's encrypted columns (set once at bootstrap, from settings)."""
    global _cipher
    _cipher = cipher


def field_cipher() -> FieldCipher:
    if _cipher is None:
        raise RuntimeError("no encryption keys in use: bootstrap the process before touching the database")
    return _cipher


class EncryptedText(TypeDecorator[str]):
    """Personal data encrypted at rest (Fernet, the keys of WELTOFFEN_ENCRYPTION_KEYS), text in Python.
    A value cannot be searched or sorted in SQL; look-ups use a keyed hash beside it."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else field_cipher().encrypt(value).decode("ascii")

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else field_cipher().decrypt(str(value).encode("ascii"))
