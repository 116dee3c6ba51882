"""Officials, as people do it, in Debian's Chromium: a signed-in report in short steps (the danger
question first; errors lead back to the step with the problem), the case page shows it routed and
who handles it, the official writes to the coordinator, answers an offer, switches the safety
check-in on and says "I am safe". An anonymous report in immediate danger answers with "call 110"
first and the code and secret once; the reporter follows it by a form, reads the coordinator's
message and answers. axe-core on every page reached, German and English."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from services.access import Principal
from services.incidents import case_actions
from services.store.tables import Role
from tests.e2e.conftest import Site
from tests.support.browser import assert_accessible
from tests.support.people import PASSWORD, person
from tests.support.places import own_district

pytestmark = pytest.mark.integration


def coordinator_for(site: Site, region: str, name: str) -> Any:
    return person(
        site.container,
        Role.COORDINATOR,
        region=region,
        expertise="security,legal,takedown,psychosocial",
        name=name,
    )


def sign_in(page: Any, site: Site, email: str) -> None:
    page.goto(site.base + "/sign-in")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def wait_until_routed(page: Any, name: str) -> None:
    for _ in range(100):
        if page.get_by_text(name).count():
            return
        page.wait_for_timeout(200)
        page.reload()
    raise AssertionError(f"{name} never appeared: {page.content()[:2000]}")


def test_an_official_reports_in_steps_and_follows_the_case(site: Site, person_page: Any) -> None:
    region = own_district(9)
    coordinator_for(site, region, f"Miriam Okafor {region}")
    official = person(site.container, Role.OFFICIAL, name="Bürgermeister")
    page = person_page
    sign_in(page, site, official.email)
    page.get_by_role("link", name="Vorfall melden").first.click()
    expect(page.get_by_role("heading", name="Jetzt in Gefahr? Rufen Sie 110 an.")).to_be_visible()
    assert_accessible(page, "report-danger-de")
    page.get_by_role("button", name="Weiter").click()
    assert (
        "Sagen Sie, ob Sie oder andere gerade in Gefahr sind" in page.get_by_role("alert").last.inner_text()
    )
    page.get_by_label("Nein, gerade nicht").check()
    page.get_by_role("button", name="Weiter").click()

    page.get_by_label("Eine Drohung").check()
    page.get_by_label("Wie hat es Sie erreicht?").select_option("letter")
    page.get_by_label("An welchem Tag?").fill("2026-11-27")
    page.get_by_label("Ihre Kommune").fill(f"{region}001")
    page.get_by_role("button", name="Weiter").click()
    assert "mindestens eines" in page.get_by_role("alert").last.inner_text()  # whom it was aimed at
    assert_accessible(page, "report-what-error-de")
    page.get_by_label("Mich").check()
    page.get_by_label("Meine Familie").check()
    page.get_by_label("Jemand hat Gewalt angedroht").check()
    page.get_by_role("button", name="Weiter").click()

    page.get_by_label("Was passiert ist, in Ihren Worten").fill(
        "Ein Brief ohne Absender: Man wisse, wo meine Kinder zur Schule gehen."
    )
    assert_accessible(page, "report-details-de")
    page.get_by_role("button", name="Zurück").click()  # nothing typed is lost on the way back
    expect(page.get_by_label("Meine Familie")).to_be_checked()
    page.get_by_role("button", name="Weiter").click()
    assert "Man wisse" in page.get_by_label("Was passiert ist, in Ihren Worten").input_value()
    page.get_by_role("button", name="Weiter").click()
    page.get_by_label("Rechtsberatung").check()
    page.get_by_label("Meine Ansprechperson darf meinen Namen und meine E-Mail-Adresse sehen").check()
    assert_accessible(page, "report-support-de")
    page.get_by_role("button", name="Meldung absenden").click()

    expect(page.get_by_text("Ihre Meldung ist eingegangen.")).to_be_visible()
    wait_until_routed(page, f"Miriam Okafor {region}")
    expect(page.get_by_text("wird gerade gefragt")).to_be_visible()
    assert_accessible(page, "case-official-de")
    page.get_by_label("An Ihre Ansprechperson schreiben").fill("Der Brief liegt bei der Polizei.")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.get_by_text("Ihre Nachricht ist gesendet.")).to_be_visible()
    expect(page.get_by_text("Der Brief liegt bei der Polizei.")).to_be_visible()
    screenshot = {
        "name": "drohbrief.png",
        "mimeType": "image/png",
        "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64),
    }
    page.get_by_label("Ein Bildschirmfoto, ein Foto, ein Brief").set_input_files(screenshot)
    page.get_by_role("button", name="Datei hinzufügen").click()
    expect(page.get_by_text("Die Datei ist Ihrem Fall hinzugefügt.")).to_be_visible()
    expect(page.get_by_text("drohbrief.png")).to_be_visible()
    page.get_by_role("button", name="Ja, das möchte ich").first.click()
    expect(page.get_by_text("Ihre Antwort ist gespeichert.")).to_be_visible()
    page.get_by_label("Rückmelden alle").select_option("30")
    page.get_by_role("button", name="Rückmeldungen einschalten").click()
    page.get_by_role("button", name="Ich bin sicher").click()
    expect(page.get_by_text("Danke: Ihre Rückmeldung ist vermerkt.")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("button", name="I am safe")).to_be_visible()
    assert_accessible(page, "case-official-en")
    page.get_by_role("link", name="Your account").click()
    page.goto(site.base + "/me/cases")
    expect(page.get_by_role("heading", name="Your cases")).to_be_visible()
    assert_accessible(page, "my-cases-en")


def test_an_anonymous_report_in_danger_says_call_110_first_and_the_reporter_follows_it(
    site: Site, person_page: Any
) -> None:
    region = own_district(14)
    coordinator = coordinator_for(site, region, f"Jonas Richter {region}")
    page = person_page
    page.goto(site.base + "/report/anonymous?lang=en")
    page.get_by_label("Yes: we are in danger now").check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", name="In danger now? Call 110.").is_visible()  # on every step now
    page.get_by_label("Your private details were published").check()
    page.get_by_label("How did it reach you?").select_option("social_media")
    page.get_by_label("On which day?").fill("2026-11-28")
    page.get_by_label("Your municipality").fill(f"{region}001")
    page.get_by_label("Me", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What happened, in your words").fill(
        "My home address and photos of my car were posted."
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send report").click()

    assert page.locator("main .emergency").first.is_visible()  # call 110 comes first
    expect(page.get_by_role("heading", name="Keep these two now: they are shown only once")).to_be_visible()
    assert_accessible(page, "anonymous-sent-en")
    code, secret = (page.locator("code.secret").nth(i).inner_text() for i in range(2))
    page.get_by_role("link", name="Follow your report").click()
    page.get_by_label("Case code").fill(code.lower().replace("-", " "))  # as people type it
    page.get_by_label("Secret").fill("wrong")
    page.get_by_role("button", name="Show my report").click()
    assert "No report matches" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "follow-error-en")
    follow(page, site, code, secret, until=f"Jonas Richter {region}")

    case_id = _case_of_code(site, code)
    with site.container.uow() as uow:
        principal = Principal(coordinator.id, Role.COORDINATOR, region=region)
        case_actions.acknowledge(uow, principal, case_id)
        case_actions.message_reporter(
            uow, site.container.cipher, principal, case_id, "Which platform was it?"
        )
        uow.commit()
    follow(page, site, code, secret, until="Which platform was it?")
    assert_accessible(page, "followed-en")
    page.get_by_label("Write to your coordinator").fill("A local forum, since yesterday.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("A local forum, since yesterday.")).to_be_visible()
    page.get_by_label("E-mail address for news (optional)").fill("news-me@example.org")
    page.get_by_role("button", name="Save the address").click()
    expect(page.get_by_text("The address is saved.")).to_be_visible()


def follow(page: Any, site: Site, code: str, secret: str, until: str) -> None:
    """Open the report with code and secret (typed, as people do) until ``until`` shows."""
    for _ in range(100):
        page.goto(site.base + "/follow")
        page.get_by_label("Case code").fill(code)
        page.get_by_label("Secret").fill(secret)
        page.get_by_role("button", name="Show my report").click()
        if page.get_by_text(until).count():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{until!r} never appeared")


def _case_of_code(site: Site, code: str) -> str:
    from sqlmodel import Session, select

    from services.incidents.tables import Case

    with Session(site.container.engine) as session:
        found = session.exec(select(Case.id).where(Case.anonymous_code == code)).one()
    return found
