"""Reading the bot's rooms: a reaction to an alert, or the answer "ok", acknowledges the case, exactly
as the API would. It counts only from the alert's own recipient, on their confirmed Matrix ID, in
their room; anyone else's reaction does nothing. One process reads at a time (a lease), from where
the last reading stopped (the sync token is kept in the database)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from notifications.channels import DeliveryError
from notifications.matrix import ACKNOWLEDGEABLE, OK_WORDS, MatrixBot, Reply, acknowledge_answer
from services.notify.tables import MatrixMessage, MatrixRoom, MatrixSync, Notification, NotificationPreference
from services.store.uow import Clock, UnitOfWork, UnitOfWorkFactory
from workflows.errors import DomainError

log = logging.getLogger(__name__)
READER = "bot"
LEASE = timedelta(seconds=90)

# (unit of work, account id, subject id) -> what was acknowledged (a case reference); raises a
# domain error when it cannot be. The incidents stream provides it at bootstrap.
Acknowledge = Callable[[UnitOfWork, str, str], str]


class MatrixReplies:
    def __init__(
        self,
        engine: Engine,
        uow: UnitOfWorkFactory,
        bot: MatrixBot,
        acknowledge: Acknowledge,
        clock: Clock,
        wait_ms: int = 5000,
    ) -> None:
        self._engine = engine
        self._uow = uow
        self._bot = bot
        self._acknowledge = acknowledge
        self._clock = clock
        self._wait_ms = wait_ms

    def run_once(self) -> int:
        """Read once (waiting up to wait_ms for something to happen); how many replies were acted on.
        The homeserver being away is not an error here: the next run tries again."""
        taken, since = self._take_lease()
        if not taken:
            return 0  # another process is reading
        acted = 0
        try:
            next_batch, replies = self._bot.sync(since or None, 0 if since is None else self._wait_ms)
            if since is not None:  # the very first reading only marks where to start
                for reply in replies:
                    acted += self._act_on(reply)
        except DeliveryError as exc:
            log.warning("reading the Matrix rooms failed: %s", exc.reason)
            self._release(None)
            return 0
        self._release(next_batch)
        return acted

    def _take_lease(self) -> tuple[bool, str | None]:
        now = self._clock()
        with Session(self._engine) as session:
            if session.get(MatrixSync, READER) is None:
                session.add(MatrixSync(id=READER, updated_at=now))
                try:
                    session.commit()
                except Exception:  # another process made the row at the same moment
                    session.rollback()
            taken = session.execute(
                update(MatrixSync)
                .where(
                    col(MatrixSync.id) == READER,
                    or_(col(MatrixSync.lease_until).is_(None), col(MatrixSync.lease_until) < now),
                )
                .values(lease_until=now + LEASE, updated_at=now)
            )
            session.commit()
            if not taken.rowcount:  # type: ignore[attr-defined]
                return False, None
            row = session.get(MatrixSync, READER)
            assert row is not None
            return True, row.next_batch

    def _release(self, next_batch: str | None) -> None:
        with Session(self._engine) as session:
            row = session.get(MatrixSync, READER)
            assert row is not None
            if next_batch is not None:
                row.next_batch = next_batch
            row.lease_until, row.updated_at = None, self._clock()
            session.add(row)
            session.commit()

    def _act_on(self, reply: Reply) -> int:
        if reply.kind == "text" and reply.body.lower().strip(" .!") not in OK_WORDS:
            return 0  # a message that is not an acknowledgement: for a person to read in the case
        with self._uow() as uow:
            found = self._alert(uow.session, reply)
            if found is None:
                log.info("a Matrix %s that acknowledges nothing was ignored", reply.kind)
                return 0
            notification, preference = found
            try:
                ref = self._acknowledge(uow, notification.recipient_id, notification.subject_id or "")
            except DomainError as exc:  # leaving the block undoes whatever was begun
                self._answer(reply, acknowledge_answer(preference.locale, False, reason=str(exc)))
                return 0
            uow.commit()
        self._answer(reply, acknowledge_answer(preference.locale, True, ref=ref))
        return 1

    def _alert(self, session: Session, reply: Reply) -> tuple[Notification, NotificationPreference] | None:
        """The alert the reply answers, if it came from that alert's recipient on their confirmed ID."""
        sent = session.get(MatrixMessage, reply.relates_to) if reply.relates_to else None
        if sent is None and reply.kind == "text":  # a plain "ok": the newest alert in that room
            sent = session.exec(
                select(MatrixMessage)
                .join(Notification, col(Notification.id) == col(MatrixMessage.notification_id))
                .where(
                    MatrixMessage.room_id == reply.room_id, col(Notification.template).in_(ACKNOWLEDGEABLE)
                )
                .order_by(col(MatrixMessage.created_at).desc())
            ).first()
        if sent is None or sent.room_id != reply.room_id:
            return None
        notification = session.get(Notification, sent.notification_id)
        if notification is None or notification.template not in ACKNOWLEDGEABLE:
            return None
        preference = session.get(NotificationPreference, notification.recipient_id)
        room = session.get(MatrixRoom, reply.sender)
        confirmed = (
            preference is not None
            and preference.matrix_confirmed_at is not None
            and preference.matrix_id == reply.sender
            and room is not None
            and room.room_id == reply.room_id
        )
        if not confirmed:
            log.warning("a Matrix reply from someone who is not the alert's confirmed recipient was ignored")
            return None
        assert preference is not None
        return notification, preference

    def _answer(self, reply: Reply, text: str) -> None:
        try:
            self._bot.send(reply.room_id, text, f"answer-{reply.event_id}")
        except DeliveryError as exc:  # the acknowledgement stands; only the answer is lost
            log.warning("could not answer in Matrix: %s", exc.reason)
