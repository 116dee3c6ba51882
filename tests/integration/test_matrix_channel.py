"""The Matrix channel against a real Synapse homeserver (started by infra/test.sh), people on their
phones played by matrix-nio: a coordinator confirms their Matrix ID with the code the bot sends, a
critical report reaches them in their room, a stranger's reaction does nothing, theirs acknowledges
the case exactly as the API would; an unconfirmed ID gets nothing but its code."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from notifications.messages import MESSAGES
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.incidents.tables import CaseHistory
from services.notify.requests import request_notification
from services.notify.tables import MatrixRoom, Notification, NotificationDelivery, NotificationPreference
from services.store.tables import Role
from tests.integration.test_incidents import case_of, report, run
from tests.support.api import api_client
from tests.support.mail import MailServer, free_port
from tests.support.matrix import Homeserver, Messenger
from tests.support.people import Person, person
from tests.support.pipeline import pipeline_settings
from tests.support.places import own_ags, own_district

pytestmark = pytest.mark.integration
URGENT_WAIT_S = 60  # as the urgent-lane test waits for its mail; the benchmark measures the figure


@pytest.fixture
def ags() -> str:
    """A municipality of this test alone, in a district of its own (tests.support.places)."""
    return own_ags()


@pytest.fixture
def matrix_site(
    database_url: str, mail: MailServer, homeserver: Homeserver
) -> Iterator[tuple[Container, TestClient]]:
    bot = homeserver.register()
    settings = pipeline_settings(
        database_url,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_starttls=False,
        matrix_homeserver=homeserver.url,
        matrix_user_id=bot.user_id,
        matrix_access_token=bot.access_token,
        matrix_wait_ms=200,
    )
    container = bootstrap(settings)
    assert container.matrix_replies is not None
    container.matrix_replies.run_once()  # the bot's first reading only marks where to start
    with api_client(create_app(container, run_dispatcher=False)) as client:
        yield container, client


def deliver(container: Container) -> None:
    run(container)
    container.delivery_runner.send_urgent()
    container.delivery_runner.send_bulk()


def confirmed_phone(
    container: Container, client: TestClient, homeserver: Homeserver, who: Person
) -> Messenger:
    phone = Messenger(homeserver, homeserver.register())
    answer = client.put(
        "/me/notification-preferences/matrix", json={"matrix_id": phone.user.user_id}, headers=who.auth
    )
    assert answer.status_code == 202 and answer.json()["matrix_confirmed"] is False, answer.text
    early = client.put(
        "/me/notification-preferences", json={"channels": ["matrix"]}, headers=who.auth
    )  # not before it is confirmed
    assert early.status_code == 422 and "confirm your Matrix ID" in early.text
    deliver(container)
    _, _, text, _ = phone.wait_for("Bestätigungscode")
    code = re.search(r"\b(\d{6})\b", text)
    assert code is not None, text
    wrong = "000000" if code.group(1) != "000000" else "111111"
    refused = client.post(
        "/me/notification-preferences/matrix/confirm", json={"code": wrong}, headers=who.auth
    )
    assert refused.status_code == 422
    confirmed = client.post(
        "/me/notification-preferences/matrix/confirm", json={"code": code.group(1)}, headers=who.auth
    )
    assert confirmed.status_code == 200 and confirmed.json()["matrix_confirmed"] is True
    again = client.post(
        "/me/notification-preferences/matrix/confirm", json={"code": code.group(1)}, headers=who.auth
    )
    assert again.status_code == 422  # a code confirms once
    chosen = client.put(
        "/me/notification-preferences", json={"channels": ["matrix", "email"]}, headers=who.auth
    )
    assert chosen.status_code == 200 and chosen.json()["channels"] == ["matrix", "email"]
    return phone


def test_a_critical_report_reaches_the_coordinator_who_acknowledges_from_the_messenger(
    matrix_site: tuple[Container, TestClient], homeserver: Homeserver, ags: str
) -> None:
    container, client = matrix_site
    coordinator = person(
        container, Role.COORDINATOR, region=ags, expertise="security,legal,psychosocial", client=client
    )
    phone = confirmed_phone(container, client, homeserver, coordinator)
    official = person(container, Role.OFFICIAL, client=client)
    try:
        started = time.monotonic()
        answer = report(client, official, ags, immediate_danger=True)
        deadline = started + URGENT_WAIT_S
        while not [m for m in phone.messages if answer["case_ref"] in m[2]] and time.monotonic() < deadline:
            deliver(container)
            phone.read()
        room_id, alert_id, text, arrived = phone.wait_for(answer["case_ref"], timeout_s=1)
        assert arrived - started < URGENT_WAIT_S
        assert "DRINGEND" in text and "mit einem Emoji reagieren" in text
        assert "Drohungen" not in text  # no more than the short text: never the narrative
        case_id = answer["case_id"]
        assert case_of(container, case_id).status == "assigned"

        stranger = Messenger(homeserver, homeserver.register())  # let into the room by the phone's owner
        phone.invite(room_id, stranger.user.user_id)
        stranger.read()  # accepts the invitation
        stranger.react(room_id, alert_id)
        stranger.say(room_id, "ok")
        assert container.matrix_replies is not None
        container.matrix_replies.run_once()
        assert case_of(container, case_id).status == "assigned"  # nothing happened

        phone.react(room_id, alert_id)
        for _ in range(20):
            if container.matrix_replies.run_once():
                break
        acknowledged = case_of(container, case_id)
        assert acknowledged.status == "acknowledged" and acknowledged.next_escalation_at is None
        with Session(container.engine) as session:
            line = session.exec(
                select(CaseHistory).where(
                    CaseHistory.case_id == case_id, CaseHistory.action == "acknowledged"
                )
            ).one()
        assert line.actor_id == coordinator.id and '"via": "matrix"' in line.detail
        assert phone.wait_for("Bestätigt: Fall")[2].startswith("Bestätigt: Fall " + answer["case_ref"])
        shown = client.get(f"/cases/{case_id}", headers=coordinator.auth).json()
        assert {"action": "acknowledged", "detail": {"via": "matrix"}}.items() <= {
            k: v for line in shown["history"] if line["action"] == "acknowledged" for k, v in line.items()
        }.items()
        stranger.close()
    finally:
        phone.close()


def test_an_unconfirmed_id_gets_nothing_but_its_code(
    matrix_site: tuple[Container, TestClient], homeserver: Homeserver, ags: str
) -> None:
    container, client = matrix_site
    coordinator = person(
        container, Role.COORDINATOR, region=ags, expertise="security,legal,psychosocial", client=client
    )
    phone = Messenger(homeserver, homeserver.register())
    try:
        set_id = client.put(
            "/me/notification-preferences/matrix",
            json={"matrix_id": phone.user.user_id},
            headers=coordinator.auth,
        )
        assert set_id.status_code == 202
        official = person(container, Role.OFFICIAL, client=client)
        answer = report(client, official, ags, immediate_danger=True)
        deliver(container)
        phone.wait_for("Bestätigungscode")
        with Session(container.engine) as session:
            alert = session.exec(
                select(Notification).where(
                    Notification.subject_id == answer["case_id"], Notification.recipient_id == coordinator.id
                )
            ).first()
            assert alert is not None
            channels = set(
                session.exec(
                    select(NotificationDelivery.channel).where(
                        NotificationDelivery.notification_id == alert.id
                    )
                ).all()
            )
        assert "matrix" not in channels and "email" in channels  # urgent: every channel but this one
        phone.read()
        assert not [m for m in phone.messages if answer["case_ref"] in m[2]]
        bad = client.put(
            "/me/notification-preferences/matrix",
            json={"matrix_id": "mayor@example.org"},
            headers=coordinator.auth,
        )
        assert bad.status_code == 422 and "@name:example.org" in bad.text
    finally:
        phone.close()


def _confirmed(container: Container, account_id: str, matrix_id: str) -> None:
    """A Matrix ID confirmed earlier (the confirmation itself is tested above)."""
    with container.uow() as uow:
        uow.session.add(
            NotificationPreference(
                account_id=account_id,
                channels="matrix,email",
                matrix_id=matrix_id,
                matrix_confirmed_at=uow.clock(),
                updated_at=uow.clock(),
            )
        )
        uow.commit()


def _alert(container: Container, account_id: str) -> str:
    with container.uow() as uow:
        notification_id = request_notification(
            uow,
            recipient_id=account_id,
            template="case_assigned",
            context=MESSAGES["case_assigned"].stored_sample(),
            urgent=True,
        )
        uow.commit()
    return notification_id


def _matrix_delivery(container: Container, notification_id: str) -> NotificationDelivery:
    with Session(container.engine) as session:
        return session.exec(
            select(NotificationDelivery).where(
                NotificationDelivery.notification_id == notification_id,
                NotificationDelivery.channel == "matrix",
            )
        ).one()


def test_a_homeserver_that_is_away_is_waited_for_and_a_refusal_is_given_up_loudly(
    database_url: str, mail: MailServer, homeserver: Homeserver
) -> None:
    bot = homeserver.register()
    common = {"smtp_host": "127.0.0.1", "smtp_port": mail.port, "smtp_starttls": False}
    away = bootstrap(
        pipeline_settings(
            database_url,
            matrix_homeserver=f"http://127.0.0.1:{free_port()}",  # nothing listens there
            matrix_user_id=bot.user_id,
            matrix_access_token=bot.access_token,
            notification_outage_retry_s=0.05,
            **common,
        )
    )
    coordinator = person(away, Role.COORDINATOR, region=own_district(16), expertise="security")
    admin = person(away, Role.ADMIN)
    phone = Messenger(homeserver, homeserver.register())
    try:
        _confirmed(away, coordinator.id, phone.user.user_id)
        waiting = _alert(away, coordinator.id)
        for _ in range(5):
            deliver(away)
            time.sleep(0.06)
        delivery = _matrix_delivery(away, waiting)
        assert delivery.status == "retry" and delivery.attempts == 0  # an outage: no try counted
        assert delivery.last_error is not None and "Matrix unavailable" in delivery.last_error
        assert mail.wait_for_mail_to(coordinator.email, 1)  # the other channels do not wait for it

        back = bootstrap(
            pipeline_settings(
                database_url,
                matrix_homeserver=homeserver.url,
                matrix_user_id=bot.user_id,
                matrix_access_token=bot.access_token,
                **common,
            )
        )
        deliver(back)
        assert _matrix_delivery(back, waiting).status == "sent"
        phone.wait_for(MESSAGES["case_assigned"].sample["case_ref"])

        with back.uow() as uow:  # the bot was put out of the room: the homeserver refuses
            room = uow.session.get(MatrixRoom, phone.user.user_id)
            assert room is not None
            room.room_id = "!not-a-room-of-the-bot:weltoffen.test"
            uow.session.add(room)
            uow.commit()
        refused = _alert(back, coordinator.id)
        deliver(back)
        assert _matrix_delivery(back, refused).status == "dead"
        with Session(back.engine) as session:
            alerts = session.exec(
                select(Notification).where(
                    Notification.template == "delivery_failed", Notification.recipient_id == admin.id
                )
            ).all()
        assert [json.loads(a.context)["channel"] for a in alerts] == ["matrix"]
    finally:
        phone.close()
