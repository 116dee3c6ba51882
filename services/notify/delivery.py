"""Due deliveries: claim, render, hand to the channel (services.notify.channel_sender), record; retry
with backoff; give up loudly.

Deliveries are claimed a batch at a time with a conditional UPDATE (so several senders, in one
process or many, never send one twice) and sent without holding a write lock; the results of a
batch are recorded in one transaction. Urgent and bulk deliveries are sent by separate callers, so
a bulk burst never holds up an emergency.
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
from services.notify.channel_sender import ChannelSender, Outgoing
from services.notify.contacts import preload, resolve
from services.notify.lanes import UNTRIED, ChannelLanes
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
URGENT_BATCH = 10  # deliveries claimed at a time: few, so a second urgent sender finds work at once
BULK_BATCH = 100
LEASE_MARGIN = timedelta(seconds=5)  # what is left this long before the lease ends is handed back


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
        urgent_engine: Engine | None = None,
    ) -> None:
        self._engine = engine
        self._urgent_engine = urgent_engine or engine  # the urgent lane's (services.store.engine)
        self._renderer = renderer
        self._channels = ChannelSender(mail, webhooks, config.mail_from, config.mail_domain, clock, matrix)
        self._lanes = ChannelLanes(clock)
        self._config = config
        self._clock = clock

    def send_urgent(self) -> int:
        return self.send_due(urgent=True)

    def send_bulk(self) -> int:
        return self.send_due(urgent=False)

    def send_due(self, urgent: bool, limit: int | None = None) -> int:
        """Send what is due now; returns how many deliveries were attempted. Deliveries are claimed
        a batch at a time (one statement), sent over the channel's kept connection, and recorded a
        batch at a time (one transaction). When a channel's server is unreachable, the rest of that
        channel waits for the next round."""
        limit = limit or (URGENT_BATCH if urgent else BULK_BATCH)
        attempted = 0
        while True:
            claimed, send_by = self._claim(urgent, limit)
            if not claimed:
                return attempted
            tried, away = self._attempt_batch(claimed, send_by, urgent)
            attempted += tried
            if len(claimed) < limit or away:
                return attempted

    def _claim(self, urgent: bool, limit: int) -> tuple[list[str], datetime]:
        """Up to ``limit`` due deliveries, oldest first, leased to this sender in one conditional
        UPDATE; on PostgreSQL rows another sender is claiming right now are skipped, not waited for.
        The ids, and the moment after which what is left of them must be handed back, not sent."""
        now = self._clock()
        lease = self._config.urgent_lease if urgent else self._config.lease
        lease_until = now + lease
        with Session(self._urgent_engine if urgent else self._engine) as session:
            due = (
                select(NotificationDelivery.id)
                .where(NotificationDelivery.urgent == urgent)
                .where(_claimable(now))
                .order_by(col(NotificationDelivery.next_attempt_at))
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            claimed = session.execute(
                update(NotificationDelivery)
                .where(col(NotificationDelivery.id).in_(due.scalar_subquery()), _claimable(now))
                .values(
                    status=DeliveryStatus.SENDING,
                    lease_until=lease_until,
                    attempts=col(NotificationDelivery.attempts) + 1,
                    updated_at=now,
                )
                .returning(col(NotificationDelivery.id))
            )
            ids = list(claimed.scalars().all())
            session.commit()
        return ids, lease_until - min(LEASE_MARGIN, lease / 3)

    def _attempt_batch(self, claimed: list[str], send_by: datetime, urgent: bool) -> tuple[int, bool]:
        """Try the claimed deliveries and record every result in one transaction; (how many were
        tried, whether a channel's server was away). Each channel's deliveries go out in the order
        they fell due, the channels at the same time (an emergency's mail does not wait for its
        Matrix message). Nothing is written while sending (no autoflush), so no write lock is held
        while a server answers. What the lease no longer covers, or what waits behind a server that
        is away, is handed back untried."""
        with Session(self._urgent_engine if urgent else self._engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(NotificationDelivery, Notification)
                .join(Notification, col(Notification.id) == NotificationDelivery.notification_id)
                .where(col(NotificationDelivery.id).in_(claimed))
                .order_by(col(NotificationDelivery.next_attempt_at))
            ).all()
            recipients = preload(session, ((n.recipient_kind, n.recipient_id) for _, n in rows))
            results: list[tuple[NotificationDelivery, Notification, DeliveryError | None]] = []
            untried: list[NotificationDelivery] = []
            away: set[str] = set()
            with session.no_autoflush:
                ready: list[tuple[NotificationDelivery, Notification, Outgoing]] = []
                for delivery, notification in rows:
                    if delivery.channel in away:
                        untried.append(delivery)
                        continue
                    prepared = self._prepare(session, delivery, notification)
                    if isinstance(prepared, DeliveryError):
                        results.append((delivery, notification, prepared))
                        if prepared.outage:
                            away.add(str(delivery.channel))
                    else:
                        ready.append((delivery, notification, prepared))
                for (delivery, notification, outgoing), outcome in zip(
                    ready, self._lanes.transmit([o for _, _, o in ready], send_by), strict=True
                ):
                    if outcome is UNTRIED:
                        untried.append(delivery)
                        continue
                    if not isinstance(outcome, DeliveryError):
                        outcome = self._keep(session, delivery, outgoing, outcome)
                    elif outcome.outage:
                        away.add(str(delivery.channel))
                    results.append((delivery, notification, outcome))
            for delivery, notification, error in results:
                self._record(session, delivery, notification, error)
            for delivery in untried:
                self._hand_back(session, delivery, waits_for_server=str(delivery.channel) in away)
            session.flush()
            self._settle(session, {notification.id: notification for _, notification in rows})
            session.commit()
        del recipients
        return len(results), bool(away)

    def _prepare(
        self, session: Session, delivery: NotificationDelivery, notification: Notification
    ) -> Outgoing | DeliveryError:
        """Render one claimed delivery and make it ready for its channel; or the error."""
        try:
            contact = resolve(session, notification.recipient_kind, notification.recipient_id)
            locale = notification.locale or contact.locale
            values = {**json.loads(notification.context), **contact.details}
            rendered = self._renderer.render(notification.template, locale, values, notification.created_at)
        except Exception as exc:  # a message that cannot be rendered will not render next time either
            return DeliveryError(f"cannot prepare: {type(exc).__name__}: {exc}", True)
        try:
            return self._channels.prepare(session, delivery, notification, contact, rendered)
        except DeliveryError as exc:
            return exc
        except Exception as exc:  # a bug in a channel must not leave the rest of the batch claimed
            log.exception("preparing delivery %s (%s) failed unexpectedly", delivery.id, delivery.channel)
            return DeliveryError(f"unexpected: {type(exc).__name__}", False)

    @staticmethod
    def _keep(
        session: Session, delivery: NotificationDelivery, outgoing: Outgoing, sent: object
    ) -> DeliveryError | None:
        try:
            outgoing.keep(session, sent)
        except Exception as exc:
            log.exception("keeping delivery %s (%s) failed unexpectedly", delivery.id, delivery.channel)
            return DeliveryError(f"unexpected: {type(exc).__name__}", False)
        return None

    def _hand_back(self, session: Session, delivery: NotificationDelivery, waits_for_server: bool) -> None:
        """A claimed delivery that was not tried: due again (after the outage pause if its server is
        away), and the claim does not count as an attempt."""
        now = self._clock()
        delivery.status = DeliveryStatus.RETRY if delivery.attempts > 1 else DeliveryStatus.PENDING
        delivery.attempts -= 1
        delivery.lease_until = None
        delivery.updated_at = now
        delivery.next_attempt_at = now + self._config.outage_retry if waits_for_server else now
        session.add(delivery)

    def _settle(self, session: Session, notifications: dict[str, Notification]) -> None:
        """Each notification's overall status from all its deliveries (one query for the batch)."""
        statuses: dict[str, set[DeliveryStatus]] = {key: set() for key in notifications}
        for notification_id, status in session.exec(
            select(NotificationDelivery.notification_id, NotificationDelivery.status).where(
                col(NotificationDelivery.notification_id).in_(list(notifications))
            )
        ).all():
            statuses[notification_id].add(DeliveryStatus(status))
        for notification_id, notification in notifications.items():
            overall = _overall(statuses[notification_id])
            if notification.status != overall:
                notification.status = overall
                session.add(notification)

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


def _overall(statuses: set[DeliveryStatus]) -> NotificationStatus:
    if statuses - {DeliveryStatus.SENT, DeliveryStatus.DEAD}:
        return NotificationStatus.PENDING
    if statuses == {DeliveryStatus.SENT}:
        return NotificationStatus.SENT
    if statuses == {DeliveryStatus.DEAD}:
        return NotificationStatus.DEAD
    return NotificationStatus.FAILED
