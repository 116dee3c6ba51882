"""Re-encrypting every encrypted field under the newest key (key rotation)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session, select

from services.crypto import FieldCipher
from services.incidents.tables import CaseNote, EvidenceFile, Incident

ENCRYPTED = (
    (Incident, ("narrative_enc", "evidence_links_enc")),
    (EvidenceFile, ("data_enc",)),
    (CaseNote, ("body_enc",)),
)


def rotate_keys(engine: Engine, cipher: FieldCipher, progress: Callable[[str], None] = lambda _: None) -> int:
    """Rewrite each encrypted value under the first configured key; returns how many were rewritten.
    Runs table by table in batches, so it can be stopped and started again."""
    rewritten = 0
    for model, fields in ENCRYPTED:
        with Session(engine) as session:
            rows = session.exec(select(model)).all()
            for number, row in enumerate(rows, start=1):
                for field in fields:
                    token = getattr(row, field)
                    if token:
                        setattr(row, field, cipher.rotate(token))
                        rewritten += 1
                session.add(row)
                if number % 500 == 0:
                    session.commit()
                    progress(f"{model.__tablename__}: {number}/{len(rows)}")
            session.commit()
            progress(f"{model.__tablename__}: {len(rows)}/{len(rows)} done")
    return rewritten
