"""Asking for a notification, and planning its deliveries when the request is handled."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select, update

from events import Envelope, new_envelope
from events.catalog import NOTIFICATIONS, NOTIFICATIONS_URGENT
from events.contracts import NotificationRequested
from events.ids import new_id
from notifications.messages import MESSAGES
from notifications.policy import earliest_send
from services.notify.contacts import Contact, UnknownRecipient, preload, resolve
from services.notify.tables import DeliveryStatus, Notification, NotificationDelivery, NotificationStatus
from services.pipeline.handler_types import handles
from services.store.prefetch import by_ids
from services.store.uow import UnitOfWork


class UnknownMessage(ValueError):
    pass


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be stored in a notification context")


def request_notification(
    uow: UnitOfWork,
    *,
    recipient_id: str,
    template: str,
    context: dict[str, Any],
    urgent: bool = False,
    recipient_kind: str = "account",
    subject_id: str | None = None,
    locale: str | None = None,
    cause: Envelope | None = None,
) -> str:
    """Store the notification (with its context) and emit NotificationRequested (ids only). In a
    handler's unit of work, plan its deliveries at once instead: the worker would only plan them
    one event later (``uow.follow_ups`` then names the senders to wake after the commit)."""
    spec = MESSAGES.get(template)
    if spec is None:
        raise UnknownMessage(f"no message called {template!r}")
    spec.check_storable(context)  # refuse now what could not be rendered later
    now = uow.clock()
    notification: dict[str, Any] = {
        "id": new_id(),
        "recipient_kind": recipient_kind,
        "recipient_id": recipient_id,
        "template": template,
        "locale": locale,
        "context": json.dumps(context, default=_json_default),
        "urgent": urgent,
        "subject_id": subject_id,
        "status": NotificationStatus.PENDING,
        "created_at": now,
    }
    contact = _contact_or_none(uow, recipient_kind, recipient_id) if uow.in_handler else None
    if contact is None:
        uow.append(Notification, notification)  # written with the commit, like the event's row
        event = NotificationRequested(
            notification_id=notification["id"],
            recipient_id=recipient_id,
            template=template,
            urgent=urgent,
            subject_id=subject_id,
        )
        uow.emit(cause.caused(event, now) if cause else new_envelope(event, now))
        return str(notification["id"])
    deliveries = planned(notification["id"], urgent, contact, now)
    if not deliveries:
        notification["status"] = NotificationStatus.DEAD  # no address at all: nothing to retry
    uow.append(Notification, notification)
    for delivery in deliveries:
        uow.append(NotificationDelivery, delivery)
    uow.follow_ups.add((NOTIFICATIONS_URGENT if urgent else NOTIFICATIONS).name)
    return str(notification["id"])


def _contact_or_none(uow: UnitOfWork, kind: str, recipient_id: str) -> Contact | None:
    """The recipient, to plan for now; None if they cannot be resolved: then the request goes out
    as an event, and the notifier's handler retries it and dead-letters it as it does any other."""
    try:
        return resolve(uow.session, kind, recipient_id)
    except UnknownRecipient:
        return None


def planned(notification_id: str, urgent: bool, contact: Contact, now: datetime) -> list[dict[str, Any]]:
    """The delivery rows of a notification: one per channel, due now — or, for a non-urgent message
    in the recipient's quiet hours, when they end."""
    due = earliest_send(now, contact.quiet, urgent)
    return [
        {
            "id": new_id(),
            "notification_id": notification_id,
            "channel": channel,
            "urgent": urgent,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": due,
            "lease_until": None,
            "last_error": None,
            "sent_at": None,
            "updated_at": now,
        }
        for channel in contact.channels_for(urgent)
    ]


class NotificationMissing(LookupError):
    pass


def _notifications_and_recipients(envelopes: Sequence[Envelope], uow: UnitOfWork) -> list[object]:
    """The notifications a batch plans, and whom they go to, in a query or two per kind."""
    ids = [e.event.notification_id for e in envelopes if isinstance(e.event, NotificationRequested)]
    notifications = by_ids(uow.session, Notification, ids)
    recipients = preload(uow.session, ((n.recipient_kind, n.recipient_id) for n in notifications))
    return [*notifications, *recipients]


@handles("notify.plan_deliveries", prefetch=_notifications_and_recipients)
def plan_deliveries(envelope: Envelope, uow: UnitOfWork) -> None:
    """Handler of NotificationRequested: one delivery row per channel, due now — or, for a
    non-urgent message in the recipient's quiet hours, when they end. Sending happens after commit."""
    request = envelope.event
    assert isinstance(request, NotificationRequested)
    notification = uow.session.get(Notification, request.notification_id)
    if notification is None:
        raise NotificationMissing(f"notification {request.notification_id} does not exist")
    if notification.status == NotificationStatus.CANCELLED:
        return  # withdrawn before it was planned
    contact = resolve(uow.session, notification.recipient_kind, notification.recipient_id)
    deliveries = planned(notification.id, notification.urgent, contact, uow.clock())
    if not deliveries:
        notification.status = NotificationStatus.DEAD  # no address at all: nothing to retry
    for delivery in deliveries:
        uow.append(NotificationDelivery, delivery)


def withdraw_pending(uow: UnitOfWork, recipient_kind: str, recipient_ids: list[str]) -> int:
    """Messages to these recipients that have not gone out yet are withdrawn, not left to fail (their
    address is being deleted); returns how many."""
    if not recipient_ids:
        return 0
    pending = uow.session.exec(
        select(Notification).where(
            Notification.recipient_kind == recipient_kind,
            col(Notification.recipient_id).in_(recipient_ids),
            Notification.status == NotificationStatus.PENDING,
        )
    ).all()
    for notification in pending:
        notification.status = NotificationStatus.CANCELLED
        uow.session.add(notification)
    ids = [n.id for n in pending]
    if ids:
        uow.session.execute(
            update(NotificationDelivery)
            .where(
                col(NotificationDelivery.notification_id).in_(ids),
                col(NotificationDelivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.RETRY]),
            )
            .values(status=DeliveryStatus.CANCELLED, updated_at=uow.clock())
        )
    return len(pending)
