"""The site's foundation as people use it, in Debian's Chromium: the home page says what the service
is and where each group starts, in German, English and Leichte Sprache; signing in (with an error
summary that leads to the field), changing the password, signing out; a missing page is a page.
Every page reached passes axe-core's WCAG 2.1 A/AA rules at phone and desktop width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from services.store.tables import Role
from tests.e2e.conftest import Site
from tests.support.browser import assert_accessible
from tests.support.people import PASSWORD, person

pytestmark = pytest.mark.integration


def test_home_page_in_three_languages_with_a_switch_on_every_page(site: Site, person_page: Any) -> None:
    page = person_page
    page.goto(site.base + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Weltoffen: Unterstützung")
    expect(page.get_by_role("link", name="Vorfall melden").first).to_be_visible()
    assert page.get_by_text("110").first.is_visible()  # what to do in danger, on every page
    assert_accessible(page, "home-de")
    page.get_by_role("link", name="English").click()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Weltoffen: support for open, cohesive municipalities"
    )
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, "home-en")
    page.get_by_role("link", name="Help", exact=True).first.click()  # the choice is remembered
    assert page.get_by_role("heading", level=1).inner_text() == "Help and support contacts"
    assert_accessible(page, "help-en")
    page.get_by_role("link", name="Leichte Sprache").click()
    expect(page.get_by_role("heading", name="Wenn es gefährlich ist")).to_be_visible()
    page.get_by_role("link", name="Deutsch").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Hilfe und Beratungsstellen"
    assert_accessible(page, "help-de")
    page.goto(site.base + "/gibt-es-nicht")
    assert page.get_by_role("heading", level=1).inner_text() == "Seite nicht gefunden"
    assert_accessible(page, "not-found-de", widths=(390,))


def test_sign_in_with_an_error_summary_change_the_password_and_sign_out(site: Site, person_page: Any) -> None:
    page = person_page
    official = person(site.container, Role.OFFICIAL, name="Bürgermeisterin")
    page.goto(site.base + "/sign-in")
    page.get_by_label("E-Mail-Adresse").fill(official.email)
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    summary = page.get_by_role("alert")
    assert "E-Mail-Adresse oder Passwort stimmen nicht" in summary.inner_text()
    assert_accessible(page, "sign-in-error-de")
    summary.get_by_role("link").click()  # the summary leads to the field
    assert page.evaluate("document.activeElement.id") == "password"
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()

    page.get_by_role("link", name="Ihr Konto").click()
    page.get_by_label("Bisheriges Passwort").fill(PASSWORD)
    page.get_by_label("Neues Passwort", exact=True).fill("kurz")
    page.get_by_label("Neues Passwort wiederholen").fill("kurz")
    page.get_by_role("button", name="Passwort ändern").click()
    assert "mindestens 12 Zeichen" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "password-error-de")
    new = "Fahrrad Wolke Treppe Zitrone"
    page.get_by_label("Bisheriges Passwort").fill(PASSWORD)
    page.get_by_label("Neues Passwort", exact=True).fill(new)
    page.get_by_label("Neues Passwort wiederholen").fill(new)
    page.get_by_role("button", name="Passwort ändern").click()
    assert page.get_by_role("status").inner_text().startswith("Ihr Passwort ist geändert")
    page.get_by_role("button", name="Abmelden", exact=True).click()
    assert page.get_by_role("status").inner_text() == "Sie sind abgemeldet."
    page.goto(site.base + "/sign-in")
    page.get_by_label("E-Mail-Adresse").fill(official.email)
    page.get_by_label("Passwort").fill(new)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()


def test_the_pages_need_no_javascript_and_forms_refuse_a_missing_csrf_token(
    site: Site, no_js_page: Any
) -> None:
    page = no_js_page
    official = person(site.container, Role.OFFICIAL, name="Ratsmitglied")
    for path in ("/", "/help", "/sign-in"):
        page.goto(site.base + path)
        assert page.locator("script").count() == 0, path
    page.goto(site.base + "/sign-in")
    page.get_by_label("E-Mail-Adresse").fill(official.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["wo_session"]["httpOnly"] and cookies["wo_session"]["sameSite"] == "Lax"
    assert cookies["wo_csrf"]["httpOnly"] and cookies["wo_csrf"]["sameSite"] == "Strict"
    # a form sent from elsewhere (no token) is refused, and the person stays signed in
    forged = page.request.post(site.base + "/sign-out", form={"everywhere": "1"})
    assert forged.status == 403 and re.search("abgelaufen|expired", forged.text())
    page.goto(site.base + "/")
    expect(page.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()


def test_a_forgotten_password_is_reset_by_a_mailed_link_that_works_once(site: Site, person_page: Any) -> None:
    page = person_page
    official = person(site.container, Role.OFFICIAL, name="Stadträtin")
    page.goto(site.base + "/sign-in")
    page.get_by_role("link", name="Passwort vergessen?").click()
    page.get_by_label("E-Mail-Adresse").fill(official.email)
    page.get_by_role("button", name="Link schicken").click()
    expect(page.get_by_role("status")).to_contain_text("Wenn zu dieser Adresse ein Konto gehört")
    assert_accessible(page, "forgot-de", widths=(390,))
    page.goto(site.base + "/password-reset")
    page.get_by_label("E-Mail-Adresse").fill("niemand-" + official.email)  # the same answer: nobody learns
    page.get_by_role("button", name="Link schicken").click()
    expect(page.get_by_role("status")).to_contain_text("Wenn zu dieser Adresse ein Konto gehört")

    [mail] = site.mail.wait_for_mail_to(official.email, 1, timeout_s=30)
    link = re.search(r"http://127\.0\.0\.1:\d+/password-reset/\S+", mail.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert link and "token=" in link.group(0)
    page.goto(link.group(0))
    new = "Leuchtturm Kaffeetasse Nordwind"
    page.get_by_label("Neues Passwort", exact=True).fill(new)
    page.get_by_label("Neues Passwort wiederholen").fill(new)
    assert_accessible(page, "reset-de", widths=(390,))
    page.get_by_role("button", name="Neues Passwort speichern").click()
    expect(page.get_by_role("status")).to_have_text(
        "Ihr neues Passwort ist gespeichert. Melden Sie sich damit an."
    )
    page.get_by_label("E-Mail-Adresse").fill(official.email)
    page.get_by_label("Passwort", exact=True).fill(new)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()
    again = page.goto(link.group(0))  # used: the link does not work twice
    assert again is not None and again.status == 422


def test_with_the_keyboard_alone_a_person_skips_to_the_content_signs_in_and_starts_a_report(
    site: Site, person_page: Any
) -> None:
    page = person_page
    official = person(site.container, Role.OFFICIAL, name="Tastatur")
    page.goto(site.base + "/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"  # the first stop
    page.keyboard.press("Enter")
    for _ in range(30):  # onwards to the e-mail field, as far as it is
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    page.keyboard.type(official.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Abmelden", exact=True)).to_be_visible()
    focus_ring = page.evaluate(
        "(() => { const a = document.querySelector('main a, main button');"
        " a.focus(); return getComputedStyle(a).outlineStyle; })()"
    )
    assert focus_ring == "solid"  # focus is visible
    page.goto(site.base + "/report")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "immediate_danger":
            break
    page.keyboard.press("ArrowDown")  # within the radio group: "No, not right now"
    assert page.evaluate("document.activeElement.id") == "danger-no"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Weiter"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Was ist passiert?")
