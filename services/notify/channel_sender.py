"""Handing one rendered message to its channel: e-mail, signed webhook, in-app inbox, Matrix.
Claiming, retrying and recording are the DeliveryRunner's (services.notify.delivery); this only
sends.

A delivery goes out in three steps, so that a runner can send several channels at once: ``prepare``
(database reads, in the runner's session), ``transmit`` (the network only, no session: it may run
in another thread) and ``keep`` (what is stored of it, in the runner's session)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


def _nothing_to_send() -> None:
    return None


def _nothing_to_keep(session: Session, sent: object) -> None:
    return None


@dataclass(frozen=True)
class Outgoing:
    """A delivery ready to go: ``transmit`` sends it (raising DeliveryError) and returns what
    ``keep`` needs to store of it afterwards."""

    channel: str
    transmit: Callable[[], object] = _nothing_to_send
    keep: Callable[[Session, object], None] = _nothing_to_keep

    @property
    def goes_over_the_network(self) -> bool:
        """False for what is only kept (the in-app inbox): it needs no lane of its own."""
        return self.transmit is not _nothing_to_send


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

    def prepare(
        self,
        session: Session,
        delivery: NotificationDelivery,
        notification: Notification,
        contact: Contact,
        rendered: Rendered,
    ) -> Outgoing:
        """What sending this delivery takes; raises DeliveryError when it cannot be sent."""
        channel = str(delivery.channel)
        if channel == Channel.EMAIL:
            assert contact.email is not None
            mail = Mail(
                self._mail_from, contact.email, message_id(notification.id, self._mail_domain), self._clock()
            )
            return Outgoing(channel, lambda: self._mail.send(build_email(mail, rendered)))
        if channel == Channel.WEBHOOK:
            assert contact.webhook_url is not None and contact.webhook_secret is not None
            url, secret = contact.webhook_url, contact.webhook_secret
            payload = {**rendered.webhook, "notification_id": notification.id, "urgent": notification.urgent}
            return Outgoing(channel, lambda: self._webhooks.send(url, secret, payload, delivery.id))
        if channel == Channel.INBOX:
            assert contact.account_id is not None
            account_id = contact.account_id
            return Outgoing(
                channel, keep=lambda own, _: self._keep_inbox(own, account_id, notification, rendered)
            )
        if channel == Channel.MATRIX:
            return self._prepare_matrix(session, delivery, notification, contact, rendered)
        raise DeliveryError(f"unknown channel {delivery.channel!r}", permanent=True)

    def _keep_inbox(
        self, session: Session, account_id: str, notification: Notification, rendered: Rendered
    ) -> None:
        if session.exec(select(InboxMessage).where(InboxMessage.notification_id == notification.id)).first():
            return  # already in the inbox (a crash after insert, before the status update)
        session.add(
            InboxMessage(
                id=new_id(),
                account_id=account_id,
                notification_id=notification.id,
                title=rendered.inbox_title[:300],
                body=rendered.inbox_body,
                urgent=notification.urgent,
                created_at=self._clock(),
            )
        )

    def _prepare_matrix(
        self,
        session: Session,
        delivery: NotificationDelivery,
        notification: Notification,
        contact: Contact,
        rendered: Rendered,
    ) -> Outgoing:
        """The short text into the person's direct room (made on first use); an alert that can be
        acknowledged says how. The event is kept, so a reaction to it finds its notification."""
        matrix = self._matrix
        if matrix is None:
            raise DeliveryError("no Matrix homeserver is configured", permanent=True)
        if contact.matrix_id is None:
            raise DeliveryError("the Matrix ID is no longer confirmed", permanent=True)
        room_id = self._room(session, contact.matrix_id)
        text = rendered.short
        if notification.template in ACKNOWLEDGEABLE:
            text = f"{text}\n\n{acknowledge_hint(rendered.locale)}"

        def keep(own: Session, event_id: object) -> None:
            assert isinstance(event_id, str)
            if own.get(MatrixMessage, event_id) is None:
                own.add(
                    MatrixMessage(
                        event_id=event_id,
                        room_id=room_id,
                        notification_id=notification.id,
                        created_at=self._clock(),
                    )
                )

        # a retry re-sends the same transaction, so the homeserver answers with the same event
        return Outgoing(str(Channel.MATRIX), lambda: matrix.send(room_id, text, delivery.id), keep)

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
