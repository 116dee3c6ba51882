"""Dialogue events through the API, embedded transport, on both databases, with a real SMTP server.
Time is injected: reminders, briefs, the lottery and the retention purge run by moving the clock."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session, col, select

from services.bootstrap import Container
from services.crypto import keyed_hash
from services.dialogues.messages import notify_registration
from services.dialogues.registrations import manage_path
from services.dialogues.tables import Dialogue, Registration
from services.notify.tables import Notification
from services.store.tables import OutboxRecord, Role
from tests.support.clock import Clock
from tests.support.mail import MailServer
from tests.support.people import Person, person, sign_in
from workflows.dialogues.lottery import Entrant, draw

pytestmark = pytest.mark.integration


@pytest.fixture
def organiser(container: Container, client: TestClient) -> Person:
    return person(container, Role.ORGANISER, client=client)


def run(container: Container) -> None:
    container.dispatcher().drain()


def due(container: Container) -> None:
    """Tick the dialogue timer until nothing is due: on the shared database, other tests' jobs may
    be due at this test's time too, and one tick takes at most 100 of them."""
    while container.dialogue_timers.run_due():
        pass


def dialogue(client: TestClient, organiser: Person, clock: Clock, **changes: Any) -> str:
    starts = clock.now + timedelta(days=20)
    body: dict[str, Any] = {
        "title": "Bürgerdialog Zusammenhalt",
        "format": "citizen_dialogue",
        "municipality_ags": "03241001",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "venue": "Rathaus, Marktplatz 1",
        "accessibility": ["step_free"],
        "capacity": 3,
        "registration_opens_at": clock.now.isoformat(),
        "registration_closes_at": (starts - timedelta(days=1)).isoformat(),
        "languages": ["de", "en"],
        "survey_url": "https://umfrage.example/zusammenhalt",
    }
    body.update(changes)
    created = client.post("/dialogues", json=body, headers=organiser.auth)
    assert created.status_code == 201, created.text
    dialogue_id: str = created.json()["id"]
    published = client.post(f"/dialogues/{dialogue_id}/publish", headers=organiser.auth)
    assert published.status_code == 200, published.text
    return dialogue_id


def resident(client: TestClient, dialogue_id: str, name: str = "Ayşe", **changes: Any) -> Any:
    body: dict[str, Any] = {
        "name": name,
        "email": f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.org",
        "language": "de",
        "privacy_consent": "2026-1",
    }
    body.update(changes)
    return client.post(f"/dialogues/{dialogue_id}/registrations", json=body)


def mine(container: Container, answer: Any) -> tuple[str, str]:
    """The id of the registration a request made, and the path of its secret link — what its owner
    finds in their mail (the answer itself says nothing about it)."""
    sent = json.loads(answer.request.content)
    parts = answer.request.url.path.split("/")
    dialogue_id = parts[parts.index("dialogues") + 1]
    secret = container.settings.secret_key.get_secret_value()
    with Session(container.engine) as session:
        found = session.exec(
            select(Registration).where(
                Registration.dialogue_id == dialogue_id,
                Registration.email_hash == keyed_hash(secret, sent["email"].lower()),
            )
        ).one()
    return found.id, manage_path(secret, found.id)


def statuses(container: Container, dialogue_id: str) -> list[tuple[str, str, int | None]]:
    with Session(container.engine) as session:
        rows = session.exec(
            select(Registration)
            .where(Registration.dialogue_id == dialogue_id)
            .order_by(col(Registration.requested_at))
        ).all()
        return [(r.name or "", r.status, r.waitlist_position) for r in rows]


def to(mail: MailServer, email: str) -> list[Any]:
    return [m for m in mail.messages() if m["To"] == email]


def test_register_confirm_with_calendar_invite_and_never_a_second_seat(
    container: Container, client: TestClient, organiser: Person, mail: MailServer, clock: Clock
) -> None:
    dialogue_id = dialogue(client, organiser, clock)
    answer = resident(client, dialogue_id, needs={"sign_language": True, "children_ages": [2, 6]})
    assert answer.status_code == 202, answer.text
    assert set(answer.json()) == {"dialogue_id", "detail"}  # nothing about the registration itself
    registration_id, path = mine(container, answer)
    run(container)
    with Session(container.engine) as session:
        stored = session.get(Registration, registration_id)
        assert stored is not None and stored.status == "confirmed"
        email = stored.email or ""
    [message] = to(mail, email)
    assert message["Subject"] == "Anmeldung bestätigt: Bürgerdialog Zusammenhalt"
    # planned with the seat, without the registrant's encrypted details; filled in when sent
    text = message.get_body(("plain",)).get_content()
    assert "Guten Tag Ayşe," in text and path in text
    [invite] = list(message.iter_attachments())
    event = Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    with Session(container.engine) as session:
        row = session.get(Dialogue, dialogue_id)
        assert row is not None
        assert event.decoded("dtstart") == row.starts_at and event.decoded("dtend") == row.ends_at

    again = client.post(
        f"/dialogues/{dialogue_id}/registrations",
        json={"name": "Ayşe D.", "email": email.upper(), "privacy_consent": "2026-1"},
    )
    # the same answer as for a new address; the owner gets their own link by mail, once in ten minutes
    assert again.status_code == 202 and again.json() == answer.json()
    run(container)
    assert len(statuses(container, dialogue_id)) == 1
    [reminder] = [m for m in to(mail, email) if m["Subject"].startswith("Ihre Anmeldung")]
    assert path in reminder.get_body(preferencelist=("plain",)).get_content()
    client.post(
        f"/dialogues/{dialogue_id}/registrations",
        json={"name": "Ayşe D.", "email": email, "privacy_consent": "2026-1"},
    )
    run(container)
    assert len([m for m in to(mail, email) if m["Subject"].startswith("Ihre Anmeldung")]) == 1

    registration = client.get(path)
    assert registration.status_code == 200 and registration.json()["needs"]["sign_language"] is True
    assert client.get(path.replace("token=", "token=x")).status_code == 404


def test_first_come_first_served_then_waitlist_then_promotion(
    container: Container, client: TestClient, organiser: Person, mail: MailServer, clock: Clock
) -> None:
    dialogue_id = dialogue(client, organiser, clock, capacity=3)
    answers = [resident(client, dialogue_id, name=n) for n in ("Anna", "Ben", "Cem", "Dana", "Emil")]
    run(container)
    assert sorted(statuses(container, dialogue_id)) == [  # the clock stands still: sort by name
        ("Anna", "confirmed", None),
        ("Ben", "confirmed", None),
        ("Cem", "confirmed", None),
        ("Dana", "waitlisted", 1),
        ("Emil", "waitlisted", 2),
    ]
    alerts = [m["Subject"] for m in to(mail, organiser.email)]
    assert alerts == ["100 % belegt: Bürgerdialog Zusammenhalt"]  # not also "80 %: 3 of 3"

    base, query = mine(container, answers[1])[1].split("?")
    assert client.post(f"{base}/cancel?{query}").json()["status"] == "cancelled"
    run(container)
    assert sorted(s for s in statuses(container, dialogue_id) if s[0] in ("Dana", "Emil")) == [
        ("Dana", "confirmed", None),
        ("Emil", "waitlisted", 1),  # moved up when Dana was promoted
    ]
    promoted = [
        m for m in mail.messages() if m["Subject"] == "Ein Platz ist frei geworden: Bürgerdialog Zusammenhalt"
    ]
    assert len(promoted) == 1 and [a.get_filename() for a in promoted[0].iter_attachments()] == [
        "einladung.ics"
    ]
    assert client.post(f"{base}/cancel?{query}").status_code == 409


def test_clear_answers_when_registration_is_not_possible(
    container: Container, client: TestClient, organiser: Person, clock: Clock
) -> None:
    full = dialogue(client, organiser, clock, capacity=1, waitlist_enabled=False)
    assert resident(client, full).status_code == 202
    refused = resident(client, full, name="Zweite")
    assert refused.status_code == 409 and "full and has no waiting list" in refused.json()["detail"]

    later = dialogue(
        client, organiser, clock, registration_opens_at=(clock.now + timedelta(days=2)).isoformat()
    )
    assert "registration opens at" in resident(client, later).json()["detail"]
    cancelled = dialogue(client, organiser, clock)
    client.post(f"/dialogues/{cancelled}/cancel", headers=organiser.auth)
    assert resident(client, cancelled).json()["detail"] == "this dialogue has been cancelled"
    consent = resident(client, full, name="Dritte", privacy_consent="2019")
    assert consent.status_code == 422 and "version 2026-1" in consent.json()["detail"]
    invalid = client.post(
        f"/dialogues/{full}/registrations", json={"name": "", "email": "no", "privacy_consent": "2026-1"}
    )
    assert invalid.status_code == 422
    assert {e["loc"][-1] for e in invalid.json()["detail"]} == {"name", "email"}
    draft = client.post(
        "/dialogues",
        headers=organiser.auth,
        json={
            "title": "Entwurf",
            "format": "online",
            "municipality_ags": "03241001",
            "starts_at": (clock.now + timedelta(days=3)).isoformat(),
            "ends_at": (clock.now + timedelta(days=3, hours=1)).isoformat(),
            "capacity": 5,
            "registration_opens_at": clock.now.isoformat(),
            "registration_closes_at": (clock.now + timedelta(days=2)).isoformat(),
        },
    ).json()
    assert resident(client, draft["id"]).status_code == 404
    clock.now += timedelta(days=30)
    assert resident(client, full).json()["detail"] == "this dialogue has already taken place"


def test_a_new_time_is_sent_to_everyone_with_a_new_invite_and_cancellation_too(
    container: Container, client: TestClient, organiser: Person, mail: MailServer, clock: Clock
) -> None:
    dialogue_id = dialogue(client, organiser, clock, capacity=1)
    for name in ("Anna", "Ben"):
        resident(client, dialogue_id, name=name)
    run(container)
    current = client.get(f"/dialogues/{dialogue_id}").json()
    moved = datetime.fromisoformat(current["starts_at"]) + timedelta(days=1)
    body = {
        k: current[k]
        for k in (
            "title",
            "description",
            "format",
            "venue",
            "capacity",
            "accessibility",
            "registration_opens_at",
            "registration_closes_at",
            "languages",
        )
    }
    body.update(starts_at=moved.isoformat(), ends_at=(moved + timedelta(hours=3)).isoformat())
    changed = client.put(f"/dialogues/{dialogue_id}", json=body, headers=organiser.auth)
    assert changed.status_code == 200 and changed.json()["registrants_notified"] is True
    run(container)
    notices = [m for m in mail.messages() if m["Subject"] == "Geändert: Bürgerdialog Zusammenhalt"]
    assert len(notices) == 2  # the confirmed one and the one waiting
    # the confirmed one's notice (the two are sent in no particular order)
    [(notice, confirmation)] = [
        (n, m) for n in notices for m in to(mail, n["To"]) if m["Subject"].startswith("Anmeldung bestätigt")
    ]
    event = Calendar.from_ical(next(iter(notice.iter_attachments())).get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == moved.astimezone(UTC)
    # the calendar replaces the entry of the confirmation: same UID, a higher SEQUENCE
    addressee = notice["To"]
    first = Calendar.from_ical(next(iter(confirmation.iter_attachments())).get_content()).walk("VEVENT")[0]
    assert str(first["uid"]) == str(event["uid"]) and int(event["sequence"]) > int(first["sequence"])

    clock.now += timedelta(minutes=1)
    assert client.post(f"/dialogues/{dialogue_id}/cancel", headers=organiser.auth).status_code == 200
    run(container)
    [called_off] = [m for m in to(mail, addressee) if m["Subject"].startswith("Abgesagt")]
    [removal] = list(called_off.iter_attachments())
    assert removal.get_param("method") == "CANCEL" and removal.get_filename() == "absage.ics"
    gone = Calendar.from_ical(removal.get_content()).walk("VEVENT")[0]
    assert str(gone["uid"]) == str(event["uid"]) and int(gone["sequence"]) > int(event["sequence"])
    assert len([m for m in mail.messages() if m["Subject"] == "Abgesagt: Bürgerdialog Zusammenhalt"]) == 2


def test_reminders_brief_survey_and_retention_on_time(
    container: Container, client: TestClient, organiser: Person, mail: MailServer, clock: Clock
) -> None:
    dialogue_id = dialogue(client, organiser, clock, capacity=10)
    for index, name in enumerate(("Anna", "Ben", "Cem", "Dana")):
        needs = {"interpreter_languages": ["ar"], "children_ages": [1, 4] if index == 0 else []}
        if index == 1:
            needs["sign_language"] = True
        resident(client, dialogue_id, name=name, needs=needs)
    run(container)
    starts = datetime.fromisoformat(client.get(f"/dialogues/{dialogue_id}").json()["starts_at"])

    clock.now = starts - timedelta(days=7)
    due(container)
    run(container)
    [brief] = [m for m in to(mail, organiser.email) if m["Subject"].startswith("Logistik in 7 Tagen")]
    text = brief.get_body(("plain",)).get_content()
    assert "Angemeldet: 4 von 10 Plätzen" in text
    assert "DGS-Dolmetschung buchen" in text and "Dolmetschung ar buchen (4 Personen)" in text
    assert "Kinderbetreuung: 2 Betreuungskräfte für 2 Kinder" in text
    # the DGS interpreter was due 14 days before: overdue, first in the list, and the brief is urgent
    tasks = text[text.index("Zu erledigen:") :]
    assert (
        tasks.index("ÜBERFÄLLIG")
        < tasks.index("DGS-Dolmetschung")
        < tasks.index("Kinderbetreuung: 2 Betreuungskräfte")
    )
    with Session(container.engine) as session:
        sent = session.exec(
            select(Notification).where(
                Notification.subject_id == dialogue_id, Notification.template == "logistics_brief"
            )
        ).one()
        assert sent.urgent

    clock.now = starts - timedelta(hours=48)
    due(container)
    run(container)
    reminders = [
        m for m in mail.messages() if m["Subject"].startswith("Erinnerung: Bürgerdialog Zusammenhalt")
    ]
    assert len(reminders) == 4
    due(container)  # a second tick sends nothing again
    run(container)
    assert len([m for m in mail.messages() if m["Subject"].startswith("Erinnerung")]) == 4

    clock.now = starts + timedelta(hours=1)
    sign_in(client, organiser)
    rows = client.get(f"/dialogues/{dialogue_id}/registrations", headers=organiser.auth).json()
    for row in rows[:3]:
        client.post(
            f"/dialogues/{dialogue_id}/registrations/{row['id']}/attendance",
            json={"attended": True},
            headers=organiser.auth,
        )
    client.post(
        f"/dialogues/{dialogue_id}/registrations/{rows[3]['id']}/attendance",
        json={"attended": False},
        headers=organiser.auth,
    )
    clock.now = starts + timedelta(hours=5)
    due(container)
    run(container)
    assert len([m for m in mail.messages() if m["Subject"].startswith("Wie war es?")]) == 3  # attendees only

    # a message to a registrant still waiting to go out when their data is deleted is withdrawn
    with container.uow() as uow:
        registration = uow.session.get(Registration, rows[0]["id"])
        stored = uow.session.get(Dialogue, dialogue_id)
        assert registration is not None and stored is not None
        notify_registration(uow, registration, stored, "registration_reminder")
        uow.commit()
    clock.now = starts + timedelta(days=31)
    due(container)
    run(container)
    with Session(container.engine) as session:
        late = session.exec(
            select(Notification).where(
                Notification.recipient_id == rows[0]["id"], Notification.template == "registration_reminder"
            )
        ).all()
        assert [n.status for n in late if n.status != "sent"] == ["cancelled"]
        letters = session.exec(select(OutboxRecord).where(col(OutboxRecord.topic).like("%.dlt"))).all()
        assert not [r for r in letters if rows[0]["id"].encode() in r.value]
    sign_in(client, organiser)
    figures = client.get(f"/dialogues/{dialogue_id}/figures", headers=organiser.auth).json()
    assert figures["by_status"] == {"attended": 3, "no_show": 1} and figures["attendance_rate"] == 0.75
    with Session(container.engine) as session:
        rows_after = session.exec(select(Registration).where(Registration.dialogue_id == dialogue_id)).all()
        assert all(r.name is None and r.email is None and r.email_hash is None for r in rows_after)
        assert sum(r.sign_language for r in rows_after) == 1  # counts stay


def test_lottery_with_quota_is_fair_recorded_and_repeatable(
    container: Container, client: TestClient, organiser: Person, clock: Clock
) -> None:
    dialogue_id = dialogue(
        client, organiser, clock, capacity=4, allocation="lottery", quotas={"first_time": 2}
    )
    assert client.get(f"/dialogues/{dialogue_id}").json()["quota_groups"] == ["first_time"]
    invented = resident(client, dialogue_id, name="Erfunden", groups=["erfunden"])
    assert invented.status_code == 422 and "the groups of this dialogue are: first_time" in invented.text
    for n in range(10):
        resident(client, dialogue_id, name=f"P{n}", groups=["first_time"] if n >= 7 else [])
    run(container)
    assert {s for _, s, _ in statuses(container, dialogue_id)} == {"requested"}
    closes = datetime.fromisoformat(client.get(f"/dialogues/{dialogue_id}").json()["registration_closes_at"])
    clock.now = closes + timedelta(minutes=1)
    due(container)
    run(container)
    with Session(container.engine) as session:
        stored = session.get(Dialogue, dialogue_id)
        assert stored is not None and stored.lottery_seed is not None
        rows = session.exec(select(Registration).where(Registration.dialogue_id == dialogue_id)).all()
    confirmed = {r.id for r in rows if r.status == "confirmed"}
    waiting = sorted((r.waitlist_position, r.id) for r in rows if r.status == "waitlisted")
    assert len(confirmed) == 4 and len(waiting) == 6
    assert len([r for r in rows if r.id in confirmed and "first_time" in r.groups]) >= 2
    replay = draw(
        [Entrant(r.id, frozenset(g for g in r.groups.split(",") if g)) for r in rows],
        4,
        {"first_time": 2},
        stored.lottery_seed,
    )
    assert set(replay.confirmed) == confirmed and list(replay.waitlist) == [i for _, i in waiting]


def test_export_has_only_what_the_event_needs_and_strangers_see_nothing(
    container: Container, client: TestClient, organiser: Person, clock: Clock
) -> None:
    dialogue_id = dialogue(client, organiser, clock)
    resident(client, dialogue_id, phone="+49 30 1234567", needs={"step_free": True, "dietary": "vegan"})
    run(container)
    export = client.get(f"/dialogues/{dialogue_id}/registrations.csv", headers=organiser.auth)
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert rows[0]["name"] == "Ayşe" and rows[0]["step_free"] == "1" and rows[0]["dietary"] == "vegan"
    assert "@" not in export.text and "1234567" not in export.text

    other = person(container, Role.ORGANISER, client=client)
    official = person(container, Role.OFFICIAL, client=client)
    town = person(container, Role.MUNICIPALITY, municipality_ags="03241001", client=client)
    for stranger in (other, official):
        for path in ("registrations", "registrations.csv", "figures"):
            assert client.get(f"/dialogues/{dialogue_id}/{path}", headers=stranger.auth).status_code in (
                403,
                404,
            )
        assert client.post(f"/dialogues/{dialogue_id}/cancel", headers=stranger.auth).status_code in (
            403,
            404,
        )
    assert client.get(f"/dialogues/{dialogue_id}/figures", headers=town.auth).status_code == 200
    assert client.post(f"/dialogues/{dialogue_id}/cancel", headers=town.auth).status_code == 403
    assert client.get(f"/dialogues/{dialogue_id}/registrations", headers=town.auth).status_code == 403


def test_the_waiting_list_keeps_the_order_registrations_were_made_even_when_they_arrive_swapped(
    container: Container, client: TestClient, organiser: Person, clock: Clock
) -> None:
    """Two transactions committing at the same moment can reach the worker in the other order. The
    waiting list, and so the promotion, follows the time each registration was made."""
    dialogue_id = dialogue(client, organiser, clock, capacity=1)
    first = resident(client, dialogue_id, name="Anna")
    run(container)
    made = clock.now
    clock.now = made + timedelta(seconds=2)
    resident(client, dialogue_id, name="Cem")  # made last, arrives first
    clock.now = made + timedelta(seconds=1)
    resident(client, dialogue_id, name="Ben")  # made before Cem, arrives after him
    clock.now = made + timedelta(seconds=3)
    resident(client, dialogue_id, name="Dana")
    run(container)
    assert statuses(container, dialogue_id) == [
        ("Anna", "confirmed", None),
        ("Ben", "waitlisted", 1),
        ("Cem", "waitlisted", 2),
        ("Dana", "waitlisted", 3),
    ]

    base, query = mine(container, first)[1].split("?")
    assert client.post(f"{base}/cancel?{query}").json()["status"] == "cancelled"
    run(container)
    promoted = [name for name, state, _ in statuses(container, dialogue_id) if state == "confirmed"]
    assert promoted == ["Ben"]


def test_the_same_email_registering_twice_at_the_same_moment_is_answered_as_a_repeat(
    container: Container, client: TestClient, organiser: Person, clock: Clock
) -> None:
    """Both requests read 'not registered yet'; the one that commits second meets the unique row.
    It used to answer 500; now it is answered like any other repeat, with one registration."""
    from services.dialogues.registrations import RegistrationCreate, register, register_once
    from services.store.uow import UnitOfWork

    dialogue_id = dialogue(client, organiser, clock, capacity=5)
    body = RegistrationCreate(
        name="Ada", email=f"ada-{uuid.uuid4().hex[:6]}@example.org", privacy_consent="2026-1"
    )

    class RacedUnitOfWork(UnitOfWork):
        """Commits the other request's registration just before committing its own."""

        raced = False

        def commit(self) -> None:
            if not RacedUnitOfWork.raced:
                RacedUnitOfWork.raced = True
                with container.uow() as other:
                    register(other, dialogue_id, body)
                    other.commit()
            super().commit()

    def racing_uow() -> UnitOfWork:
        return RacedUnitOfWork(
            container.engine, container.clock, container.settings.secret_key.get_secret_value()
        )

    registration, created = register_once(racing_uow, dialogue_id, body)
    assert RacedUnitOfWork.raced and created is False
    with Session(container.engine) as session:
        rows = session.exec(select(Registration).where(Registration.dialogue_id == dialogue_id)).all()
    assert [row.id for row in rows] == [registration.id]


def editable(client: TestClient, dialogue_id: str, **changes: Any) -> dict[str, Any]:
    """The dialogue's fields as an organiser edits them (PUT takes them all), with these changes."""
    current = client.get(f"/dialogues/{dialogue_id}").json()
    fields = ("title", "description", "format", "venue", "capacity", "accessibility", "starts_at", "ends_at")
    fields += ("registration_opens_at", "registration_closes_at", "languages")
    return {**{k: current[k] for k in fields}, **changes}


def test_freed_seats_go_to_those_waiting_in_order_and_places_stay_1_to_n(
    container: Container, client: TestClient, organiser: Person, clock: Clock
) -> None:
    dialogue_id = dialogue(client, organiser, clock, capacity=3)
    answers = {}
    for name in ("Anna", "Ben", "Cem", "Dana", "Emil"):
        answers[name] = resident(client, dialogue_id, name=name)
        clock.now += timedelta(seconds=1)
    run(container)
    assert statuses(container, dialogue_id)[3:] == [("Dana", "waitlisted", 1), ("Emil", "waitlisted", 2)]

    # Dana leaves the waiting list: Emil moves up to place 1
    base, query = mine(container, answers["Dana"])[1].split("?")
    assert client.post(f"{base}/cancel?{query}").status_code == 200
    run(container)
    assert ("Emil", "waitlisted", 1) in statuses(container, dialogue_id)

    # a new registrant arrives while the organiser adds a seat: the seat goes to Emil, who waited
    resident(client, dialogue_id, name="Fritz")
    changed = client.put(
        f"/dialogues/{dialogue_id}", json=editable(client, dialogue_id, capacity=4), headers=organiser.auth
    )
    assert changed.status_code == 200, changed.text
    run(container)
    rows = {name: (state, place) for name, state, place in statuses(container, dialogue_id)}
    assert rows["Emil"] == ("confirmed", None) and rows["Fritz"] == ("waitlisted", 1)

    # two more seats: Fritz is promoted, and the next registrant takes the last seat
    client.put(
        f"/dialogues/{dialogue_id}", json=editable(client, dialogue_id, capacity=6), headers=organiser.auth
    )
    run(container)
    resident(client, dialogue_id, name="Gül")
    run(container)
    rows = {name: (state, place) for name, state, place in statuses(container, dialogue_id)}
    assert rows["Fritz"] == ("confirmed", None) and rows["Gül"] == ("confirmed", None)
    waiting = client.get(f"/dialogues/{dialogue_id}/registrations", headers=organiser.auth).json()
    assert [r["waitlist_position"] for r in waiting if r["status"] == "waitlisted"] == []
