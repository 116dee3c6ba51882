"""A notification asked for inside a handler is planned in that handler's own transaction: no
NotificationRequested goes round the broker for it, and its mail goes out as soon as the
transaction commits. A recipient who cannot be resolved still takes the event's way, where the
notifier retries and dead-letters it. Real SMTP server (aiosmtpd), both databases."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from events import Envelope, encode, new_envelope
from events.catalog import NOTIFICATIONS, NOTIFICATIONS_URGENT, PROBES
from events.contracts import PipelineProbe
from notifications.messages import MESSAGES
from services.bootstrap import Container
from services.notify.requests import request_notification
from services.notify.tables import DeliveryStatus, Notification, NotificationDelivery
from services.pipeline.handler_types import HandlerTable
from services.pipeline.probe import record_probe
from services.pipeline.processing import Outcome, Processor, Record, RetryPolicy
from services.store.tables import Account, OutboxRecord, ProbeReceipt
from services.store.uow import UnitOfWork
from tests.integration.test_notifications import account, admin_email, prefer
from tests.support.mail import MailServer

pytestmark = pytest.mark.integration


def notify_the_stream(envelope: Envelope, uow: UnitOfWork) -> None:
    """A handler that tells an account (the probe's stream) and records the probe."""
    probe = envelope.event
    assert isinstance(probe, PipelineProbe)
    request_notification(
        uow,
        recipient_id=probe.stream,
        template="selfcheck_result",
        context=MESSAGES["selfcheck_result"].sample,
        urgent=probe.sequence == 1,
        subject_id=probe.probe_id,
    )
    record_probe(envelope, uow)


def record_of(recipient: str, urgent: bool = False) -> Record:
    probe = PipelineProbe(
        probe_id=uuid.uuid4().hex, stream=recipient, sequence=int(urgent), sent_at=datetime.now(UTC)
    )
    return Record(topic=PROBES.name, value=encode(new_envelope(probe)), key=recipient.encode())


def processor(container: Container, follow_ups: dict[str, Callable[[], object]]) -> Processor:
    return Processor(
        container.uow,
        HandlerTable({PipelineProbe: (notify_the_stream,)}),
        RetryPolicy(max_attempts=2, backoff_s=0.01, backoff_max_s=0.01),
        sleep=lambda _s: None,
        follow_ups=follow_ups,
    )


def requests_in_outbox(container: Container, recipient: str) -> list[str]:
    with Session(container.engine) as session:
        return list(
            session.exec(
                select(OutboxRecord.topic).where(
                    OutboxRecord.key == recipient,
                    col(OutboxRecord.topic).in_([NOTIFICATIONS.name, NOTIFICATIONS_URGENT.name]),
                )
            ).all()
        )


def deliveries_to(container: Container, recipient: str) -> list[NotificationDelivery]:
    with Session(container.engine) as session:
        return list(
            session.exec(
                select(NotificationDelivery)
                .join(Notification, col(Notification.id) == NotificationDelivery.notification_id)
                .where(Notification.recipient_id == recipient)
            ).all()
        )


def test_a_handlers_mail_goes_out_after_its_commit_without_a_request_event(
    container: Container, mail: MailServer
) -> None:
    recipient = account(container)
    prefer(container, recipient, channels="email")
    seen_at_wake: list[int] = []

    def send_now() -> None:  # what the worker's follow-up does when the senders run here
        seen_at_wake.append(len(deliveries_to(container, recipient)))  # committed before the wake
        container.delivery_runner.send_bulk()

    outcomes = processor(container, {NOTIFICATIONS.name: send_now}).process_batch(
        [record_of(recipient), record_of(recipient)]
    )

    assert outcomes == [Outcome.HANDLED, Outcome.HANDLED]
    assert seen_at_wake == [2]  # one wake for the batch, after both were committed
    assert requests_in_outbox(container, recipient) == []
    assert len(mail.wait_for_mail_to(admin_email(container, recipient), count=2)) == 2
    assert {d.status for d in deliveries_to(container, recipient)} == {DeliveryStatus.SENT}


def test_an_urgent_notification_wakes_the_urgent_lane_only(container: Container) -> None:
    recipient = account(container)
    woken: list[str] = []
    follow_ups: dict[str, Callable[[], object]] = {
        name: (lambda name=name: woken.append(name))  # type: ignore[misc]
        for name in (NOTIFICATIONS.name, NOTIFICATIONS_URGENT.name)
    }

    assert processor(container, follow_ups).process(record_of(recipient, urgent=True)) is Outcome.HANDLED

    assert woken == [NOTIFICATIONS_URGENT.name]
    planned = deliveries_to(container, recipient)
    assert planned and all(d.urgent for d in planned)  # every channel the account has, as ever
    assert requests_in_outbox(container, recipient) == []


def test_a_recipient_who_cannot_be_resolved_takes_the_events_way(container: Container) -> None:
    recipient = account(container)
    with Session(container.engine) as session:
        found = session.get(Account, recipient)
        assert found is not None
        found.is_active = False
        session.add(found)
        session.commit()
    woken: list[str] = []

    outcome = processor(container, {NOTIFICATIONS.name: lambda: woken.append("bulk")}).process(
        record_of(recipient)
    )

    assert outcome is Outcome.HANDLED  # the handler's own change is not held up by its message
    with Session(container.engine) as session:
        assert session.exec(select(ProbeReceipt).where(ProbeReceipt.stream == recipient)).all()
    assert requests_in_outbox(container, recipient) == [NOTIFICATIONS.name]
    assert deliveries_to(container, recipient) == []
    assert woken == []


def test_a_failing_follow_up_does_not_undo_or_repeat_the_batch(container: Container) -> None:
    recipient = account(container)
    prefer(container, recipient, channels="email")
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise ConnectionError("the senders' wake-up failed")

    record = record_of(recipient)
    handled = processor(container, {NOTIFICATIONS.name: broken})

    assert handled.process(record) is Outcome.HANDLED
    assert handled.process(record) is Outcome.DUPLICATE  # committed once; nothing planned again
    assert calls == [1]
    assert len(deliveries_to(container, recipient)) == 1
