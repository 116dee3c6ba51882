"""The in-app inbox of an account, and the admins' view of deliveries (status only, no content)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from services.access import Principal, Scope, require_access
from services.notify.tables import (
    DeliveryStatus,
    InboxMessage,
    Notification,
    NotificationDelivery,
    NotificationStatus,
)
from services.store.uow import UnitOfWork
from workflows.errors import NotFound


class InboxMessagePublic(BaseModel):
    id: str
    title: str
    body: str
    urgent: bool
    created_at: datetime
    read_at: datetime | None


def inbox_of(session: Session, principal: Principal, unread: bool, limit: int) -> list[InboxMessagePublic]:
    """The caller's messages, urgent and newest first."""
    query = select(InboxMessage).where(InboxMessage.account_id == principal.account_id)
    if unread:
        query = query.where(col(InboxMessage.read_at).is_(None))
    query = query.order_by(col(InboxMessage.urgent).desc(), col(InboxMessage.created_at).desc()).limit(limit)
    return [InboxMessagePublic.model_validate(m, from_attributes=True) for m in session.exec(query)]


def mark_read(uow: UnitOfWork, principal: Principal, message_id: str) -> InboxMessagePublic:
    message = uow.session.get(InboxMessage, message_id)
    if message is None:
        raise NotFound("message not found")
    require_access(principal, Scope(owner_id=message.account_id), "message")
    message.read_at = message.read_at or uow.clock()
    uow.session.add(message)
    uow.commit()
    return InboxMessagePublic.model_validate(message, from_attributes=True)


class DeliveryPublic(BaseModel):
    channel: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None


class NotificationPublic(BaseModel):
    """Status only: the message's context (which may hold personal data) is not shown."""

    id: str
    recipient_kind: str
    recipient_id: str
    template: str
    urgent: bool
    status: NotificationStatus
    created_at: datetime
    deliveries: list[DeliveryPublic]


def notification_public(session: Session, notification: Notification) -> NotificationPublic:
    deliveries = session.exec(
        select(NotificationDelivery).where(NotificationDelivery.notification_id == notification.id)
    ).all()
    return NotificationPublic(
        id=notification.id,
        recipient_kind=notification.recipient_kind,
        recipient_id=notification.recipient_id,
        template=notification.template,
        urgent=notification.urgent,
        status=NotificationStatus(notification.status),
        created_at=notification.created_at,
        deliveries=[DeliveryPublic.model_validate(d, from_attributes=True) for d in deliveries],
    )


def notifications(
    session: Session, status: NotificationStatus | None, recipient_id: str | None, limit: int
) -> list[NotificationPublic]:
    """Delivery status of notifications, newest first."""
    query = select(Notification)
    if status is not None:
        query = query.where(Notification.status == status)
    if recipient_id is not None:
        query = query.where(Notification.recipient_id == recipient_id)
    query = query.order_by(col(Notification.created_at).desc()).limit(limit)
    return [notification_public(session, n) for n in session.exec(query)]


def notification(session: Session, notification_id: str) -> NotificationPublic:
    found = session.get(Notification, notification_id)
    if found is None:
        raise NotFound("notification not found")
    return notification_public(session, found)
