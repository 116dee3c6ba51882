"""An organiser in Chromium: plans a dialogue (every problem shown at its field), publishes it after
confirming, sees registrations arrive with their needs, ticks off the overdue sign-language task,
downloads the CSV (names and needs, no addresses), and at the door on a 390 px phone finds two people
by name and marks them present. Another organiser sees none of it. axe-core, German and English."""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from services.dialogues.registrations import RegistrationCreate, register_once
from services.dialogues.tables import Registration
from services.store.tables import Role
from services.web.i18n import BERLIN
from tests.e2e.conftest import Site
from tests.e2e.test_mail_links import _signed_in
from tests.support.browser import assert_accessible
from tests.support.people import person

pytestmark = pytest.mark.integration
NAMES = ("Aylin Demir", "Jonas Weber", "Mia Schulz")


def local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def test_an_organiser_plans_publishes_and_runs_a_dialogue(site: Site, browser: Any) -> None:
    organiser = person(site.container, Role.ORGANISER, name="Quartiersmanagement")
    title = f"Dialog Marktplatz {uuid.uuid4().hex[:4]}"
    page = _signed_in(browser, site, organiser).new_page()
    page.goto(site.base + "/")
    page.get_by_role("link", name="Ihre Dialoge").click()
    page.get_by_role("link", name="Neuen Dialog planen").click()
    page.get_by_role("button", name="Als Entwurf speichern").click()  # empty: each field says what to do
    expect(page.get_by_role("alert")).to_contain_text("Geben Sie einen Titel mit 3 bis 200 Zeichen ein")
    expect(page.get_by_role("alert")).to_contain_text("Gemeindeschlüssel")
    assert_accessible(page, "organise-new-errors-de")

    now = datetime.now(BERLIN).replace(second=0, microsecond=0)
    starts = (now + timedelta(days=10)).replace(hour=18, minute=0)
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Gemeindeschlüssel (AGS)").fill("03241001")
    page.get_by_label("Beginn (Berliner Zeit)").fill(local(starts))
    page.get_by_label("Ende", exact=True).fill(local(starts - timedelta(hours=1)))  # before the start
    page.get_by_label("Anmeldung ab").fill(local(now - timedelta(hours=1)))
    page.get_by_label("Anmeldeschluss").fill(local(starts - timedelta(days=1)))
    page.get_by_label("Plätze", exact=True).fill("3")
    page.get_by_role("button", name="Als Entwurf speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("nach dem Beginn")
    expect(page.get_by_label("Titel")).to_have_value(title)  # nothing typed is lost
    page.get_by_label("Ende", exact=True).fill(local(starts + timedelta(hours=2)))
    page.get_by_role("button", name="Als Entwurf speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Geben Sie den Ort ein")
    page.get_by_label("Ort: Name und Adresse").fill("Bürgerhaus, Marktplatz 1")
    page.get_by_label("stufenloser Zugang").check()
    page.get_by_role("button", name="Als Entwurf speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Der Entwurf ist gespeichert")
    dialogue_id = page.url.split("/organise/")[1].split("?")[0]

    page.get_by_role("button", name="Veröffentlichen").click()  # not confirmed
    expect(page.get_by_role("alert")).to_contain_text("Setzen Sie das Häkchen")
    page.get_by_label(re.compile("Ja: ab Anmeldebeginn")).check()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.get_by_role("status")).to_contain_text("Veröffentlicht")
    assert_accessible(page, "organise-dialogue-de")

    for n, name in enumerate(NAMES):  # residents register; the worker gives out the seats
        needs = {"sign_language": n == 0, "children_ages": [4] if n == 1 else []}
        body = RegistrationCreate.model_validate(
            {
                "name": name,
                "email": f"r{n}-{uuid.uuid4().hex[:6]}@example.org",
                "needs": needs,
                "privacy_consent": "2026-1",
            }
        )
        register_once(site.container.uow, dialogue_id, body)
    _wait_for_seats(site, dialogue_id, len(NAMES))
    page.reload()
    for name in NAMES:
        expect(page.get_by_role("row", name=re.compile(name))).to_contain_text("hat einen Platz")
    task = page.locator("ul.checklist li").filter(has_text="DGS-Dolmetschung buchen")
    expect(task).to_contain_text("überfällig")  # due 14 days before, the dialogue is in 10
    task.get_by_role("button", name=re.compile("Als erledigt markieren")).click()
    expect(page.get_by_role("status")).to_contain_text("Die Checkliste ist gespeichert")
    expect(page.locator("ul.checklist li").filter(has_text="DGS-Dolmetschung buchen")).to_contain_text(
        "erledigt"
    )
    expect(page.locator("ul.checklist li.overdue")).to_have_count(0)
    childcare = page.locator("ul.checklist li").filter(has_text="Kinderbetreuung")  # due in 3 days: open
    expect(childcare).to_contain_text("fällig")
    expect(childcare).not_to_contain_text("überfällig")
    assert_accessible(page, "organise-checklist-de")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Als CSV herunterladen")).click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert sorted(r["name"] for r in rows) == sorted(NAMES)
    assert [r["sign_language"] for r in rows if r["name"] == NAMES[0]] == ["1"]
    assert "@" not in download.value.path().read_text(encoding="utf-8")

    phone = _signed_in(browser, site, organiser, viewport={"width": 390, "height": 844})
    door = phone.new_page()
    door.goto(site.base + f"/organise/{dialogue_id}/door")
    expect(door.get_by_role("status")).to_have_text("0 von 3 da")
    for name in NAMES[:2]:
        door.get_by_label("Nach Namen suchen").fill(name.split()[0])
        door.get_by_role("button", name="Suchen").click()
        expect(door.locator("ul.door li")).to_have_count(1)
        door.get_by_role("button", name=re.compile(f"^Ist da\\W+{name}$")).click()
        expect(
            door.get_by_role("button", name=re.compile(f"^Da ✓ \\(rückgängig\\)\\W+{name}$"))
        ).to_be_visible()
    door.get_by_label("Nach Namen suchen").fill(NAMES[2].split()[0])  # a tap by mistake, taken back
    door.get_by_role("button", name="Suchen").click()
    door.get_by_role("button", name=re.compile(f"^Ist da\\W+{NAMES[2]}$")).click()
    door.get_by_role("button", name=re.compile(f"^Da ✓ \\(rückgängig\\)\\W+{NAMES[2]}$")).click()
    door.goto(site.base + f"/organise/{dialogue_id}/door")
    expect(door.get_by_role("status")).to_have_text("2 von 3 da")
    box = door.get_by_role("button", name=re.compile(f"^Ist da\\W+{NAMES[2]}$")).bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44  # a thumb finds it
    assert_accessible(door, "organise-door-de", widths=(390,))
    door.goto(site.base + f"/organise/{dialogue_id}/door?lang=en")
    assert_accessible(door, "organise-door-en", widths=(390,))
    with Session(site.container.engine) as session:
        came = session.exec(select(Registration.status).where(Registration.dialogue_id == dialogue_id)).all()
    assert sorted(came) == ["attended", "attended", "confirmed"]

    for path in ("/organise", f"/organise/{dialogue_id}", f"/organise/{dialogue_id}/edit", "/organise/new"):
        for language in ("de", "en"):
            page.goto(site.base + path + f"?lang={language}")
            assert_accessible(
                page, f"organise-{language}" + path.replace("/", "-").replace(dialogue_id, "id")
            )

    other = _signed_in(browser, site, person(site.container, Role.ORGANISER, name="Andere")).new_page()
    other.goto(site.base + "/organise")
    expect(other.get_by_text(title)).to_have_count(0)
    for path in (
        f"/organise/{dialogue_id}",
        f"/organise/{dialogue_id}/door",
        f"/organise/{dialogue_id}/registrations.csv",
    ):
        answer = other.goto(site.base + path)
        assert answer is not None and answer.status in (403, 404), path


def _wait_for_seats(site: Site, dialogue_id: str, count: int) -> None:
    for _ in range(150):
        with Session(site.container.engine) as session:
            statuses = session.exec(
                select(Registration.status).where(Registration.dialogue_id == dialogue_id)
            ).all()
            if sum(1 for s in statuses if s == "confirmed") == count:
                return
        time.sleep(0.1)
    raise AssertionError(f"seats were not given out: {statuses}")
