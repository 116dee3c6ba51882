"""Re-encrypting every encrypted field of every stream under the newest key (key rotation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from services.crypto import FieldCipher
from services.dialogues.tables import Registration
from services.incidents.tables import CaseNote, EvidenceFile, Incident
from services.store.types import use_field_cipher

ENCRYPTED = (
    (Incident, ("narrative_enc", "evidence_links_enc")),
    (EvidenceFile, ("data_enc",)),
    (CaseNote, ("body_enc",)),
)
# Columns of type EncryptedText: read with any configured key, written with the first one; rotating
# them is writing each value back.
TRANSPARENT = (
    (Registration, ("name", "email", "phone", "dietary", "needs_note")),
    (EvidenceFile, ("filename",)),
)


def rotate_keys(engine: Engine, cipher: FieldCipher, progress: Callable[[str], None] = lambda _: None) -> int:
    """Rewrite each encrypted value under the first configured key; returns how many were rewritten.
    Runs table by table in batches, so it can be stopped and started again."""
    use_field_cipher(cipher)  # the encrypted columns are written back with this cipher's first key
    rewritten = 0
    transparent: dict[Any, tuple[str, ...]] = dict(TRANSPARENT)
    tables: list[tuple[Any, tuple[str, ...]]] = [*ENCRYPTED, (Registration, ())]
    for model, fields in tables:
        with Session(engine) as session:
            rows = session.exec(select(model)).all()
            for number, row in enumerate(rows, start=1):
                for field in fields:
                    token = getattr(row, field)
                    if token:
                        setattr(row, field, cipher.rotate(token))
                        rewritten += 1
                for field in transparent.get(model, ()):
                    if getattr(row, field) is not None:
                        flag_modified(row, field)
                        rewritten += 1
                session.add(row)
                if number % 500 == 0:
                    session.commit()
                    progress(f"{model.__tablename__}: {number}/{len(rows)}")
            session.commit()
            progress(f"{model.__tablename__}: {len(rows)}/{len(rows)} done")
    return rewritten
