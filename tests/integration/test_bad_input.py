"""Input that crashed the service or was wrongly accepted: each is a 4xx a person can act on now."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.bootstrap import Container
from services.store.tables import Role
from tests.integration.test_incidents import report
from tests.support.clock import Clock
from tests.support.people import Person, person, sign_in

pytestmark = pytest.mark.integration


def raw(client: TestClient, path: str, body: str, person_: Person | None = None) -> Any:
    headers = {"Content-Type": "application/json", **(person_.auth if person_ else {})}
    return client.post(path, content=body.encode(), headers=headers)


def dialogue_body(clock: Clock, **changes: Any) -> dict[str, Any]:
    starts = clock.now + timedelta(days=20)
    body = {
        "title": "Bürgerdialog Zusammenhalt",
        "format": "citizen_dialogue",
        "municipality_ags": "03241001",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "venue": "Rathaus",
        "capacity": 5,
        "registration_opens_at": clock.now.isoformat(),
        "registration_closes_at": (starts - timedelta(days=1)).isoformat(),
    }
    return {**body, **changes}


def test_numbers_json_cannot_carry_are_a_422_not_a_crash(
    container: Container, client: TestClient, clock: Clock
) -> None:
    organiser = person(container, Role.ORGANISER, client=client)
    for path, body, who in (
        ("/auth/token", '{"email": NaN, "password": "x"}', None),
        ("/incidents/anonymous", '{"kind": "threat", "narrative": Infinity}', None),
        ("/dialogues/x/registrations", '{"name": NaN, "email": -Infinity}', None),
        ("/selfchecks", '{"population": NaN}', None),
        ("/dialogues", '{"capacity": 1e309}', organiser),
    ):
        answer = raw(client, path, body, who)
        assert answer.status_code in (401, 422), (path, answer.status_code, answer.text)
        assert answer.json()["detail"]


def test_choice_answers_of_the_wrong_shape_are_named_not_a_crash(
    container: Container, client: TestClient
) -> None:
    town = person(
        container, Role.MUNICIPALITY, municipality_ags=f"03{uuid.uuid4().int % 10**6:06d}", client=client
    )
    round_id = client.post("/selfchecks", json={"population": 12000}, headers=town.auth).json()["id"]
    link = client.post(f"/selfchecks/{round_id}/respondents", json={"label": "A"}, headers=town.auth).json()
    path = link["answer_url"][link["answer_url"].index("/selfchecks") :]
    questionnaire = client.get("/selfchecks/questionnaires/2026.1").json()
    choice = next(q["id"] for f in questionnaire["fields"] for q in f["questions"] if q["type"] == "choice")
    for wrong in ([], {}, ["some"], 3):
        answer = client.put(path, json={"answers": {choice: wrong}})
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["loc"] == ["body", "answers", choice]


def test_dialogue_plans_that_cannot_work_are_refused(
    container: Container, client: TestClient, clock: Clock
) -> None:
    organiser = person(container, Role.ORGANISER, client=client)
    for changes in (
        {"reminder_hours": [10**9]},
        {"reminder_hours": list(range(1, 20001))},
        {"brief_days": [0]},
        {"quotas": {f"g{n}": 0 for n in range(11)}},
        {"municipality_ags": "\u0660\u0663\u0662\u0664\u0661\u0660\u0660\u0661"},  # Arabic-Indic digits
        {
            "starts_at": (clock.now - timedelta(days=2)).isoformat(),
            "ends_at": (clock.now - timedelta(days=2, hours=-2)).isoformat(),
            "registration_opens_at": (clock.now - timedelta(days=9)).isoformat(),
            "registration_closes_at": (clock.now - timedelta(days=3)).isoformat(),
        },
        {
            "starts_at": clock.now.replace(
                year=9999, month=1, day=1
            ).isoformat(),  # not .replace(year=9999) alone: a random 29 February has no year 9999
            "ends_at": (clock.now.replace(year=9999, month=1, day=1) + timedelta(hours=2)).isoformat(),
        },
    ):
        answer = client.post("/dialogues", json=dialogue_body(clock, **changes), headers=organiser.auth)
        assert answer.status_code == 422, (changes.keys(), answer.text)
    # a draft whose start has passed cannot be published any more
    draft = client.post("/dialogues", json=dialogue_body(clock), headers=organiser.auth).json()
    clock.now += timedelta(days=21)
    sign_in(client, organiser)  # a new day, a new sign-in
    late = client.post(f"/dialogues/{draft['id']}/publish", headers=organiser.auth)
    assert late.status_code == 422 and "past" in late.json()["detail"]


def test_codes_in_other_digits_nul_characters_and_huge_bodies_are_refused(
    container: Container, client: TestClient
) -> None:
    admin = person(container, Role.ADMIN, client=client)
    account = {"email": f"c-{uuid.uuid4().hex[:6]}@example.org", "display_name": "C", "role": "coordinator"}
    account |= {"password": "correct horse battery", "region": "\u0660\u0665"}
    assert client.post("/accounts", json=account, headers=admin.auth).status_code == 422
    nul = raw(client, "/auth/token", '{"email": "a\\u0000@example.org", "password": "x"}')
    assert nul.status_code == 422 and "NUL" in nul.json()["detail"]
    huge = raw(client, "/auth/token", '{"email": "' + "a" * (3 * 1024 * 1024) + '"}')
    assert huge.status_code == 413


def test_the_registrant_list_cannot_carry_a_spreadsheet_formula(
    container: Container, client: TestClient, clock: Clock
) -> None:
    organiser = person(container, Role.ORGANISER, client=client)
    dialogue_id = client.post("/dialogues", json=dialogue_body(clock), headers=organiser.auth).json()["id"]
    client.post(f"/dialogues/{dialogue_id}/publish", headers=organiser.auth)
    for name in ('=HYPERLINK("https://evil.example","Klick")', "+49 Anruf", "@SUM(A1)", "Ayşe"):
        body = {"name": name, "email": f"{uuid.uuid4().hex[:6]}@example.org", "privacy_consent": "2026-1"}
        assert client.post(f"/dialogues/{dialogue_id}/registrations", json=body).status_code == 202
    container.dispatcher().drain()
    exported = client.get(f"/dialogues/{dialogue_id}/registrations.csv", headers=organiser.auth).text
    names = sorted(row[0] for row in list(csv.reader(io.StringIO(exported)))[1:])
    assert names == ["'+49 Anruf", '\'=HYPERLINK("https://evil.example","Klick")', "'@SUM(A1)", "Ayşe"]


def test_evidence_is_what_it_says_and_keeps_no_path(container: Container, client: TestClient) -> None:
    official = person(container, Role.OFFICIAL, client=client)
    case_id = report(client, official, "03241001")["case_id"]

    def upload(name: str, data: bytes) -> Any:
        files = {"file": (name, data, "text/plain")}
        return client.post(f"/cases/{case_id}/evidence", files=files, headers=official.auth)

    assert upload("shot.txt", b"\x7fELF\x02\x01\x01\x00binary").status_code == 422
    assert upload("latin1.txt", "Drohung: Straße".encode("latin-1")).status_code == 422
    kept = upload("../../etc/passwd", b"Wir wissen, wo du wohnst.")
    assert kept.status_code == 201, kept.text
    detail = client.get(f"/cases/{case_id}", headers=official.auth).json()
    assert [f["filename"] for f in detail["evidence_files"]] == ["passwd"]
