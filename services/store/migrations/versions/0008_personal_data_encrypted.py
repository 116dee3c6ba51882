"""registrants' name, e-mail, phone, diet and note and evidence file names encrypted at rest; when a
registrant was last sent their link again

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:00:00
"""

from alembic import op
import sqlalchemy as sa
import services.store.types


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REGISTRATION = ("name", "email", "phone", "dietary", "needs_note")


def _cipher():  # type: ignore[no-untyped-def]
    from services.crypto import FieldCipher
    from services.settings import Settings

    try:
        return services.store.types.field_cipher()
    except RuntimeError:  # run from 'weltoffen db upgrade': the keys come from the settings
        return FieldCipher(Settings().field_keys())


def _rewrite(table: str, columns: tuple[str, ...], change) -> None:  # type: ignore[no-untyped-def]
    connection = op.get_bind()
    # table and column names are the constants above, never input
    rows = connection.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).all()  # noqa: S608
    for row in rows:
        values = {c: (None if v is None else change(v)) for c, v in zip(columns, row[1:], strict=True)}
        assignments = ", ".join(f"{c} = :{c}" for c in columns)
        update = sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id")  # noqa: S608
        connection.execute(update, {**values, "id": row[0]})


def upgrade() -> None:
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("link_sent_at", services.store.types.UtcDateTime(), nullable=True))
        for column in REGISTRATION:
            batch.alter_column(column, type_=sa.Text(), existing_nullable=column != "dietary")
    with op.batch_alter_table("evidence_file") as batch:
        batch.alter_column("filename", type_=sa.Text(), existing_nullable=False)
    cipher = _cipher()
    encrypt = lambda value: cipher.encrypt(str(value)).decode("ascii")  # noqa: E731
    _rewrite("registration", REGISTRATION, encrypt)
    _rewrite("evidence_file", ("filename",), encrypt)


def downgrade() -> None:
    cipher = _cipher()
    decrypt = lambda value: cipher.decrypt(str(value).encode("ascii"))  # noqa: E731
    _rewrite("registration", REGISTRATION, decrypt)
    _rewrite("evidence_file", ("filename",), decrypt)
    with op.batch_alter_table("evidence_file") as batch:
        batch.alter_column("filename", type_=sa.String(200), existing_nullable=False)
    with op.batch_alter_table("registration") as batch:
        batch.alter_column("name", type_=sa.String(200), existing_nullable=True)
        batch.alter_column("email", type_=sa.String(320), existing_nullable=True)
        batch.alter_column("phone", type_=sa.String(40), existing_nullable=True)
        batch.alter_column("dietary", type_=sa.String(200), existing_nullable=False)
        batch.drop_column("link_sent_at")
