"""Hostility incidents through the API, embedded transport, on both databases, with a real SMTP
server. Time is injected: deadlines and escalations are driven by moving the clock."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from events import decode
from events.catalog import INCIDENTS_URGENT
from services.bootstrap import Container
from services.incidents.tables import Case, Incident
from services.notify.tables import Notification
from services.store.tables import OutboxRecord, Role
from tests.support.clock import Clock
from tests.support.mail import MailServer
from tests.support.people import Person, person, sign_in
from tests.support.places import own_ags

pytestmark = pytest.mark.integration
NARRATIVE = "Seit Wochen schreibt mir jemand nachts Drohungen: Er wisse, wo meine Kinder zur Schule gehen."


@pytest.fixture
def ags() -> str:
    """A municipality of this test alone, in a district of its own (tests.support.places)."""
    return own_ags()


def report(client: TestClient, official: Person, ags: str, **changes: Any) -> dict[str, Any]:
    body = {
        "kind": "threat",
        "channel": "email",
        "occurred_at": datetime.now(UTC).isoformat(),
        "municipality_ags": ags,
        "targets": ["self"],
        "immediate_danger": False,
        "narrative": NARRATIVE,
        "perpetrator_handles": [],
        "support_wanted": ["legal"],
        "language": "de",
    }
    body.update(changes)
    answer = client.post("/incidents", json=body, headers=official.auth)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def run(container: Container) -> None:
    """What the worker does: handle events, send what they planned."""
    container.dispatcher().drain()


def case_of(container: Container, case_id: str) -> Case:
    with Session(container.engine) as session:
        found = session.get(Case, case_id)
        assert found is not None
        return found


def subjects_to(mail: MailServer, email: str) -> list[str]:
    return [m["Subject"] for m in mail.messages() if m["To"] == email]


def team(container: Container, client: TestClient, ags: str) -> tuple[Person, Person, Person]:
    """Two security coordinators (one busier) and a team lead, all covering the municipality."""
    busy = person(
        container, Role.COORDINATOR, region=ags, expertise="security,legal", client=client, name="busy"
    )
    with container.uow() as uow:  # give 'busy' an open case so the other one is less loaded
        from services.incidents.tables import Case as CaseRow

        uow.session.add(
            CaseRow(
                id=str(uuid.uuid4()),
                ref=f"X-{busy.id[:8]}",
                incident_id=_dummy_incident(uow, ags),
                region_ags=ags,
                status="acknowledged",
                assignee_id=busy.id,
                created_at=uow.clock(),
                updated_at=uow.clock(),
            )
        )
        uow.commit()
    free = person(
        container, Role.COORDINATOR, region=ags, expertise="security,legal", client=client, name="free"
    )
    lead = person(
        container,
        Role.COORDINATOR,
        region=ags[:5],
        expertise="legal",
        team_lead=True,
        client=client,
        name="lead",
    )
    return free, busy, lead


def _dummy_incident(uow: Any, ags: str) -> str:
    import uuid

    incident = Incident(
        id=str(uuid.uuid4()),
        kind="insult",
        channel="email",
        occurred_at=uow.clock(),
        municipality_ags=ags,
        targets="self",
        narrative_enc=b"-",
        reported_at=uow.clock() - timedelta(days=400),
    )
    uow.session.add(incident)
    uow.session.flush()
    return incident.id


def test_report_is_triaged_routed_and_the_coordinator_told(
    container: Container, client: TestClient, mail: MailServer, ags: str
) -> None:
    free, busy, lead = team(container, client, ags)
    official = person(container, Role.OFFICIAL, client=client)
    answer = report(client, official, ags, targets=["self", "family"], children_involved=True)
    assert (
        answer["status"] == "new"
        and answer["case_ref"].startswith("F-")
        and answer["emergency_advice"] is None
    )
    run(container)

    case = case_of(container, answer["case_id"])
    assert case.severity == "critical"  # threat: high, family +1 -> critical (children would raise further)
    assert case.status == "assigned" and case.assignee_id == free.id  # the less loaded of the two
    assert case.escalation_chain.startswith(f'["{free.id}", "{busy.id}", "{lead.id}"')
    assert case.acknowledge_by == container.clock() + timedelta(minutes=15)
    detail = client.get(f"/cases/{case.id}", headers=free.auth).json()
    assert detail["routing_rule"] == "emergency-security"
    assert any("family_targeted" in r for r in detail["triage_reasons"])
    assert [h["action"] for h in detail["history"]] == ["assigned"]
    assert {o["kind"] for o in detail["offers"]} >= {"legal_advice", "security_consultation"}
    assert "police_liaison" not in {o["kind"] for o in detail["offers"]}  # no consent given
    assert subjects_to(mail, free.email) == [f"[DRINGEND] Neuer Fall {case.ref} (kritisch)"]
    assert subjects_to(mail, official.email) == [f"Ihre Meldung ist angekommen: {case.ref}"]


def test_immediate_danger_answers_call_110_and_takes_the_urgent_lane(
    container: Container, client: TestClient, ags: str
) -> None:
    admin = person(container, Role.ADMIN)
    official = person(container, Role.OFFICIAL, client=client)
    answer = report(client, official, ags, kind="insult", immediate_danger=True)
    assert "110" in answer["emergency_advice"]["de"] and "110" in answer["emergency_advice"]["en"]
    with Session(container.engine) as session:
        rows = session.exec(select(OutboxRecord).where(OutboxRecord.topic == INCIDENTS_URGENT.name)).all()
        assert answer["case_id"] in [decode(r.value).event.case_id for r in rows]  # type: ignore[attr-defined]
    run(container)
    case = case_of(container, answer["case_id"])
    assert case.severity == "critical"
    assert case.status == "queued"  # nobody covers this municipality: programme queue and an alert
    with Session(container.engine) as session:
        alerts = session.exec(select(Notification).where(Notification.template == "case_queued")).all()
        assert any(a.subject_id == case.id and a.urgent and a.recipient_id == admin.id for a in alerts)


def test_invalid_reports_get_field_messages_and_store_nothing(
    container: Container, client: TestClient, ags: str
) -> None:
    official = person(container, Role.OFFICIAL, client=client)
    with Session(container.engine) as session:
        before = session.exec(select(func.count()).select_from(Incident)).one()
    bad = {
        "kind": "rumour",
        "channel": "email",
        "occurred_at": "2099-01-01T00:00:00+00:00",
        "municipality_ags": "99123456",
        "targets": [],
        "immediate_danger": False,
        "narrative": "short",
    }
    answer = client.post("/incidents", json=bad, headers=official.auth)
    assert answer.status_code == 422
    fields = {tuple(e["loc"][1:]): e["msg"] for e in answer.json()["detail"]}
    assert set(fields) >= {("kind",), ("occurred_at",), ("municipality_ags",), ("targets",), ("narrative",)}
    assert "federal state" in fields[("municipality_ags",)] and "future" in fields[("occurred_at",)]
    with Session(container.engine) as session:
        assert session.exec(select(func.count()).select_from(Incident)).one() == before


def test_anonymous_report_with_case_code_and_secret(
    container: Container, client: TestClient, ags: str
) -> None:
    body = {
        "kind": "doxxing",
        "channel": "online",
        "occurred_at": datetime.now(UTC).isoformat(),
        "municipality_ags": ags,
        "targets": ["staff"],
        "immediate_danger": False,
        "narrative": NARRATIVE,
    }
    answer = client.post("/incidents/anonymous", json=body)
    assert answer.status_code == 201
    code, secret = answer.json()["anonymous_code"], answer.json()["anonymous_secret"]
    assert code.startswith("A-") and len(secret) > 20
    run(container)
    status = client.get(f"/anonymous/cases/{code}", headers={"X-Case-Secret": secret})
    assert status.status_code == 200 and status.json()["severity"] == "high"
    assert "takedown_request" in status.json()["offers"]
    assert client.get(f"/anonymous/cases/{code}", headers={"X-Case-Secret": "guess"}).status_code == 404
    added = client.post(
        f"/anonymous/cases/{code}/information",
        json={"text": "Er hat jetzt auch meine Adresse gepostet."},
        headers={"X-Case-Secret": secret},
    )
    assert added.status_code == 201
    # the code as people type it: lower case, with spaces and dashes
    typed = " ".join([code[:4].lower(), "-", code[4:8].lower(), code[8:]])
    assert client.get(f"/anonymous/cases/{typed}", headers={"X-Case-Secret": secret}).status_code == 200
    # a closed case takes no more information, and says why
    with container.uow() as uow:
        case = uow.session.exec(select(Case).where(Case.anonymous_code == code)).one()
        case.status = "closed"
        uow.commit()
    closed = client.post(
        f"/anonymous/cases/{code}/information",
        json={"text": "Noch etwas."},
        headers={"X-Case-Secret": secret},
    )
    assert closed.status_code == 409 and "report it as a new incident" in closed.json()["detail"]


def test_unacknowledged_case_escalates_to_the_backup_until_acknowledged(
    container: Container, client: TestClient, mail: MailServer, clock: Clock, ags: str
) -> None:
    free, busy, lead = team(container, client, ags)
    official = person(container, Role.OFFICIAL, client=client)
    case_id = report(client, official, ags, kind="stalking")["case_id"]  # stalking: high, 2 h to acknowledge
    run(container)
    assert case_of(container, case_id).assignee_id == free.id

    clock.now += timedelta(minutes=119)
    container.case_timers.escalate_due()
    assert case_of(container, case_id).escalation_level == 0  # not yet
    clock.now += timedelta(minutes=2)
    container.case_timers.escalate_due()
    run(container)
    case = case_of(container, case_id)
    assert case.assignee_id == busy.id and case.escalation_level == 1
    ref = case.ref
    assert subjects_to(mail, busy.email) == [f"[DRINGEND] Eskaliert: Fall {ref} (hoch)"]

    clock.now += timedelta(minutes=121)
    container.case_timers.escalate_due()
    run(container)
    assert case_of(container, case_id).assignee_id == lead.id  # then the team lead
    assert (
        client.post(f"/cases/{case_id}/acknowledge", headers=free.auth).status_code == 403
    )  # not theirs now
    acknowledged = client.post(f"/cases/{case_id}/acknowledge", headers=lead.auth)
    assert acknowledged.status_code == 200 and acknowledged.json()["status"] == "acknowledged"

    clock.now += timedelta(hours=10)
    container.case_timers.escalate_due()
    assert case_of(container, case_id).escalation_level == 2  # acknowledgement stopped the escalation
    sign_in(client, lead)  # the clock moved past the token's lifetime
    history = [h["action"] for h in client.get(f"/cases/{case_id}", headers=lead.auth).json()["history"]]
    assert history == ["assigned", "escalated", "escalated", "acknowledged"]


def test_missed_safety_checkin_escalates(
    container: Container, client: TestClient, mail: MailServer, clock: Clock, ags: str
) -> None:
    free, busy, _ = team(container, client, ags)
    official = person(container, Role.OFFICIAL, client=client)
    case_id = report(client, official, ags, kind="stalking")["case_id"]
    run(container)
    assert client.post(f"/cases/{case_id}/acknowledge", headers=free.auth).status_code == 200
    enabled = client.post(
        f"/cases/{case_id}/checkin/enable", json={"interval_minutes": 60}, headers=official.auth
    )
    assert enabled.status_code == 200
    clock.now += timedelta(minutes=50)
    assert client.post(f"/cases/{case_id}/checkin", headers=official.auth).status_code == 200
    clock.now += timedelta(minutes=59)
    container.case_timers.checkins_due()
    assert case_of(container, case_id).status == "acknowledged"
    clock.now += timedelta(minutes=2)
    container.case_timers.checkins_due()
    run(container)
    case = case_of(container, case_id)
    assert case.status == "assigned" and case.assignee_id == busy.id  # needs a fresh acknowledgement
    [escalated] = [m for m in mail.messages() if m["To"] == busy.email and "Eskaliert" in m["Subject"]]
    body = escalated.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Sicherheits-Check-in verpasst" in body


def test_campaign_links_cases_and_alerts_their_coordinators(
    container: Container, client: TestClient, mail: MailServer, clock: Clock, ags: str
) -> None:
    free = person(container, Role.COORDINATOR, region=ags, expertise="takedown", client=client)
    first, second = (person(container, Role.OFFICIAL, client=client) for _ in range(2))
    ids = []
    for official in (first, second, first):
        ids.append(report(client, official, ags, kind="hate_speech_online", support_wanted=[])["case_id"])
        clock.now += timedelta(hours=2)
        run(container)
    cases = [case_of(container, i) for i in ids]
    assert cases[0].campaign_id is not None and {c.campaign_id for c in cases} == {cases[0].campaign_id}
    detail = client.get(f"/cases/{ids[0]}", headers=free.auth).json()
    assert "linked_to_campaign" in [h["action"] for h in detail["history"]]
    campaign = client.get(f"/campaigns/{cases[0].campaign_id}", headers=free.auth)
    assert campaign.status_code == 200 and sorted(c["id"] for c in campaign.json()["cases"]) == sorted(ids)
    assert client.get(f"/campaigns/{cases[0].campaign_id}", headers=first.auth).status_code == 403
    assert any(s.startswith(f"Mögliche Kampagne im Kreis {ags[:5]}") for s in subjects_to(mail, free.email))


def test_shared_perpetrator_handle_is_a_campaign_across_districts(
    container: Container, client: TestClient, clock: Clock, ags: str
) -> None:
    other_ags = f"{(int(ags[:2]) % 16) + 1:02d}{ags[2:]}"
    official, colleague = (person(container, Role.OFFICIAL, client=client) for _ in range(2))
    handle = f"@hetzer_{random.randint(0, 10**9)}"
    a = report(client, official, ags, perpetrator_handles=[handle])["case_id"]
    run(container)
    b = report(client, colleague, other_ags, perpetrator_handles=[handle.upper()])["case_id"]
    run(container)
    assert case_of(container, a).campaign_id is not None
    assert case_of(container, a).campaign_id == case_of(container, b).campaign_id


def test_narrative_and_notes_are_encrypted_at_rest(
    container: Container, client: TestClient, ags: str
) -> None:
    official = person(container, Role.OFFICIAL, client=client)
    case_id = report(client, official, ags)["case_id"]
    client.post(
        f"/cases/{case_id}/information",
        json={"text": "Heute kam ein Brief ohne Absender."},
        headers=official.auth,
    )
    with Session(container.engine) as session:
        incident = session.exec(
            select(Incident).join(Case, col(Case.incident_id) == col(Incident.id)).where(Case.id == case_id)
        ).one()
        assert b"Drohungen" not in incident.narrative_enc
        raw = session.connection().exec_driver_sql("SELECT body_enc FROM case_note").fetchall()
        assert all(b"Absender" not in bytes(row[0]) for row in raw)
    detail = client.get(f"/cases/{case_id}", headers=official.auth).json()
    assert detail["narrative"] == NARRATIVE
    assert [n["text"] for n in detail["notes"]] == ["Heute kam ein Brief ohne Absender."]


def test_offers_are_answered_by_the_official_and_delivered_by_the_coordinator(
    container: Container, client: TestClient, ags: str
) -> None:
    free, _, _ = team(container, client, ags)
    official = person(container, Role.OFFICIAL, client=client)
    case_id = report(client, official, ags, kind="threat", consent_police=True)["case_id"]
    run(container)
    offers = {
        o["kind"]: o["id"] for o in client.get(f"/cases/{case_id}", headers=official.auth).json()["offers"]
    }
    assert "police_liaison" in offers
    base = f"/cases/{case_id}/offers"
    assert client.post(f"{base}/{offers['legal_advice']}/accept", headers=free.auth).status_code == 403
    assert (
        client.post(f"{base}/{offers['legal_advice']}/accept", headers=official.auth).json()["status"]
        == "accepted"
    )
    assert client.post(f"{base}/{offers['police_liaison']}/decline", headers=official.auth).status_code == 200
    assert client.post(f"{base}/{offers['legal_advice']}/decline", headers=official.auth).status_code == 409
    assert client.post(f"{base}/{offers['legal_advice']}/delivered", headers=official.auth).status_code == 403
    delivered = client.post(f"{base}/{offers['legal_advice']}/delivered", headers=free.auth)
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    assert client.post(f"{base}/{offers['police_liaison']}/delivered", headers=free.auth).status_code == 409


def test_duty_shifts_decide_who_is_on_duty(container: Container, clock: Clock, ags: str) -> None:
    from services.incidents.cases import coordinators
    from services.incidents.tables import DutyShift

    night = person(container, Role.COORDINATOR, region=ags, expertise="security", name="night")
    day = person(container, Role.COORDINATOR, region=ags, expertise="security", name="day")
    free = person(container, Role.COORDINATOR, region=ags, expertise="security", name="no-schedule")
    with container.uow() as uow:
        now = uow.clock()
        uow.session.add(
            DutyShift(
                id=str(uuid.uuid4()),
                account_id=night.id,
                starts_at=now - timedelta(hours=10),
                ends_at=now - timedelta(hours=2),
            )
        )
        uow.session.add(
            DutyShift(
                id=str(uuid.uuid4()),
                account_id=day.id,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=7),
            )
        )
        uow.commit()
        duty = {c.account_id: c.on_duty for c in coordinators(uow.session, now)}
    assert duty[night.id] is False and duty[day.id] is True and duty[free.id] is True
