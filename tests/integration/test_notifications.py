"""Notifications end to end on a real SMTP server (aiosmtpd) and a real webhook receiver, embedded
transport, on both databases. Time is injected: retries are driven by moving the clock."""

from __future__ import annotations

import asyncio
import threading
import time as wallclock
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session, col, select

from events.catalog import NOTIFICATIONS
from notifications.channels import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    DeliveryError,
    Mail,
    OutgoingMail,
    SmtpSender,
    build_email,
    verify_webhook,
)
from notifications.messages import MESSAGES
from notifications.rendering import Renderer
from services.accounts.operations import AccountCreate, new_account
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.dialogues.registrations import manage_token
from services.notify.requests import request_notification
from services.notify.tables import (
    DeliveryStatus,
    InboxMessage,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    NotificationStatus,
)
from services.pipeline.dispatcher import EmbeddedDispatcher
from services.store import outbox
from services.store.tables import OutboxRecord, Role
from tests.support.api import api_client
from tests.support.clock import Clock
from tests.support.mail import MailServer, WebhookReceiver, free_port
from tests.support.pipeline import pipeline_settings
from tests.support.registrants import registrant

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery staple"


def make_container(database_url: str, smtp_port: int, clock: Clock) -> Container:
    settings = pipeline_settings(
        database_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_starttls=False,
        notification_retry_base_s=60,
        notification_max_attempts=3,
        webhook_allowed_hosts="127.0.0.1",  # the test's receiver: an internal host the operator trusts
    )
    return bootstrap(settings, clock=clock)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 26, 14, 0, tzinfo=UTC))  # 15:00 in Berlin


@pytest.fixture
def container(database_url: str, mail: MailServer, clock: Clock) -> Container:
    return make_container(database_url, mail.port, clock)


def account(container: Container, role: Role = Role.COORDINATOR, email: str | None = None) -> str:
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    extra = {"region": "03"} if role is Role.COORDINATOR else {}
    body = AccountCreate(email=email, display_name="Test", role=role, password=PASSWORD, **extra)  # type: ignore[arg-type]
    with Session(container.engine, expire_on_commit=False) as session:
        created = new_account(body, container.clock())
        session.add(created)
        session.commit()
    return created.id


def signed_in_coordinator(container: Container, client: TestClient) -> tuple[str, str, str]:
    """A coordinator's account id, address and bearer token."""
    email = f"coord-{uuid.uuid4().hex[:6]}@example.org"
    recipient = account(container, email=email)
    answer = client.post("/auth/token", json={"email": email, "password": PASSWORD})
    return recipient, email, answer.json()["access_token"]


def prefer(container: Container, account_id: str, **values: Any) -> None:
    with Session(container.engine) as session:
        session.add(NotificationPreference(account_id=account_id, updated_at=container.clock(), **values))
        session.commit()


def notify(
    container: Container,
    recipient: str,
    template: str,
    urgent: bool = False,
    recipient_kind: str = "account",
    **context: Any,
) -> str:
    with container.uow() as uow:
        notification_id = request_notification(
            uow,
            recipient_id=recipient,
            recipient_kind=recipient_kind,
            template=template,
            context={**MESSAGES[template].stored_sample(), **context},
            urgent=urgent,
        )
        uow.commit()
    return notification_id


def deliveries(container: Container, notification_id: str) -> dict[str, NotificationDelivery]:
    with Session(container.engine) as session:
        rows = session.exec(
            select(NotificationDelivery).where(NotificationDelivery.notification_id == notification_id)
        ).all()
        return {row.channel: row for row in rows}


def status(container: Container, notification_id: str) -> NotificationStatus:
    with Session(container.engine) as session:
        found = session.get(Notification, notification_id)
        assert found is not None
        return found.status


def addressed_to(messages: list[EmailMessage], recipient: str) -> list[EmailMessage]:
    return [m for m in messages if m["To"] == recipient]


def test_confirmation_mail_has_both_parts_right_headers_and_a_calendar_invite(
    container: Container, mail: MailServer
) -> None:
    email = f"ayse-{uuid.uuid4().hex[:6]}@example.org"
    recipient = registrant(container, email, language="en", name="Ayşe Demir")
    notification_id = notify(container, recipient, "registration_confirmed", recipient_kind="registration")
    container.dispatcher().drain()

    [message] = mail.wait_for_mail_to(email)
    assert message["To"].endswith("@example.org") and message["From"] == container.settings.mail_from
    assert message["Subject"] == "Registration confirmed: Bürgerdialog <Zukunft> & Zusammenhalt"
    assert message["Message-ID"] == f"<{notification_id}@{container.settings.mail_domain}>"
    assert message["Content-Language"] == "en" and message["Auto-Submitted"] == "auto-generated"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and "your seat is confirmed" in plain.get_content()
    assert html is not None and "&lt;Zukunft&gt;" in html.get_content()
    # name and secret link are filled in at send time; the stored notification holds neither
    token = manage_token(container.settings.secret_key.get_secret_value(), recipient)
    assert (
        "Ayşe Demir" in plain.get_content()
        and f"/registrations/{recipient}?token={token}" in plain.get_content()
    )
    with Session(container.engine) as session:
        stored = session.get(Notification, notification_id)
        assert stored is not None and "Ayşe" not in stored.context and token not in stored.context
    [invite] = list(message.iter_attachments())
    assert invite.get_content_type() == "text/calendar" and invite.get_filename() == "einladung.ics"
    event = Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 12, 3, 19, 30, tzinfo=UTC)

    assert {c: d.status for c, d in deliveries(container, notification_id).items()} == {
        "email": DeliveryStatus.SENT,  # a registrant has no account, so no inbox
    }
    assert status(container, notification_id) == NotificationStatus.SENT


def test_smtp_down_is_an_outage_waited_out_without_counting_tries(
    private_database_url: str, clock: Clock
) -> None:
    port = free_port()
    container = make_container(private_database_url, port, clock)  # nothing listens on the port yet
    recipient = account(container)
    prefer(container, recipient, channels="email")
    notification_id = notify(container, recipient, "selfcheck_result")
    container.dispatcher().drain()

    email = deliveries(container, notification_id)["email"]
    assert email.status == DeliveryStatus.RETRY and email.attempts == 0  # the server's fault, not the mail's
    assert email.last_error is not None and email.last_error.startswith("SMTP unavailable")
    outage_retry = timedelta(seconds=container.settings.notification_outage_retry_s)
    assert email.next_attempt_at == clock.now + outage_retry

    # Far longer than every retry of the schedule together: an outage never kills a delivery.
    for _ in range(3 * container.settings.notification_max_attempts):
        clock.now += timedelta(hours=2)
        assert container.delivery_runner.send_bulk() == 1
    email = deliveries(container, notification_id)["email"]
    assert email.status == DeliveryStatus.RETRY and email.attempts == 0

    server = MailServer(port).start()
    try:
        assert container.delivery_runner.send_bulk() == 0  # not due yet: the outage pace is respected
        clock.now += outage_retry
        assert container.delivery_runner.send_bulk() == 1
        assert len(server.wait_for(1)) == 1
    finally:
        server.stop()
    email = deliveries(container, notification_id)["email"]
    assert email.status == DeliveryStatus.SENT and email.attempts == 1
    assert status(container, notification_id) == NotificationStatus.SENT


def test_while_smtp_is_down_one_try_a_round_stands_for_all_mails(
    private_database_url: str, clock: Clock
) -> None:
    container = make_container(private_database_url, free_port(), clock)
    recipients = [account(container) for _ in range(3)]
    for recipient in recipients:
        prefer(container, recipient, channels="email")
    ids = [notify(container, recipient, "selfcheck_result") for recipient in recipients]
    container.dispatcher().drain()  # the first try finds the server away; the others wait their turn
    clock.now += timedelta(hours=1)
    assert container.delivery_runner.send_bulk() == 1
    assert {deliveries(container, n)["email"].status for n in ids} == {
        DeliveryStatus.RETRY,
        DeliveryStatus.PENDING,
    }


def test_permanent_refusal_is_dead_lettered_and_admins_are_alerted(
    container: Container, mail: MailServer
) -> None:
    admin = account(container, Role.ADMIN, email=f"admin-{uuid.uuid4().hex[:6]}@example.org")
    recipient = account(container, email=f"bounce-{uuid.uuid4().hex[:6]}@example.org")
    notification_id = notify(container, recipient, "case_assigned")
    container.dispatcher().drain()  # plans and sends; the refusal plans an alert, drained as well

    by_channel = deliveries(container, notification_id)
    assert by_channel["email"].status == DeliveryStatus.DEAD and by_channel["email"].attempts == 1
    assert "550" in (by_channel["email"].last_error or "")
    assert by_channel["inbox"].status == DeliveryStatus.SENT
    assert status(container, notification_id) == NotificationStatus.FAILED

    with Session(container.engine) as session:
        letters = session.exec(
            select(OutboxRecord).where(OutboxRecord.topic == NOTIFICATIONS.dead_letter.name)
        ).all()
        mine = [row for row in letters if row.key == recipient]
        assert len(mine) == 1
        headers = dict(outbox.decode_headers(mine[0]))
        assert "550" in headers["error"] and headers["channel"] == "email"
        alerts = session.exec(
            select(Notification).where(
                Notification.recipient_id == admin, Notification.template == "delivery_failed"
            )
        ).all()
        assert len(alerts) == 1
    alert_mails = mail.wait_for_mail_to(admin_email(container, admin))
    assert len(alert_mails) == 1 and notification_id in alert_mails[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]


def admin_email(container: Container, account_id: str) -> str:
    from services.store.tables import Account

    with Session(container.engine) as session:
        found = session.get(Account, account_id)
        assert found is not None
        return found.email


def test_the_same_request_delivered_twice_sends_one_mail(container: Container, mail: MailServer) -> None:
    recipient = account(container)
    prefer(container, recipient, channels="email")
    with container.uow() as uow:
        notification_id = request_notification(
            uow,
            recipient_id=recipient,
            template="selfcheck_result",
            context=MESSAGES["selfcheck_result"].sample,
        )
        uow.commit()
    with Session(container.engine) as session:
        [original] = [
            row for row in session.exec(select(OutboxRecord).where(OutboxRecord.key == recipient)).all()
        ]
        for _ in range(2):  # the broker redelivers the very same bytes twice more
            outbox.add_raw(
                session,
                topic=NOTIFICATIONS.name,
                key=recipient,
                value=original.value,
                headers=[],
                now=container.clock(),
            )
        session.commit()
    container.dispatcher().drain()
    container.delivery_runner.send_bulk()
    wallclock.sleep(0.3)  # give a wrongly sent second mail time to arrive
    assert len(addressed_to(mail.messages(), admin_email(container, recipient))) == 1
    assert len(deliveries(container, notification_id)) == 1


def test_webhook_is_signed_and_verifiable_with_the_secret_from_the_api(
    container: Container, mail: MailServer
) -> None:
    receiver = WebhookReceiver()
    try:
        with api_client(create_app(container, run_dispatcher=False)) as client:
            recipient, email, token = signed_in_coordinator(container, client)
            answer = client.put(
                "/me/notification-preferences",
                json={"channels": ["webhook"], "webhook_url": receiver.url, "locale": "de"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 200, answer.text
            secret = answer.json()["webhook_secret"]
            again = client.get("/me/notification-preferences", headers={"Authorization": f"Bearer {token}"})
            assert again.json()["webhook_secret"] is None  # shown once only
        notification_id = notify(container, recipient, "case_assigned")
        container.dispatcher().drain()
        [(headers, body)] = receiver.requests
        assert verify_webhook(
            secret, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], body, now=wallclock.time()
        )
        assert not verify_webhook(
            "wrong", headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], body, wallclock.time()
        )
        [payload] = receiver.payloads()
        assert payload["message"] == "case_assigned" and payload["notification_id"] == notification_id
        assert payload["text"].startswith("DRINGEND: Neuer Fall F-2026-0042")
        assert addressed_to(mail.messages(), email) == []  # this recipient chose the webhook only
    finally:
        receiver.close()


def test_quiet_hours_hold_back_bulk_but_never_an_urgent_message(
    container: Container, mail: MailServer, clock: Clock
) -> None:
    clock.now = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    recipient = account(container)
    prefer(container, recipient, channels="email", quiet_start=time(22, 0), quiet_end=time(7, 0))
    bulk = notify(container, recipient, "selfcheck_result")
    urgent = notify(container, recipient, "case_assigned", urgent=True)
    container.dispatcher().drain()

    assert deliveries(container, bulk)["email"].next_attempt_at == datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    assert deliveries(container, bulk)["email"].status == DeliveryStatus.PENDING
    # urgent: every reachable channel, at once, whatever the preferences say
    assert {c: d.status for c, d in deliveries(container, urgent).items()} == {
        "email": DeliveryStatus.SENT,
        "inbox": DeliveryStatus.SENT,
    }
    email = admin_email(container, recipient)
    urgent_mail = mail.wait_for_mail_to(email)
    assert [m["Subject"] for m in urgent_mail] == ["[DRINGEND] Neuer Fall F-2026-0042 (kritisch)"]

    clock.now = datetime(2026, 11, 27, 6, 0, 1, tzinfo=UTC)
    container.delivery_runner.send_bulk()
    assert len(mail.wait_for_mail_to(email, 2)) == 2


def test_inbox_and_admin_status_endpoints(container: Container, mail: MailServer) -> None:
    with api_client(create_app(container, run_dispatcher=False)) as client:

        def sign_in(role: Role) -> tuple[str, dict[str, str]]:
            email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
            account_id = account(container, role, email=email)
            token = client.post("/auth/token", json={"email": email, "password": PASSWORD}).json()[
                "access_token"
            ]
            return account_id, {"Authorization": f"Bearer {token}"}

        owner, owner_auth = sign_in(Role.COORDINATOR)
        _, other_auth = sign_in(Role.COORDINATOR)
        _, admin_auth = sign_in(Role.ADMIN)
        notification_id = notify(container, owner, "case_assigned", urgent=True)
        container.dispatcher().drain()

        [message] = client.get("/me/inbox?unread=true", headers=owner_auth).json()
        assert message["title"] == "Neuer Fall F-2026-0042 (kritisch)" and message["urgent"] is True
        assert client.get("/me/inbox", headers=other_auth).json() == []
        assert client.post(f"/me/inbox/{message['id']}/read", headers=other_auth).status_code == 404
        read = client.post(f"/me/inbox/{message['id']}/read", headers=owner_auth)
        assert read.status_code == 200 and read.json()["read_at"] is not None
        assert client.get("/me/inbox?unread=true", headers=owner_auth).json() == []

        assert client.get("/admin/notifications", headers=owner_auth).status_code == 403
        detail = client.get(f"/admin/notifications/{notification_id}", headers=admin_auth).json()
        assert detail["status"] == "sent" and "context" not in detail
        assert {d["channel"]: d["status"] for d in detail["deliveries"]} == {"email": "sent", "inbox": "sent"}
        listed = client.get(
            f"/admin/notifications?status=sent&recipient_id={owner}", headers=admin_auth
        ).json()
        assert notification_id in [n["id"] for n in listed]

        bad = client.put("/me/notification-preferences", json={"channels": ["webhook"]}, headers=owner_auth)
        assert bad.status_code == 422 and "the webhook channel needs a webhook_url" in bad.text
        bad = client.put(
            "/me/notification-preferences",
            json={"channels": ["email"], "quiet_start": "22:00"},
            headers=owner_auth,
        )
        assert bad.status_code == 422 and "give both quiet_start and quiet_end" in bad.text


def test_inbox_messages_land_once_even_for_a_redelivered_request(container: Container) -> None:
    recipient = account(container)
    prefer(container, recipient, channels="inbox")
    notification_id = notify(container, recipient, "selfcheck_result")
    container.dispatcher().drain()
    container.dispatcher().drain()
    with Session(container.engine) as session:
        messages = session.exec(
            select(InboxMessage).where(col(InboxMessage.notification_id) == notification_id)
        ).all()
    assert len(messages) == 1


def test_too_many_temporary_failures_end_dead(database_url: str, mail: MailServer, clock: Clock) -> None:
    container = make_container(database_url, mail.port, clock)  # the server answers 451, every time
    recipient = account(container, email=f"greylisted-{uuid.uuid4().hex[:6]}@example.org")
    prefer(container, recipient, channels="email")
    notification_id = notify(container, recipient, "selfcheck_result")
    container.dispatcher().drain()
    for _ in range(container.settings.notification_max_attempts):
        clock.now += timedelta(hours=2)
        container.delivery_runner.send_bulk()
    email = deliveries(container, notification_id)["email"]
    assert email.status == DeliveryStatus.DEAD
    assert email.attempts == container.settings.notification_max_attempts
    assert status(container, notification_id) == NotificationStatus.DEAD


def test_without_smtp_mail_is_written_as_eml_files(database_url: str, clock: Clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from email import message_from_bytes, policy

    settings = pipeline_settings(database_url, data_dir=tmp_path)  # no SMTP host: the embedded default
    container = bootstrap(settings, clock=clock)
    recipient = registrant(container, f"jan-{uuid.uuid4().hex[:6]}@example.org")
    notification_id = notify(container, recipient, "registration_confirmed", recipient_kind="registration")
    container.dispatcher().drain()
    [eml] = list((tmp_path / "mail").glob(f"{notification_id}*.eml"))
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("Anmeldung bestätigt")
    assert [part.get_filename() for part in message.iter_attachments()] == ["einladung.ics"]


def test_webhooks_into_the_internal_network_are_refused_when_set_and_when_sent(
    database_url: str, mail: MailServer, clock: Clock
) -> None:
    settings = pipeline_settings(
        database_url, smtp_host="127.0.0.1", smtp_port=mail.port, smtp_starttls=False
    )
    container = bootstrap(settings, clock=clock)  # no allow-list
    receiver = WebhookReceiver()
    try:
        with api_client(create_app(container, run_dispatcher=False)) as client:
            recipient, _email, token = signed_in_coordinator(container, client)
            for url in (
                receiver.url,
                "http://169.254.169.254/latest/meta-data",
                "http://10.1.2.3/hook",
                "http://[::1]:9/x",
                "http://localhost:9/x",
                "ftp://example.org/x",
            ):
                answer = client.put(
                    "/me/notification-preferences",
                    json={"channels": ["webhook"], "webhook_url": url},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert answer.status_code == 422, (url, answer.text)
        # a webhook stored before this check (or a name that now resolves inward) is refused at send time
        prefer(container, recipient, channels="webhook", webhook_url=receiver.url, webhook_secret="s")
        notification_id = notify(container, recipient, "case_assigned")
        container.dispatcher().drain()
        webhook = deliveries(container, notification_id)["webhook"]
        assert webhook.status == DeliveryStatus.DEAD and "internal network" in (webhook.last_error or "")
        assert receiver.requests == []
    finally:
        receiver.close()


def test_a_burst_of_mails_shares_one_connection_that_a_restarted_server_does_not_break() -> None:
    def message(n: int, recipient: str = "") -> OutgoingMail:
        recipient = recipient or f"m{n}@example.org"
        head = f"From: noreply@weltoffen.invalid\r\nTo: {recipient}\r\nSubject: Nr. {n}\r\n\r\n"
        return OutgoingMail("noreply@weltoffen.invalid", recipient, f"<{n}@x>", (head + "Hallo\r\n").encode())

    server = MailServer().start()
    sender = SmtpSender("127.0.0.1", server.port, starttls=False)
    try:
        for n in range(5):
            sender.send(message(n))
        assert len(server.handler.received) == 5 and server.handler.greetings == 1  # one connection
        server.stop()
        server = MailServer(server.port).start()  # the kept connection is dead now
        sender.send(message(5))
        assert len(server.handler.received) == 1 and server.handler.greetings == 1  # a new one, at once
        with pytest.raises(DeliveryError) as refused:
            sender.send(message(6, "bounce@example.org"))
        assert refused.value.permanent and not refused.value.outage
        sender.send(message(7))  # after a refusal: a fresh connection, delivered
        assert len(server.handler.received) == 2
    finally:
        server.stop()
    with pytest.raises(DeliveryError) as away:
        sender.send(message(8))
    assert away.value.outage  # the server is gone: an outage, as before


def test_a_mail_to_an_address_that_is_not_ascii_goes_where_the_server_offers_smtputf8() -> None:
    rendered = Renderer().render(
        "registration_confirmed",
        "de",
        MESSAGES["registration_confirmed"].sample,
        datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    )
    built = build_email(
        Mail(
            "Gemeinde Großenlüder <noreply@weltoffen.invalid>",
            "ayşe@örnek.example",
            "<u-1@x>",
            datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        ),
        rendered,
    )
    assert built.smtputf8
    server = MailServer().start()
    try:
        SmtpSender("127.0.0.1", server.port, starttls=False).send(built)
        assert server.handler.recipients == ["ayşe@örnek.example"]
        [received] = server.messages()
        assert received["To"] == "ayşe@örnek.example" and received["Subject"] == rendered.subject
    finally:
        server.stop()
    plain = MailServer(smtputf8=False).start()  # no SMTPUTF8: never sent mangled, tried again later
    try:
        with pytest.raises(DeliveryError) as refused:
            SmtpSender("127.0.0.1", plain.port, starttls=False).send(built)
        assert not refused.value.permanent and plain.handler.received == []
    finally:
        plain.stop()


def _plan_mails(container: Container, count: int) -> list[str]:
    recipients = [account(container) for _ in range(count)]
    for recipient in recipients:
        prefer(container, recipient, channels="email")
    ids = [notify(container, recipient, "selfcheck_result") for recipient in recipients]
    EmbeddedDispatcher(container.engine, container.processor(), clock=container.clock).drain()  # plans only
    return ids


def test_senders_running_at_once_send_every_mail_exactly_once(
    private_database_url: str, mail: MailServer, clock: Clock
) -> None:
    container = make_container(private_database_url, mail.port, clock)
    ids = _plan_mails(container, 60)
    runner = container.delivery_runner
    with ThreadPoolExecutor(4) as senders:
        attempted = sum(senders.map(lambda limit: runner.send_due(urgent=False, limit=limit), [7, 7, 7, 7]))
    attempted += runner.send_bulk()  # whatever a sender left behind when it found no more work
    assert attempted == 60
    received = mail.wait_for(60)
    assert sorted(m["To"] for m in received) == sorted({m["To"] for m in received})  # none twice
    assert len(received) == 60
    for notification_id in ids:
        email = deliveries(container, notification_id)["email"]
        assert (email.status, email.attempts, email.lease_until) == (DeliveryStatus.SENT, 1, None)
        assert status(container, notification_id) == NotificationStatus.SENT
    assert mail.handler.greetings <= 5  # each sending thread kept its one connection


def test_what_a_batch_could_not_send_within_its_lease_is_handed_back_untried(
    private_database_url: str, mail: MailServer, clock: Clock
) -> None:
    container = make_container(private_database_url, mail.port, clock)
    ids = _plan_mails(container, 5)
    accept, slow = mail.handler.handle_DATA, [True]

    async def slow_server(server: Any, session: Any, envelope: Any) -> str:
        if slow[0]:  # (a connection keeps the hooks it was opened with)
            clock.now += timedelta(seconds=container.settings.notification_lease_s)  # the lease runs out
        return await accept(server, session, envelope)

    mail.handler.handle_DATA = slow_server  # type: ignore[method-assign]
    assert container.delivery_runner.send_bulk() == 1  # the first was sent; the lease then ran out
    rows = [deliveries(container, n)["email"] for n in ids]
    sent = [row for row in rows if row.status == DeliveryStatus.SENT]
    waiting = [row for row in rows if row.status != DeliveryStatus.SENT]
    assert len(sent) == 1 and sent[0].attempts == 1
    assert {(row.status, row.attempts, row.lease_until) for row in waiting} == {
        (DeliveryStatus.PENDING, 0, None)  # not an attempt, and nobody holds them
    }
    assert all(row.next_attempt_at == clock.now for row in waiting)  # due again at once
    slow[0] = False
    assert container.delivery_runner.send_bulk() == 4
    assert len(mail.wait_for(5)) == 5
    assert {status(container, n) for n in ids} == {NotificationStatus.SENT}


def test_an_alerts_channels_go_out_at_the_same_time(container: Container, mail: MailServer) -> None:
    """The urgent sender does not send an alert's mail only after its webhook was answered (nor the
    other way round): each side waits here until it has seen the other arrive. Sent one after the
    other, the first would wait in vain."""
    mail_arriving, waited = threading.Event(), 3.0
    seen: dict[str, bool] = {}

    def hold_webhook() -> None:
        seen["mail while the webhook waited"] = mail_arriving.wait(waited)

    receiver = WebhookReceiver(before_answer=hold_webhook)
    accept = mail.handler.handle_DATA

    async def hold_mail(server: Any, session: Any, envelope: Any) -> str:
        mail_arriving.set()
        deadline = wallclock.monotonic() + waited
        while not receiver.requests and wallclock.monotonic() < deadline:
            await asyncio.sleep(0.01)
        seen["webhook while the mail waited"] = bool(receiver.requests)
        return await accept(server, session, envelope)

    mail.handler.handle_DATA = hold_mail  # type: ignore[method-assign]
    try:
        recipient = account(container)
        prefer(container, recipient, channels="email,webhook", webhook_url=receiver.url, webhook_secret="s")
        notification_id = notify(container, recipient, "case_assigned", urgent=True)
        EmbeddedDispatcher(container.engine, container.processor(), clock=container.clock).drain()
        assert container.delivery_runner.send_urgent() == 3
    finally:
        receiver.close()
    assert seen == {"mail while the webhook waited": True, "webhook while the mail waited": True}
    sent = deliveries(container, notification_id)
    assert {channel: row.status for channel, row in sent.items()} == {
        "email": DeliveryStatus.SENT,
        "webhook": DeliveryStatus.SENT,
        "inbox": DeliveryStatus.SENT,  # an alert lands in the in-app inbox too
    }
    assert status(container, notification_id) == NotificationStatus.SENT
