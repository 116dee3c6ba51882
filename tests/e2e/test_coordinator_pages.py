"""A coordinator's shift in Chromium: signs in, goes on duty, sees a critical case arrive in the queue
with the time left to take it, takes it, writes to the reporter, adds an internal note and resolves
it after confirming; claims an unassigned case from the region's queue; goes off duty and is asked
what happens to the open cases. axe-core on each page, German and English."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from services.incidents.tables import CoordinatorProfile
from services.store.tables import Role
from tests.e2e.conftest import Site
from tests.e2e.test_mail_links import _case, _signed_in
from tests.support.browser import assert_accessible
from tests.support.people import person
from tests.support.places import own_district

pytestmark = pytest.mark.integration


def test_a_coordinator_works_the_queue(site: Site, browser: Any) -> None:
    region = own_district(12)
    coordinator = person(
        site.container, Role.COORDINATOR, region=region, expertise="security,legal", on_duty=False, name="Kim"
    )
    official = person(site.container, Role.OFFICIAL, name="Ortsvorsteher")
    colleague_name = f"Jo {region}"
    person(
        site.container, Role.COORDINATOR, region=region, expertise="legal", on_duty=False, name=colleague_name
    )
    page = _signed_in(browser, site, coordinator).new_page()
    page.goto(site.base + "/me")
    expect(page.get_by_text("Sie sind außer Dienst")).to_be_visible()
    unassigned = _case(site, official, f"{region}001")  # nobody on duty: it waits unassigned
    _wait_for_status(site, unassigned, "queued")
    page.get_by_role("link", name="Ihre Schichten und Sprachen").click()
    page.get_by_label("Höchstzahl offener Fälle").fill("0")
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("eine Zahl von 1 bis 200")
    page.get_by_label("Höchstzahl offener Fälle").fill("4")
    page.get_by_label("Türkisch").check()
    page.get_by_role("button", name="Speichern", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Gespeichert.")
    expect(page.get_by_label("Türkisch")).to_be_checked()
    assert_accessible(page, "my-profile-de")
    page.get_by_role("button", name="Dienst beginnen").click()
    expect(page.get_by_text("Sie sind im Dienst")).to_be_visible()
    ref_unassigned = _ref(site, unassigned)
    _reload_until(page, ref_unassigned, "ohne Zuständige")
    assert_accessible(page, "queue-de")

    critical = _case(site, official, f"{region}002", immediate_danger=True)
    ref = _ref(site, critical)
    _evidence(site, official.id, critical, b"Sie wissen, wo du wohnst.\n")
    _reload_until(page, ref, "kritisch")
    row = page.get_by_role("row").filter(has_text=ref)
    expect(row).to_contain_text("noch 1")  # "noch 14 Min." or so: the time left to take it
    page.get_by_role("link", name=ref).click()
    assert_accessible(page, "case-coordinator-de")
    page.get_by_role("button", name="Fall übernehmen").click()
    expect(page.get_by_role("status")).to_contain_text("Sie haben den Fall übernommen")
    with page.expect_download() as download:
        page.get_by_role("link", name="drohung.txt").click()
    assert download.value.path().read_bytes() == b"Sie wissen, wo du wohnst.\n"
    page.get_by_role("button", name="Als geleistet markieren").first.click()
    expect(page.get_by_role("status")).to_contain_text("Ihre Antwort ist gespeichert.")
    page.get_by_label("An die meldende Person schreiben").fill("Ich rufe Sie in zehn Minuten an.")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.get_by_text("Ich rufe Sie in zehn Minuten an.")).to_be_visible()
    page.get_by_label("Eine Notiz für Kolleginnen und Kollegen (die meldende Person sieht sie nicht)").fill(
        "Polizei ist informiert."
    )
    page.get_by_role("button", name="Notiz speichern").click()
    expect(page.get_by_text("Polizei ist informiert.")).to_be_visible()
    page.get_by_role("button", name="Als erledigt markieren").click()  # without confirming: nothing happens
    expect(page.get_by_role("heading", name="Fall als erledigt markieren")).to_be_visible()
    page.get_by_label("Die Unterstützung ist geleistet").check()
    page.get_by_role("button", name="Als erledigt markieren").click()
    expect(page.get_by_role("status")).to_contain_text("Der Fall ist erledigt.")
    expect(page.get_by_role("list").filter(has_text="übernommen")).to_contain_text("erledigt")
    page.get_by_label("Es ist nichts mehr zu tun").check()
    page.get_by_role("button", name="Schließen", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Der Fall ist geschlossen.")

    page.goto(site.base + "/queue?lang=en")
    page.get_by_role("link", name=ref_unassigned).click()
    page.get_by_role("button", name="Claim this case").click()
    expect(page.get_by_role("status")).to_contain_text("The case is yours now")
    assert_accessible(page, "case-coordinator-en")
    page.goto(site.base + "/queue")
    assert_accessible(page, "queue-en")
    page.get_by_role("button", name="Go off duty").click()
    expect(page.get_by_text("You still hold open cases: choose what happens to them.").first).to_be_visible()
    page.get_by_label("Keep them: I stay reachable for them").check()
    page.get_by_role("button", name="Confirm and go off duty").click()
    expect(page.get_by_text("You are off duty")).to_be_visible()
    with Session(site.container.engine) as session:
        profile = session.get(CoordinatorProfile, coordinator.id)
        assert profile is not None and profile.on_duty is False
    page.get_by_role("link", name=ref_unassigned).click()  # kept, then handed over to a colleague
    page.get_by_label("To", exact=True).select_option(label=colleague_name)
    page.get_by_label("Why (kept as an internal note)").fill("I am at a hearing all afternoon.")
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_role("status")).to_contain_text("The case is handed over.")
    # now the colleague's to read: the note is no longer shown to the one who handed it over
    expect(page.get_by_text("I am at a hearing all afternoon.")).to_have_count(0)


def _evidence(site: Site, official_id: str, case_id: str, data: bytes) -> None:
    from services.access import Principal
    from services.incidents.reporter_actions import add_evidence

    with site.container.uow() as uow:
        principal = Principal(official_id, Role.OFFICIAL)
        add_evidence(uow, site.container.cipher, principal, case_id, "drohung.txt", "text/plain", data)
        uow.commit()


def _ref(site: Site, case_id: str) -> str:
    from services.incidents.tables import Case

    with Session(site.container.engine) as session:
        found = session.get(Case, case_id)
        assert found is not None
        return found.ref


def _reload_until(page: Any, ref: str, shown: str) -> None:
    """Reload the queue until the case's row shows ``shown`` (the worker triages in the background)."""
    for _ in range(100):
        page.goto(page.url.split("#")[0])
        row = page.get_by_role("row").filter(has_text=ref)
        if row.count() and shown in row.inner_text():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{ref} never showed {shown!r} in the queue")


def _wait_for_status(site: Site, case_id: str, status: str) -> None:
    from services.incidents.tables import Case

    for _ in range(150):
        with Session(site.container.engine) as session:
            found = session.get(Case, case_id)
            if found is not None and found.status == status:
                return
        time.sleep(0.1)
    raise AssertionError(f"case {case_id} never became {status}")
