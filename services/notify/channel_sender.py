"""Handing one rendered message to its channel: e-mail, signed webhook, in-app inbox. Claiming,
retrying and recording are the DeliveryRunner's (services.notify.delivery); this only sends."""

from __future__ import annotations

import uuid

from sqlmodel import Session, select

from notifications.channels import DeliveryError, Mail, MailSender, WebhookSender, build_email, message_id
from notifications.messages import Channel
from notifications.rendering import Rendered
from services.notify.contacts import Contact
from services.notify.tables import InboxMessage, Notification, NotificationDelivery
from services.store.uow import Clock


class ChannelSender:
    def __init__(
        self, mail: MailSender, webhooks: WebhookSender, mail_from: str, mail_domain: str, clock: Clock
    ) -> None:
        self._mail = mail
        self._webhooks = webhooks
        self._mail_from = mail_from
        self._mail_domain = mail_domain
        self._clock = clock

    def send(
        self,
        session: Session,
        delivery: NotificationDelivery,
        notification: Notification,
        contact: Contact,
        rendered: Rendered,
    ) -> DeliveryError | None:
        """Send; the error (temporary, permanent or an outage of the server) or None."""
        try:
            if delivery.channel == Channel.EMAIL:
                assert contact.email is not None
                mail = Mail(
                    self._mail_from,
                    contact.email,
                    message_id(notification.id, self._mail_domain),
                    self._clock(),
                )
                self._mail.send(build_email(mail, rendered))
            elif delivery.channel == Channel.WEBHOOK:
                assert contact.webhook_url is not None and contact.webhook_secret is not None
                payload = {
                    **rendered.webhook,
                    "notification_id": notification.id,
                    "urgent": notification.urgent,
                }
                self._webhooks.send(contact.webhook_url, contact.webhook_secret, payload, delivery.id)
            elif delivery.channel == Channel.INBOX:
                assert contact.account_id is not None
                if session.exec(
                    select(InboxMessage).where(InboxMessage.notification_id == notification.id)
                ).first():
                    return None  # already in the inbox (a crash after insert, before the status update)
                session.add(
                    InboxMessage(
                        id=str(uuid.uuid4()),
                        account_id=contact.account_id,
                        notification_id=notification.id,
                        title=rendered.inbox_title[:300],
                        body=rendered.inbox_body,
                        urgent=notification.urgent,
                        created_at=self._clock(),
                    )
                )
            else:
                return DeliveryError(f"unknown channel {delivery.channel!r}", permanent=True)
        except DeliveryError as exc:
            return exc
        return None
