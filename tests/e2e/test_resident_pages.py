"""A resident, as people do it, in Debian's Chromium: finds a dialogue, registers with needs (and
first meets the error summary), is told to check their mail, gets the confirmation by real SMTP,
opens the link in it, changes needs, downloads the calendar entry, and cancels with a confirmation
step. Every page passes axe-core (WCAG 2.1 A/AA) at phone and desktop width, German and English."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from services.access import Principal
from services.dialogues.organisers import DialogueCreate, create_dialogue, publish_dialogue
from services.store.tables import Role
from tests.e2e.conftest import Site
from tests.support.browser import assert_accessible
from tests.support.people import person

pytestmark = pytest.mark.integration


def published_dialogue(site: Site, title: str, capacity: int = 20) -> str:
    organiser = person(site.container, Role.ORGANISER, name="Stadt Hildesheim")
    now = site.container.clock()
    day = (now + timedelta(days=9)).replace(hour=17, minute=0, second=0, microsecond=0)
    body = DialogueCreate.model_validate(
        {
            "municipality_ags": "03254021",
            "title": title,
            "description": "Ein Abend für alle Stimmen der Nordstadt.",
            "format": "citizen_dialogue",
            "starts_at": day,
            "ends_at": day + timedelta(hours=2),
            "venue": "Rathaus Hildesheim, Markt 1",
            "accessibility": ["step_free", "hearing_loop"],
            "capacity": capacity,
            "registration_opens_at": now - timedelta(hours=1),
            "registration_closes_at": day - timedelta(days=1),
            "languages": ["de", "en"],
        }
    )
    principal = Principal(organiser.id, Role.ORGANISER)
    with site.container.uow() as uow:
        dialogue = create_dialogue(uow, principal, body)
        uow.commit()
        publish_dialogue(uow, principal, dialogue.id)
        uow.commit()
    return dialogue.id


def test_a_resident_registers_gets_the_mail_opens_the_link_changes_needs_and_cancels(
    site: Site, person_page: Any
) -> None:
    title = f"Zusammenleben in der Nordstadt {uuid.uuid4().hex[:4]}"
    dialogue_id = published_dialogue(site, title)
    email = f"anwohnerin-{uuid.uuid4().hex[:6]}@example.org"
    page = person_page

    page.goto(site.base + "/dialogues")
    assert_accessible(page, "dialogues-de")
    page.get_by_role("link", name=title).click()
    assert page.url.endswith(f"/dialogues/{dialogue_id}")
    assert page.get_by_role("heading", level=1).inner_text() == title
    expect(page.get_by_text("stufenloser Zugang, Induktionsschleife")).to_be_visible()
    expect(page.get_by_text("Noch 20 Plätze frei")).to_be_visible()
    assert_accessible(page, "dialogue-de")
    page.get_by_role("link", name="Teilnahme anmelden").click()
    assert_accessible(page, "register-de")

    page.get_by_label("Ihr Name").fill("Ayşe Demir")
    page.get_by_label("Ihre E-Mail-Adresse").fill("keine-adresse")
    page.get_by_label("Kinderbetreuung: Alter der Kinder").fill("4, sieben")
    page.get_by_role("button", name="Teilnahme anmelden").click()
    summary = page.get_by_role("alert")
    assert "Geben Sie eine E-Mail-Adresse ein" in summary.inner_text()
    assert "Alter der Kinder als Zahlen" in summary.inner_text()
    assert "Stimmen Sie dem Datenschutztext zu" in summary.inner_text()
    assert page.get_by_label("Ihr Name").input_value() == "Ayşe Demir"  # nothing typed is lost
    assert_accessible(page, "register-errors-de")

    page.get_by_label("Ihre E-Mail-Adresse").fill(email)
    page.get_by_label("Kinderbetreuung: Alter der Kinder").fill("4, 7")
    page.get_by_label("Stufenloser Zugang").check()
    page.get_by_label("Arabisch").check()
    page.get_by_label("Ich habe den Datenschutztext gelesen und stimme zu.").check()
    page.get_by_role("button", name="Teilnahme anmelden").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Schauen Sie in Ihr E-Mail-Postfach"
    assert_accessible(page, "registered-de")

    [confirmation] = site.mail.wait_for_mail_to(email, 1, timeout_s=30)
    body = confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://127\.0\.0\.1:\d+/registrations/\S+", body)
    assert link, body
    page.goto(link.group(0))
    expect(page.get_by_text("Sie haben einen Platz.")).to_be_visible()
    expect(page.get_by_label("Stufenloser Zugang")).to_be_checked()
    expect(page.get_by_label("Arabisch")).to_be_checked()
    assert page.get_by_label("Kinderbetreuung: Alter der Kinder").input_value() == "4, 7"
    assert_accessible(page, "registration-de")
    page.get_by_label("Dolmetschen in Deutsche Gebärdensprache").check()
    page.get_by_role("button", name="Angaben speichern").click()
    expect(page.get_by_text("Ihre Angaben sind gespeichert.")).to_be_visible()
    expect(page.get_by_label("Dolmetschen in Deutsche Gebärdensprache")).to_be_checked()

    with page.expect_download() as download:
        page.get_by_role("link", name="In den Kalender eintragen (.ics)").click()
    calendar = download.value.path().read_text()
    assert "BEGIN:VEVENT" in calendar and title in calendar.replace("\r\n ", "")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_text("You have a seat.")).to_be_visible()
    assert_accessible(page, "registration-en")
    page.get_by_role("link", name="Cancel registration").click()
    assert_accessible(page, "cancel-en")
    page.get_by_role("link", name="No, keep my registration").click()
    expect(page.get_by_text("You have a seat.")).to_be_visible()
    page.get_by_role("link", name="Cancel registration").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_text("Your registration is cancelled.")).to_be_visible()
    assert_accessible(page, "cancelled-en")
    mails = site.mail.wait_for_mail_to(email, 2, timeout_s=30)
    assert len(mails) == 2  # the cancellation, by mail too


def test_a_wrong_link_is_a_page_not_a_json_answer(site: Site, person_page: Any) -> None:
    page = person_page
    page.goto(site.base + "/registrations/nope?token=guess")
    assert page.get_by_role("heading", level=1).inner_text() == "Seite nicht gefunden"
    page.goto(site.base + "/dialogues/nope")
    assert page.get_by_role("heading", level=1).inner_text() == "Seite nicht gefunden"
