"""Due deliveries: claim, render, hand to the channel (services.notify.channel_sender), record; retry
with backoff; give up loudly.

A delivery is claimed with a conditional UPDATE (so several workers can run senders) and sent
outside any open transaction. Urgent and bulk deliveries are sent by separate callers, so a bulk
burst never holds up an emergency.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from events import encode, new_envelope
from events.catalog import NOTIFICATIONS, NOTIFICATIONS_URGENT
from events.contracts import NotificationRequested
from notifications.channels import DeliveryError, MailSender, WebhookSender
from notifications.matrix import MatrixBot
from notifications.policy import RetrySchedule
from notifications.rendering import Renderer
from services.notify.channel_sender import ChannelSender
from services.notify.contacts import resolve
from services.notify.requests import request_notification
from services.notify.tables import (
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationStatus,
)
from services.store import outbox
from services.store.tables import Account, Role
from services.store.uow import Clock, UnitOfWork

log = logging.getLogger(__name__)
ALERT_TEMPLATE = "delivery_failed"


@dataclass(frozen=True)
class SenderConfig:
    mail_from: str
    mail_domain: str
    retry: RetrySchedule
    lease: timedelta
    urgent_lease: timedelta = timedelta(seconds=15)
    outage_retry: timedelta = timedelta(seconds=5)


class DeliveryRunner:
    def __init__(
        self,
        engine: Engine,
        renderer: Renderer,
        mail: MailSender,
        webhooks: WebhookSender,
        config: SenderConfig,
        clock: Clock,
        matrix: MatrixBot | None = None,
    ) -> None:
        self._engine = engine
        self._renderer = renderer
        self._channels = ChannelSender(mail, webhooks, config.mail_from, config.mail_domain, clock, matrix)
        self._config = config
        self._clock = clock

    def send_urgent(self) -> int:
        return self.send_due(urgent=True)

    def send_bulk(self) -> int:
        return self.send_due(urgent=False)

    def send_due(self, urgent: bool, limit: int = 100) -> int:
        """Send what is due now; returns how many deliveries were attempted. Each delivery is
        claimed just before it is sent, so a sender that dies holds at most one. When a channel's
        server is unreachable, the rest of that channel waits for the next round."""
        attempted = 0
        while True:
            due = self._due(urgent, limit)
            unreachable: set[str] = set()
            for delivery_id, channel in due:
                if channel in unreachable or not self._claim(delivery_id, urgent):
                    continue
                attempted += 1
                if self._attempt(delivery_id):
                    unreachable.add(channel)
            if len(due) < limit or unreachable:
                return attempted

    def _due(self, urgent: bool, limit: int) -> list[tuple[str, str]]:
        now = self._clock()
        with Session(self._engine) as session:
            query = (
                select(NotificationDelivery.id, NotificationDelivery.channel)
                .where(NotificationDelivery.urgent == urgent)
                .where(_claimable(now))
                .order_by(col(NotificationDelivery.next_attempt_at))
                .limit(limit)
            )
            return [(delivery_id, str(channel)) for delivery_id, channel in session.exec(query).all()]

    def _claim(self, delivery_id: str, urgent: bool) -> bool:
        now = self._clock()
        lease = self._config.urgent_lease if urgent else self._config.lease
        with Session(self._engine) as session:
            result = session.execute(
                update(NotificationDelivery)
                .where(col(NotificationDelivery.id) == delivery_id, _claimable(now))
                .values(
                    status=DeliveryStatus.SENDING,
                    lease_until=now + lease,
                    attempts=col(NotificationDelivery.attempts) + 1,
                    updated_at=now,
                )
            )
            session.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def _attempt(self, delivery_id: str) -> bool:
        """Try one claimed delivery and record the result; True if its channel's server is away."""
        with Session(self._engine, expire_on_commit=False) as session:
            delivery = session.get(NotificationDelivery, delivery_id)
            assert delivery is not None
            notification = session.get(Notification, delivery.notification_id)
            assert notification is not None
            try:
                contact = resolve(session, notification.recipient_kind, notification.recipient_id)
                locale = notification.locale or contact.locale
                values = {**json.loads(notification.context), **contact.details}
                rendered = self._renderer.render(
                    notification.template, locale, values, notification.created_at
                )
            except Exception as exc:  # a message that cannot be rendered will not render next time either
                error: DeliveryError | None = DeliveryError(
                    f"cannot prepare: {type(exc).__name__}: {exc}", True
                )
            else:
                error = self._channels.send(session, delivery, notification, contact, rendered)
            self._record(session, delivery, notification, error)
            return error is not None and error.outage

    def _record(
        self,
        session: Session,
        delivery: NotificationDelivery,
        notification: Notification,
        error: DeliveryError | None,
    ) -> None:
        now = self._clock()
        delivery.lease_until = None
        delivery.updated_at = now
        if error is None:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = now
            delivery.last_error = None
        elif error.outage:
            # The server is away, the message is fine: try again soon, and do not count the try.
            delivery.last_error = error.reason[:2000]
            delivery.attempts -= 1
            delivery.status = DeliveryStatus.RETRY
            delivery.next_attempt_at = now + self._config.outage_retry
            log.warning(
                "delivery %s (%s) waits for its server: %s", delivery.id, delivery.channel, error.reason
            )
        else:
            delivery.last_error = error.reason[:2000]
            retry_at = None if error.permanent else self._config.retry.next_attempt(now, delivery.attempts)
            if retry_at is None:
                delivery.status = DeliveryStatus.DEAD
                self._give_up(session, delivery, notification, error)
            else:
                delivery.status = DeliveryStatus.RETRY
                delivery.next_attempt_at = retry_at
                log.warning(
                    "delivery %s (%s) failed, attempt %d, retry at %s: %s",
                    delivery.id,
                    delivery.channel,
                    delivery.attempts,
                    retry_at.isoformat(),
                    error.reason,
                )
        session.add(delivery)
        session.flush()
        notification.status = _overall(session, notification.id)
        session.add(notification)
        session.commit()

    def _give_up(
        self,
        session: Session,
        delivery: NotificationDelivery,
        notification: Notification,
        error: DeliveryError,
    ) -> None:
        """Dead-letter the request with its reason and tell the admins (never about an alert)."""
        log.error("delivery %s (%s) given up: %s", delivery.id, delivery.channel, error.reason)
        request = NotificationRequested(
            notification_id=notification.id,
            recipient_id=notification.recipient_id,
            template=notification.template,
            urgent=notification.urgent,
            subject_id=notification.subject_id,
        )
        topic = NOTIFICATIONS_URGENT if notification.urgent else NOTIFICATIONS
        outbox.add_raw(
            session,
            topic=topic.dead_letter.name,
            key=notification.recipient_id,
            value=encode(new_envelope(request, self._clock())),
            headers=outbox.dead_letter_headers(
                error.reason, delivery.attempts, self._clock(), [("channel", str(delivery.channel))]
            ),
            now=self._clock(),
        )
        if notification.template == ALERT_TEMPLATE:
            return
        uow = UnitOfWork.joining(session, self._clock)
        admins = session.exec(
            select(Account.id).where(Account.role == Role.ADMIN, col(Account.is_active))
        ).all()
        for admin_id in admins:
            request_notification(
                uow,
                recipient_id=admin_id,
                template=ALERT_TEMPLATE,
                context={
                    "notification_id": notification.id,
                    "template": notification.template,
                    "channel": str(delivery.channel),
                    "reason": error.reason[:500],
                    "attempts": delivery.attempts,
                },
            )


def _claimable(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        col(NotificationDelivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.RETRY])
        & (col(NotificationDelivery.next_attempt_at) <= now),
        (col(NotificationDelivery.status) == DeliveryStatus.SENDING)
        & (col(NotificationDelivery.lease_until) < now),
    )


def _overall(session: Session, notification_id: str) -> NotificationStatus:
    statuses = set(
        session.exec(
            select(NotificationDelivery.status).where(NotificationDelivery.notification_id == notification_id)
        ).all()
    )
    if statuses - {DeliveryStatus.SENT, DeliveryStatus.DEAD}:
        return NotificationStatus.PENDING
    if statuses == {DeliveryStatus.SENT}:
        return NotificationStatus.SENT
    if statuses == {DeliveryStatus.DEAD}:
        return NotificationStatus.DEAD
    return NotificationStatus.FAILED
