"""Tables of notifications, their deliveries per channel, the in-app inbox and preferences."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import Column, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.store.types import UtcDateTime


class NotificationStatus(StrEnum):
    PENDING = "pending"  # some delivery is still to be tried
    SENT = "sent"  # every channel delivered
    FAILED = "failed"  # some channels delivered, some were given up
    DEAD = "dead"  # every channel was given up
    CANCELLED = "cancelled"  # withdrawn before it went out (its recipient's data was deleted)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender until lease_until
    RETRY = "retry"  # a temporary failure; next_attempt_at says when
    SENT = "sent"
    DEAD = "dead"
    CANCELLED = "cancelled"


class Notification(SQLModel, table=True):
    """What to tell whom. The context may hold personal data: it stays in the database."""

    __tablename__ = "notification"

    id: str = Field(primary_key=True, max_length=36)
    recipient_kind: str = Field(default="account", max_length=20)
    recipient_id: str = Field(index=True, max_length=64)
    template: str = Field(max_length=64)
    locale: str | None = Field(default=None, max_length=8)
    context: str = Field(sa_column=Column(Text, nullable=False))
    urgent: bool = False
    subject_id: str | None = Field(default=None, max_length=64)
    status: NotificationStatus = Field(
        default=NotificationStatus.PENDING, sa_column=Column(String(12), nullable=False, index=True)
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class NotificationDelivery(SQLModel, table=True):
    """One channel of one notification: the unit that is sent, retried and given up."""

    __tablename__ = "notification_delivery"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_delivery_notification_channel"),
        Index("ix_delivery_due", "status", "urgent", "next_attempt_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    notification_id: str = Field(foreign_key="notification.id", index=True, max_length=36)
    channel: str = Field(max_length=16)
    urgent: bool = False
    status: DeliveryStatus = Field(
        default=DeliveryStatus.PENDING, sa_column=Column(String(12), nullable=False)
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class InboxMessage(SQLModel, table=True):
    __tablename__ = "inbox_message"

    id: str = Field(primary_key=True, max_length=36)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=36)
    notification_id: str = Field(foreign_key="notification.id", unique=True, max_length=36)
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    urgent: bool = False
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))


class NotificationPreference(SQLModel, table=True):
    """How an account wants to be told. Quiet hours never hold back an urgent message."""

    __tablename__ = "notification_preference"

    account_id: str = Field(foreign_key="account.id", primary_key=True, max_length=36)
    channels: str = Field(default="email,inbox", max_length=100)
    locale: str = Field(default="de", max_length=8)
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = Field(default="Europe/Berlin", max_length=64)
    webhook_url: str | None = Field(default=None, max_length=2000)
    webhook_secret: str | None = Field(default=None, max_length=200)
    # A Matrix ID (@name:server) gets messages only once confirmed with the code sent to it, so nobody
    # can route someone else's alerts to themselves.
    matrix_id: str | None = Field(default=None, max_length=255)
    matrix_code_sent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    # Wrong codes entered for the code sent last; at five it is void, so six digits cannot be guessed.
    matrix_code_failures: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    matrix_confirmed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class MatrixRoom(SQLModel, table=True):
    """The bot's direct room with one Matrix user, made on the first message to them."""

    __tablename__ = "matrix_room"

    matrix_id: str = Field(primary_key=True, max_length=255)
    room_id: str = Field(max_length=255)
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class MatrixMessage(SQLModel, table=True):
    """A message the bot sent: a reaction or reply to it is mapped back to its notification."""

    __tablename__ = "matrix_message"

    event_id: str = Field(primary_key=True, max_length=255)
    room_id: str = Field(max_length=255, index=True)
    notification_id: str = Field(foreign_key="notification.id", index=True, max_length=36)
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class MatrixSync(SQLModel, table=True):
    """Where the bot's reading of its rooms stands, and which process reads them now (a lease)."""

    __tablename__ = "matrix_sync"

    id: str = Field(primary_key=True, max_length=20)
    next_batch: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    lease_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
