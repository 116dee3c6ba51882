"""An admin in Chromium runs the console: adds a coordinator account (the person chooses a password
from the mailed link), gives it a profile, and the next report of its region is routed to it; sets
the on-call rota, reads the rules in force, the deliveries and the system view; disables an account
(confirmation first; the person's session ends). Forms say what to fix. No other role opens a page or
sends a form of the console. axe-core on every page, German and English."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from services.incidents.tables import Case
from services.store.tables import Account, Role
from tests.e2e.conftest import Site
from tests.e2e.test_mail_links import _case, _signed_in
from tests.support.browser import assert_accessible
from tests.support.people import PASSWORD, person
from tests.support.places import own_district

pytestmark = pytest.mark.integration

CONSOLE = [
    "/admin",
    "/admin/accounts",
    "/admin/accounts/new",
    "/admin/coordinators",
    "/admin/on-call",
    "/admin/rules",
    "/admin/deliveries",
    "/admin/system",
    "/admin/dead-letters",
]


def test_an_admin_adds_a_coordinator_whose_profile_the_next_report_is_routed_to(
    site: Site, browser: Any
) -> None:
    region = own_district(9)
    email = f"neu-{uuid.uuid4().hex[:8]}@example.org"
    admin = person(site.container, Role.ADMIN, name="Betrieb")
    page = _signed_in(browser, site, admin).new_page()
    page.goto(site.base + "/")
    page.get_by_role("link", name="Verwaltung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verwaltung")
    assert_accessible(page, "console-de")
    page.get_by_role("navigation", name="Verwaltung").get_by_role("link", name="Konten").click()
    page.get_by_role("link", name="Konto anlegen").click()
    page.get_by_role("button", name="Konto anlegen").click()  # empty: each field says what to do
    expect(page.get_by_role("alert")).to_contain_text("Geben Sie eine E-Mail-Adresse ein")
    expect(page.get_by_role("alert")).to_contain_text("Geben Sie den Namen der Person ein")
    assert_accessible(page, "account-new-errors-de")
    page.get_by_label("Name").fill("Kim Neu")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Rolle").select_option("coordinator")
    page.get_by_role("button", name="Konto anlegen").click()  # a coordinator needs a region
    expect(page.get_by_role("alert")).to_contain_text("Prüfen Sie die Rolle")
    page.get_by_label("Region einer Koordinator*in (AGS-Anfang)").fill(region)
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_role("status")).to_contain_text("Das Konto ist angelegt")
    assert_accessible(page, "account-de")

    page.get_by_role("link", name=re.compile("Koordinationsprofil anlegen")).click()
    page.get_by_role("button", name="Profil speichern").click()  # no expertise ticked
    expect(page.get_by_role("alert")).to_contain_text("Wählen Sie mindestens eine Art von Hilfe")
    assert_accessible(page, "coordinator-profile-errors-de")
    expect(page.get_by_label("Regionen (AGS-Anfänge)")).to_have_value(region)
    page.get_by_label("Sicherheitsberatung").check()
    page.get_by_label("Höchstens offene Fälle").fill("5")
    page.get_by_role("button", name="Profil speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Die nächste Meldung wird mit diesem Profil")

    # The new coordinator chooses a password from the mailed link and signs in.
    [mail] = site.mail.wait_for_mail_to(email, 1, timeout_s=30)
    link = re.search(r"http://127\.0\.0\.1:\d+/password-reset/\S+", mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert link is not None
    newcomer = browser.new_context(locale="de-DE").new_page()
    newcomer.goto(link.group(0))
    chosen = "Morgenrot Fahrradklingel Elbe"
    newcomer.get_by_label("Neues Passwort", exact=True).fill(chosen)
    newcomer.get_by_label("Neues Passwort wiederholen").fill(chosen)
    newcomer.get_by_role("button", name="Neues Passwort speichern").click()
    newcomer.get_by_label("E-Mail-Adresse").fill(email)
    newcomer.get_by_label("Passwort", exact=True).fill(chosen)
    newcomer.get_by_role("button", name="Anmelden").click()
    expect(newcomer.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()

    # The next report of the region is routed to them.
    official = person(site.container, Role.OFFICIAL, name="Bürgermeisterin")
    case_id = _case(site, official, f"{region}123")
    with Session(site.container.engine) as session:
        new_id = session.exec(select(Account.id).where(Account.email == email)).one()
    assert _assignee(site, case_id) == new_id
    newcomer.goto(site.base + "/queue")
    expect(newcomer.locator(f'table a[href="/cases/{case_id}"]')).to_have_count(1)

    # Disabling asks first, then the session ends and the case goes back to the queue (no backup).
    page.goto(site.base + f"/admin/accounts/{new_id}")
    page.get_by_role("button", name="Konto sperren").click()
    expect(page.get_by_role("alert")).to_contain_text("Setzen Sie das Häkchen")
    page.get_by_label(re.compile("Ja: diese Person überall abmelden")).check()
    page.get_by_role("button", name="Konto sperren").click()
    expect(page.get_by_role("status")).to_contain_text("Das Konto ist gesperrt")
    newcomer.goto(site.base + "/queue")
    expect(newcomer.get_by_role("heading", name="Anmelden")).to_be_visible()
    with Session(site.container.engine) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.assignee_id is None and case.status == "queued"
    page.get_by_role("button", name="Konto entsperren").click()
    expect(page.get_by_role("status")).to_contain_text("wieder aktiv")
    page.get_by_role("button", name="Link für ein neues Passwort schicken").click()
    expect(page.get_by_role("status")).to_contain_text("unterwegs")
    site.mail.wait_for_mail_to(email, 2, timeout_s=30)

    # Own account: no role change, no disabling here.
    page.goto(site.base + f"/admin/accounts/{admin.id}")
    expect(page.get_by_text("Das ist Ihr eigenes Konto")).to_be_visible()
    expect(page.get_by_role("button", name="Konto sperren")).to_have_count(0)


def test_an_admin_sets_the_rota_and_reads_rules_deliveries_and_the_system(site: Site, browser: Any) -> None:
    admin = person(site.container, Role.ADMIN, name="Betrieb")
    name = f"Teamleitung {uuid.uuid4().hex[:4]}"
    person(site.container, Role.COORDINATOR, name=name, expertise="legal")
    page = _signed_in(browser, site, admin).new_page()
    page.goto(site.base + "/admin/on-call")
    page.get_by_role("button", name="Dienste festlegen").click()  # nobody ticked
    expect(page.get_by_role("alert")).to_contain_text("Wählen Sie, wer sich abwechselt")
    assert_accessible(page, "on-call-errors-de")
    page.get_by_label(name).check()
    page.get_by_label("Uhrzeit der ersten Übergabe (Berliner Zeit)").fill("00:00")
    page.get_by_label("Wie viele Dienste").fill("3")
    page.get_by_role("button", name="Dienste festlegen").click()
    expect(page.get_by_role("status")).to_have_text("Der Plan ist gesetzt.")
    expect(page.get_by_role("row", name=re.compile(name))).not_to_have_count(0)
    assert_accessible(page, "on-call-de")

    page.get_by_role("link", name="Regeln").click()
    expect(page.get_by_role("heading", name=re.compile("Zuweisung und Fristen"))).to_contain_text("Version")
    expect(page.locator("pre.rules").nth(1)).to_contain_text("acknowledge_within_minutes")

    page.get_by_role("link", name="Zustellungen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zustellungen")

    page.get_by_role("link", name="System").click()
    expect(page.get_by_text("keiner (eingebetteter Betrieb")).to_be_visible()
    for _ in range(100):  # the embedded timers record their runs
        page.goto(site.base + "/admin/system")
        if page.get_by_role("row", name=re.compile("send-urgent")).count():
            break
        time.sleep(0.2)
    expect(page.get_by_role("row", name=re.compile("send-urgent"))).to_be_visible()

    for path in CONSOLE:
        for language in ("de", "en"):
            page.goto(site.base + path + f"?lang={language}")
            assert_accessible(page, f"console-{language}{path.replace('/', '-')}")


def test_no_other_role_opens_a_console_page_or_sends_a_console_form(site: Site, browser: Any) -> None:
    target = person(site.container, Role.OFFICIAL, name="Ziel")
    paths = [*CONSOLE, f"/admin/accounts/{target.id}", f"/admin/coordinators/{target.id}"]
    forms = [
        "/admin/accounts",
        f"/admin/accounts/{target.id}/role",
        f"/admin/accounts/{target.id}/active",
        f"/admin/accounts/{target.id}/reset",
        f"/admin/coordinators/{target.id}",
        "/admin/on-call",
        "/admin/dead-letters/replay-all",
    ]
    for role in (Role.OFFICIAL, Role.COORDINATOR, Role.ORGANISER, Role.MUNICIPALITY):
        extra = {"municipality_ags": "03241001"} if role is Role.MUNICIPALITY else {}
        context = _signed_in(browser, site, person(site.container, role, name="Neugierig", **extra))
        page = context.new_page()
        for path in paths:
            answer = page.goto(site.base + path)
            assert answer is not None and answer.status == 403, (role, path)
        page.goto(site.base + "/")
        token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
        for path in forms:  # with a valid CSRF token: the role alone refuses
            answer = context.request.post(
                site.base + path, form={"csrf_token": token, "action": "disable", "confirm": "yes"}
            )
            assert answer.status == 403, (role, path)
    with Session(site.container.engine) as session:
        assert session.get(Account, target.id).is_active  # type: ignore[union-attr]
    anonymous = browser.new_context(locale="de-DE").new_page()
    for path in CONSOLE:
        anonymous.goto(site.base + path)
        expect(anonymous.get_by_role("heading", name="Anmelden")).to_be_visible()
    assert PASSWORD


def _assignee(site: Site, case_id: str) -> str | None:
    for _ in range(150):
        with Session(site.container.engine) as session:
            case = session.get(Case, case_id)
            if case is not None and case.assignee_id:
                return case.assignee_id
        time.sleep(0.1)
    return None
