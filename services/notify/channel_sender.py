"""Handing one rendered message to its channel: e-mail, signed webhook, in-app inbox, Matrix.
Claiming, retrying and recording are the DeliveryRunner's (services.notify.delivery); this only
sends."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from events.ids import new_id
from notifications.channels import DeliveryError, Mail, MailSender, WebhookSender, build_email, message_id
from notifications.matrix import ACKNOWLEDGEABLE, MatrixBot, acknowledge_hint
from notifications.messages import Channel
from notifications.rendering import Rendered
from services.notify.contacts import Contact
from services.notify.tables import InboxMessage, MatrixMessage, MatrixRoom, Notification, NotificationDelivery
from services.store.uow import Clock


class ChannelSender:
    def __init__(
        self,
        mail: MailSender,
        webhooks: WebhookSender,
        mail_from: str,
        mail_domain: str,
        clock: Clock,
        matrix: MatrixBot | None = None,
    ) -> None:
        self._mail = mail
        self._webhooks = webhooks
        self._matrix = matrix
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
                        id=new_id(),
                        account_id=contact.account_id,
                        notification_id=notification.id,
                        title=rendered.inbox_title[:300],
                        body=rendered.inbox_body,
                        urgent=notification.urgent,
                        created_at=self._clock(),
                    )
                )
            elif delivery.channel == Channel.MATRIX:
                self._send_matrix(session, delivery, notification, contact, rendered)
            else:
                return DeliveryError(f"unknown channel {delivery.channel!r}", permanent=True)
        except DeliveryError as exc:
            return exc
        return None

    def _send_matrix(
        self,
        session: Session,
        delivery: NotificationDelivery,
        notification: Notification,
        contact: Contact,
        rendered: Rendered,
    ) -> None:
        """The short text into the person's direct room (made on first use); an alert that can be
        acknowledged says how. The event is kept, so a reaction to it finds its notification."""
        if self._matrix is None:
            raise DeliveryError("no Matrix homeserver is configured", permanent=True)
        if contact.matrix_id is None:
            raise DeliveryError("the Matrix ID is no longer confirmed", permanent=True)
        room_id = self._room(session, contact.matrix_id)
        text = rendered.short
        if notification.template in ACKNOWLEDGEABLE:
            text = f"{text}\n\n{acknowledge_hint(rendered.locale)}"
        event_id = self._matrix.send(room_id, text, delivery.id)  # a retry re-sends the same transaction
        if session.get(MatrixMessage, event_id) is None:
            session.add(
                MatrixMessage(
                    event_id=event_id,
                    room_id=room_id,
                    notification_id=notification.id,
                    created_at=self._clock(),
                )
            )

    def _room(self, session: Session, matrix_id: str) -> str:
        known = session.get(MatrixRoom, matrix_id)
        if known is not None:
            return known.room_id
        assert self._matrix is not None
        room_id = self._matrix.direct_room(matrix_id)
        with Session(session.get_bind()) as own:  # kept at once, whatever becomes of this delivery
            own.add(MatrixRoom(matrix_id=matrix_id, room_id=room_id, created_at=self._clock()))
            try:
                own.commit()
            except IntegrityError:  # another sender made one at the same moment: use theirs
                own.rollback()
                theirs = own.get(MatrixRoom, matrix_id)
                assert theirs is not None
                return theirs.room_id
        return room_id
