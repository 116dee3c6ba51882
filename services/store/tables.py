"""The tables of the event backbone and of accounts. Domain tables live beside their streams."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, String, Text, text
from sqlmodel import Field, SQLModel

from services.store.types import UtcDateTime


class OutboxRecord(SQLModel, table=True):
    """A message waiting to be published (Kafka) or dispatched (embedded), written in the same
    transaction as the state change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "shard",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
        # The relay's question, unpublished rows in write order: without it SQLite reads the whole
        # table in id order, published rows included, every time it looks (services.store.outbox).
        Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
        # The urgent lane's question, a hundred times a second: its own topics' unpublished rows,
        # without reading through a backlog of everyone else's during a rush.
        Index(
            "ix_outbox_unpublished_topic",
            "topic",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    )
    event_id: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    topic: str = Field(sa_column=Column(String(200), nullable=False))
    key: str = Field(sa_column=Column(String(200), nullable=False))
    shard: int = Field(sa_column=Column(Integer, nullable=False))
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    headers: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    # A row the broker can never take (too large, say) is held for an admin to look at, with the
    # reason, so that it does not stand in front of every other row (weltoffen outbox held).
    held_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    held_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class InboxRecord(SQLModel, table=True):
    """Proof that a handler has applied an event: the key of exactly-once effects."""

    __tablename__ = "inbox"

    handler: str = Field(sa_column=Column(String(200), primary_key=True))
    event_id: str = Field(sa_column=Column(String(64), primary_key=True))
    processed_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class Role(StrEnum):
    OFFICIAL = "official"
    COORDINATOR = "coordinator"
    ORGANISER = "organiser"
    MUNICIPALITY = "municipality"
    ADMIN = "admin"


class SignInThrottle(SQLModel, table=True):
    """Failed sign-ins of one address from one client. Counted per client, so that nobody can lock the
    owner out from elsewhere; kept for unknown addresses too, so that the answers do not tell which
    addresses have an account. The key is a keyed hash: neither address nor client is stored."""

    __tablename__ = "sign_in_throttle"

    key: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    first_failed_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    blocked_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))


class Account(SQLModel, table=True):
    __tablename__ = "account"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    display_name: str = Field(max_length=200)
    role: Role = Field(sa_column=Column(String(20), nullable=False))
    password_hash: str = Field(max_length=200)
    municipality_ags: str | None = Field(default=None, max_length=8)
    # Coordinators: the AGS prefix they cover ("05" = a federal state, "05315" = a district).
    region: str | None = Field(default=None, max_length=8)
    is_active: bool = True
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class ApiToken(SQLModel, table=True):
    """A bearer token; only its keyed hash is stored."""

    __tablename__ = "api_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=36)
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))


class ProbeReceipt(SQLModel, table=True):
    """One pipeline probe as the worker received it: end-to-end proof and latency."""

    __tablename__ = "probe_receipt"

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    )
    event_id: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    probe_id: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    stream: str = Field(max_length=64)
    sequence: int
    sent_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    received_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class DeadLetterDecision(SQLModel, table=True):
    """What an operator decided about a dead letter (an outbox row on a .dlt topic)."""

    __tablename__ = "dead_letter_decision"

    outbox_id: int = Field(
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    )
    action: str = Field(max_length=10)  # replayed, discarded
    reason: str = Field(sa_column=Column(Text, nullable=False))
    decided_by: str = Field(max_length=36)
    decided_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class TimerRun(SQLModel, table=True):
    """The last run of a periodic job, as its process recorded it (at most every few seconds)."""

    __tablename__ = "timer_run"

    name: str = Field(primary_key=True, max_length=40)
    last_run_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    last_ok_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    last_error: str | None = Field(default=None, max_length=200)  # the exception's type, never its text
    last_error_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
