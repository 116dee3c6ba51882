"""Routing on a fresh install and two-way contact, through the API with a real SMTP server: the demo
routes a report from every federal state; an unrouted critical case pages the on-call until claimed;
an official sees who handles the case and talks with them; going off duty hands cases to the backup."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.demo.loader import load_demo
from services.demo.municipalities import MUNICIPALITIES, STATES
from services.incidents.tables import Case, CaseNote, CoordinatorProfile
from services.notify.tables import Notification
from services.store.tables import Role
from tests.integration.test_incidents import NARRATIVE, case_of, report, run, subjects_to
from tests.support.api import api_client
from tests.support.clock import Clock
from tests.support.mail import MailServer
from tests.support.people import Person, person, sign_in
from tests.support.pipeline import pipeline_settings
from tests.support.places import own_district

pytestmark = pytest.mark.integration
BERLIN_NIGHT = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 23:30 in Berlin


@pytest.fixture
def private(private_database_url: str, mail: MailServer) -> Iterator[tuple[Container, TestClient, Clock]]:
    """A database of this test alone: the demo and the rota are installation-wide."""
    clock = Clock()
    clock.now = BERLIN_NIGHT
    settings = pipeline_settings(
        private_database_url,
        smtp_host="127.0.0.1",
        smtp_port=mail.port,
        smtp_starttls=False,
        anonymous_reports_per_minute=100,  # one address sends a report from every state
    )
    container = bootstrap(settings, clock=clock)
    with api_client(create_app(container, run_dispatcher=False)) as client:
        yield container, client, clock


def anonymous_report(client: TestClient, ags: str, **changes: Any) -> dict[str, Any]:
    body = {
        "kind": "threat",
        "channel": "email",
        "occurred_at": datetime.now(UTC).isoformat(),
        "municipality_ags": ags,
        "targets": ["self"],
        "immediate_danger": False,
        "narrative": NARRATIVE,
    } | changes
    answer = client.post("/incidents/anonymous", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_after_the_demo_a_report_from_every_state_reaches_a_coordinator_of_that_state(
    private: tuple[Container, TestClient, Clock],
) -> None:
    container, client, clock = private
    demo = load_demo(container.engine, clock)
    assert {s.role for s in demo.sign_ins} == {
        "admin",
        "coordinator",
        "official",
        "organiser",
        "municipality",
    }
    assert len({s.password for s in demo.sign_ins}) == len(demo.sign_ins)  # fresh, one each
    kinds = [  # kind, support wanted, language -> the expertise routing must find
        ("threat", [], "de", "security"),
        ("hate_speech_online", [], "en", "takedown"),
        ("insult", ["psychosocial"], "en", "psychosocial"),
        ("insult", [], "de", "legal"),
    ]
    sent = []
    for number, state in enumerate(STATES):
        ags = next(a for a in MUNICIPALITIES if a.startswith(state))
        kind, wanted, language, expertise = kinds[number % len(kinds)]
        answer = anonymous_report(client, ags, kind=kind, support_wanted=wanted, language=language)
        sent.append((answer["case_id"], state, language, expertise))
    run(container)
    with Session(container.engine) as session:
        for case_id, state, language, expertise in sent:
            case = session.get(Case, case_id)
            assert case is not None and case.status == "assigned", (state, case and case.routing_snapshot)
            assert json.loads(case.routing_snapshot)["expertise"] == expertise
            profile = session.get(CoordinatorProfile, case.assignee_id)
            assert profile is not None
            assert any(state.startswith(p) for p in profile.regions.split(",")), (state, profile.regions)
            assert expertise in profile.expertise.split(",") and language in profile.languages.split(",")
    # the demo's people can sign in, and a signed-in official's report is routed too
    official = next(s for s in demo.sign_ins if s.role == "official")
    token = client.post("/auth/token", json={"email": official.email, "password": official.password})
    assert token.status_code == 200
    me = Person("", official.email, Role.OFFICIAL, token.json()["access_token"])
    routed = report(client, me, "03254021", kind="stalking")
    run(container)
    assert case_of(container, routed["case_id"]).status == "assigned"


def test_an_unrouted_critical_case_pages_on_call_and_admins_until_someone_claims_it(
    private: tuple[Container, TestClient, Clock], mail: MailServer
) -> None:
    container, client, clock = private
    admin = person(container, Role.ADMIN, client=client, name="admin")
    on_call = person(container, Role.COORDINATOR, region="09", expertise="security", client=client, name="oc")
    elsewhere = person(container, Role.COORDINATOR, region="09", expertise="legal", client=client, name="x")
    rota = {
        "turns": [
            {"account_id": on_call.id, "starts_at": "2026-12-01T19:00:00Z", "ends_at": "2026-12-02T07:00:00Z"}
        ]
    }
    assert client.put("/on-call", json=rota, headers=on_call.auth).status_code == 403
    saved = client.put("/on-call", json=rota, headers=admin.auth)
    assert saved.status_code == 200, saved.text
    assert saved.json()["on_call_now"] == [on_call.id] and saved.json()["warnings"] == []
    shown = client.get("/on-call", params={"start": "2026-12-01T12:00:00Z", "days": 1}, headers=admin.auth)
    assert [g[0][11:16] for g in shown.json()["gaps"]] == ["13:00", "08:00"]  # Berlin time, both sides

    # nobody covers state 07: a critical report there has no coordinator
    answer = anonymous_report(client, "07111000", immediate_danger=True)
    case_id = answer["case_id"]
    run(container)
    case = case_of(container, case_id)
    assert case.status == "queued" and case.assignee_id is None and case.severity == "critical"
    first_deadline = case.acknowledge_by
    for someone in (admin, on_call):
        assert any("URGENT" in s or "DRINGEND" in s for s in subjects_to(mail, someone.email))
    assert subjects_to(mail, elsewhere.email) == []
    # it is in the on-call's queue as unassigned, though outside their region; not in others'
    queue = client.get("/cases", headers=on_call.auth).json()
    assert [(c["id"], c["assignee_id"], c["status"]) for c in queue if c["id"] == case_id] == [
        (case_id, None, "queued")
    ]
    assert case_id not in [c["id"] for c in client.get("/cases", headers=elsewhere.auth).json()]

    assert _pages(container, case_id) == {0: {admin.id, on_call.id}}
    for round_ in (1, 2):
        clock.now += timedelta(minutes=16)
        container.case_timers.escalate_due()
        run(container)
        case = case_of(container, case_id)
        assert case.status == "queued" and case.escalation_level == round_
        assert case.acknowledge_by is not None and case.acknowledge_by > (first_deadline or clock.now)
        assert case.acknowledge_by == clock.now + timedelta(minutes=15)  # the deadline in force
        assert _pages(container, case_id)[round_] == {admin.id, on_call.id}  # both again, nobody else
    sign_in(client, on_call)
    claimed = client.post(
        f"/cases/{case_id}/reassign", json={"assignee_id": on_call.id}, headers=on_call.auth
    )
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status"] == "assigned"
    before = len(_page_rows(container, case_id))
    clock.now += timedelta(minutes=5)
    container.case_timers.escalate_due()
    run(container)
    assert len(_page_rows(container, case_id)) == before  # claimed: the paging stopped
    history = [h["action"] for h in client.get(f"/cases/{case_id}", headers=on_call.auth).json()["history"]]
    assert history == ["queued", "paged", "paged", "reassigned"]


def _page_rows(container: Container, case_id: str) -> list[Notification]:
    with Session(container.engine) as session:
        return list(
            session.exec(
                select(Notification).where(
                    Notification.subject_id == case_id, Notification.template == "case_queued"
                )
            ).all()
        )


def _pages(container: Container, case_id: str) -> dict[int, set[str]]:
    """Who was paged in each round."""
    rounds: dict[int, set[str]] = {}
    for row in _page_rows(container, case_id):
        rounds.setdefault(json.loads(row.context)["level"], set()).add(row.recipient_id)
    return rounds


def test_official_and_coordinator_talk_in_the_case_and_contact_is_shared_only_with_consent(
    container: Container, client: TestClient, mail: MailServer
) -> None:
    region = own_district(14)
    coordinator = person(
        container,
        Role.COORDINATOR,
        region=region,
        expertise="security,legal",
        client=client,
        name="Dr. Miriam Okafor",
    )
    official = person(container, Role.OFFICIAL, client=client, name="mayor")
    stranger = person(container, Role.OFFICIAL, client=client, name="other")
    case_id = report(client, official, f"{region}001", kind="threat")["case_id"]
    run(container)
    seen = client.get(f"/cases/{case_id}", headers=official.auth).json()
    assert seen["handler"]["display_name"] == "Dr. Miriam Okafor" and seen["handler"]["took_it"] is False
    assert seen["share_contact"] is False

    shared = client.patch(
        "/me/coordinator-profile", json={"shared_contact": "+49 5121 301-0"}, headers=coordinator.auth
    )
    assert shared.status_code == 200 and shared.json()["shared_contact"] == "+49 5121 301-0"
    assert client.post(f"/cases/{case_id}/acknowledge", headers=coordinator.auth).status_code == 200
    run(container)
    ref = case_of(container, case_id).ref
    assert f"Ihr Fall {ref}: Dr. Miriam Okafor kümmert sich darum" in subjects_to(mail, official.email)
    handler = client.get(f"/cases/{case_id}", headers=official.auth).json()["handler"]
    assert handler == {
        "display_name": "Dr. Miriam Okafor",
        "expertise": ["security", "legal"],
        "took_it": True,
        "contact": "+49 5121 301-0",
    }

    # the reporter's contact only with consent, and only for the assignee
    assert client.get(f"/cases/{case_id}", headers=coordinator.auth).json()["reporter_contact"] is None
    assert (
        client.put(
            f"/cases/{case_id}/contact-sharing", json={"share": True}, headers=stranger.auth
        ).status_code
        == 404
    )
    assert (
        client.put(
            f"/cases/{case_id}/contact-sharing", json={"share": True}, headers=official.auth
        ).status_code
        == 200
    )
    contact = client.get(f"/cases/{case_id}", headers=coordinator.auth).json()["reporter_contact"]
    assert contact == {"display_name": "mayor", "email": official.email}
    client.put(f"/cases/{case_id}/contact-sharing", json={"share": False}, headers=official.auth)
    assert client.get(f"/cases/{case_id}", headers=coordinator.auth).json()["reporter_contact"] is None

    # a conversation: each message notified to the other side, never with its text
    message = "Wir melden uns morgen früh telefonisch; bitte sichern Sie die Nachrichten als Screenshot."
    assert (
        client.post(f"/cases/{case_id}/messages", json={"text": message}, headers=official.auth).status_code
        == 403
    )
    assert (
        client.post(
            f"/cases/{case_id}/messages", json={"text": message}, headers=coordinator.auth
        ).status_code
        == 201
    )
    answer = "Danke, Screenshots sind gemacht. Heute Abend stand wieder jemand vor dem Haus."
    assert (
        client.post(f"/cases/{case_id}/information", json={"text": answer}, headers=official.auth).status_code
        == 201
    )
    run(container)
    assert f"Ihr Fall {ref}: eine neue Nachricht" in subjects_to(mail, official.email)
    assert f"Fall {ref}: neue Nachricht der meldenden Person" in subjects_to(mail, coordinator.email)
    for m in mail.messages():
        assert "Screenshot" not in m.as_string() and "vor dem Haus" not in m.as_string()
    notes = client.get(f"/cases/{case_id}", headers=official.auth).json()["notes"]
    assert [(n["from_reporter"], n["to_reporter"], n["text"]) for n in notes] == [
        (False, True, message),
        (True, False, answer),
    ]
    with Session(container.engine) as session:
        stored = session.exec(select(CaseNote).where(CaseNote.case_id == case_id)).all()
        assert all(b"Screenshot" not in n.body_enc and b"vor dem Haus" not in n.body_enc for n in stored)

    assert client.post(f"/cases/{case_id}/resolve", headers=coordinator.auth).status_code == 200
    run(container)
    assert f"Ihr Fall {ref} ist abgeschlossen" in subjects_to(mail, official.email)
    assert subjects_to(mail, official.email).count(f"Ihr Fall {ref}: eine neue Nachricht") == 1  # once


def test_an_anonymous_reporter_reads_answers_and_is_told_of_news_only_at_their_address(
    container: Container, client: TestClient, mail: MailServer
) -> None:
    region = own_district(16)
    coordinator = person(
        container,
        Role.COORDINATOR,
        region=region,
        expertise="takedown,legal",
        client=client,
        name="Jonas Richter",
    )
    answer = anonymous_report(client, f"{region}001", kind="doxxing", language="en")
    code, secret = answer["anonymous_code"], {"X-Case-Secret": answer["anonymous_secret"]}
    case_id = answer["case_id"]
    run(container)
    assert client.post(f"/cases/{case_id}/acknowledge", headers=coordinator.auth).status_code == 200
    address = {"address": "Someone.Anonymous@example.org"}
    assert (
        client.put(
            f"/anonymous/cases/{code}/news-address", json=address, headers={"X-Case-Secret": "x"}
        ).status_code
        == 404
    )
    assert (
        client.put(
            f"/anonymous/cases/{code}/news-address", json={"address": "no"}, headers=secret
        ).status_code
        == 422
    )
    left = client.put(f"/anonymous/cases/{code}/news-address", json=address, headers=secret)
    assert left.status_code == 200 and left.json()["news_address_set"] is True
    with Session(container.engine) as session:  # the address is encrypted at rest
        raw = (
            session.connection()
            .exec_driver_sql(
                "SELECT news_address FROM support_case WHERE id = %s"
                if container.engine.dialect.name == "postgresql"
                else "SELECT news_address FROM support_case WHERE id = ?",
                (case_id,),
            )
            .scalar()
        )
        assert raw and "example.org" not in raw

    question = "Which platform did they post your address on? We will file the take-down today."
    client.post(f"/cases/{case_id}/messages", json={"text": question}, headers=coordinator.auth)
    run(container)
    [news] = [m for m in mail.messages() if m["To"] == "someone.anonymous@example.org"]
    assert news["Subject"] == "There is news about your report"
    assert "platform" not in news.as_string() and "take-down" not in news.as_string()
    status = client.get(f"/anonymous/cases/{code}", headers=secret).json()
    assert status["handler"]["display_name"] == "Jonas Richter"
    assert [(m["from_reporter"], m["text"]) for m in status["messages"]] == [(False, question)]
    client.post(
        f"/anonymous/cases/{code}/information",
        json={"text": "On a forum, thread 'town hall'."},
        headers=secret,
    )
    run(container)
    assert "Case" in " ".join(subjects_to(mail, coordinator.email)) or subjects_to(mail, coordinator.email)
    status = client.get(f"/anonymous/cases/{code}", headers=secret).json()
    assert [m["from_reporter"] for m in status["messages"]] == [False, True]

    # deleted: no more news, not even that there is some
    assert (
        client.put(f"/anonymous/cases/{code}/news-address", json={"address": None}, headers=secret).json()[
            "news_address_set"
        ]
        is False
    )
    client.post(f"/cases/{case_id}/messages", json={"text": "Done."}, headers=coordinator.auth)
    run(container)
    assert len([m for m in mail.messages() if m["To"] == "someone.anonymous@example.org"]) == 1


def test_going_off_duty_with_open_cases_asks_and_hands_them_to_the_backup_or_the_queue(
    container: Container, client: TestClient, mail: MailServer
) -> None:
    region = own_district(12)
    admin = person(container, Role.ADMIN, client=client)
    leaving = person(
        container, Role.COORDINATOR, region=region, expertise="security", client=client, name="l"
    )
    backup = person(container, Role.COORDINATOR, region=region, expertise="security", client=client, name="b")
    profile = {"expertise": ["security"], "languages": ["de", "en"], "backup_id": backup.id}
    assert (
        client.put(f"/coordinators/{leaving.id}/profile", json=profile, headers=admin.auth).status_code == 200
    )
    bad = client.put(
        f"/coordinators/{leaving.id}/profile", json=profile | {"backup_id": admin.id}, headers=admin.auth
    )
    assert bad.status_code == 422 and "backup" in bad.json()["detail"]
    wrong_state = client.put(
        f"/coordinators/{leaving.id}/profile", json=profile | {"regions": ["17"]}, headers=admin.auth
    )
    assert wrong_state.status_code == 422 and "federal state" in wrong_state.text

    official = person(container, Role.OFFICIAL, client=client)
    cases = []
    for n in range(2):  # least loaded first: one case each
        cases.append(report(client, official, f"{region}00{n}", kind="threat", support_wanted=[])["case_id"])
        run(container)
    holders = {case_of(container, c).assignee_id: c for c in cases}
    assert set(holders) == {leaving.id, backup.id}

    asked = client.put("/me/duty", json={"on_duty": False}, headers=leaving.auth)
    assert asked.status_code == 409 and "hand_over" in asked.json()["detail"]
    assert case_of(container, holders[leaving.id]).assignee_id == leaving.id  # the question changed nothing
    off = client.put("/me/duty", json={"on_duty": False, "open_cases": "hand_over"}, headers=leaving.auth)
    assert off.status_code == 200 and off.json()["on_duty"] is False
    handed = case_of(container, holders[leaving.id])
    assert handed.status == "assigned" and handed.assignee_id == backup.id
    run(container)
    assert any(handed.ref in s and "Neuer Fall" in s for s in subjects_to(mail, backup.email))
    assert any(handed.ref in s for s in subjects_to(mail, leaving.email))  # told it left them

    # the backup has no backup: going off duty puts their cases back in the queue, which pages admins
    gone = client.put("/me/duty", json={"on_duty": False, "open_cases": "hand_over"}, headers=backup.auth)
    assert gone.status_code == 200
    for case_id in cases:
        queued = case_of(container, case_id)
        assert queued.status == "queued" and queued.assignee_id is None
    run(container)
    assert sum(case_of(container, c).ref in " ".join(subjects_to(mail, admin.email)) for c in cases) == 2

    # keeping them: nothing moves
    keeper = person(container, Role.COORDINATOR, region=region, expertise="security", client=client, name="k")
    kept = client.post(f"/cases/{cases[0]}/reassign", json={"assignee_id": keeper.id}, headers=admin.auth)
    assert kept.status_code == 200
    assert (
        client.put("/me/duty", json={"on_duty": False, "open_cases": "keep"}, headers=keeper.auth).status_code
        == 200
    )
    assert case_of(container, cases[0]).assignee_id == keeper.id
