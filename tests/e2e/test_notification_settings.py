"""A coordinator sets up the Matrix channel on the notification settings page, as people do it: the
page in Chromium (axe in German and English), the code read on the phone (matrix-nio against the
real Synapse), then a critical case alert on the phone acknowledged with a reaction; the site's own
timer reads it, and the case page says it was taken via Matrix."""

from __future__ import annotations

import random
import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from services.incidents.tables import Case
from services.store.tables import Role
from tests.e2e.conftest import Site
from tests.e2e.test_mail_links import _case, _signed_in
from tests.support.browser import assert_accessible
from tests.support.matrix import Homeserver, Messenger
from tests.support.people import person

pytestmark = pytest.mark.integration


def test_a_coordinator_confirms_matrix_and_takes_a_case_from_the_phone(
    site: Site, browser: Any, homeserver: Homeserver
) -> None:
    ags = f"{random.choice([1, 2, 4, 6, 7, 8]):02d}{random.randint(0, 999999):06d}"
    coordinator = person(
        site.container, Role.COORDINATOR, region=ags, expertise="security,legal,psychosocial"
    )
    phone = Messenger(homeserver, homeserver.register())
    try:
        page = _signed_in(browser, site, coordinator, viewport={"width": 390, "height": 844}).new_page()
        page.goto(site.base + "/account/password")
        page.get_by_role("link", name="Benachrichtigungen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Benachrichtigungen")
        assert_accessible(page, "notification-settings-de", widths=(390, 1280))

        page.get_by_label("Ihre Matrix-ID").fill("mayor@example.org")
        page.get_by_role("button", name="Code schicken").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Geben Sie eine Matrix-ID wie @name:example.org ein"
        )
        assert_accessible(page, "notification-settings-error-de", widths=(390,))
        page.get_by_label("Ihre Matrix-ID").fill(phone.user.user_id)
        page.get_by_role("button", name="Code schicken").click()
        expect(page.get_by_role("status")).to_contain_text("Ein Code ist unterwegs")
        _, _, text, _ = phone.wait_for("Bestätigungscode")
        code = re.search(r"\b(\d{6})\b", text)
        assert code is not None
        page.get_by_label("Code vom Weltoffen-Bot").fill("12345")
        page.get_by_role("button", name="Bestätigen").click()
        expect(page.get_by_role("alert")).to_contain_text("sechs Ziffern")
        expect(page.get_by_role("alert")).to_contain_text("fünf Versuche")  # one of five is used
        assert_accessible(page, "notification-settings-code-error-de", widths=(390, 1280))
        page.goto(site.base + "/account/notifications?lang=en")
        page.get_by_label("Code from the Weltoffen bot").fill("00000")
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("alert")).to_contain_text("five tries, then ask for a new one")  # two of five
        assert_accessible(page, "notification-settings-code-error-en", widths=(390, 1280))
        page.goto(site.base + "/account/notifications?lang=de")
        page.get_by_label("Code vom Weltoffen-Bot").fill(code.group(1))
        page.get_by_role("button", name="Bestätigen").click()
        expect(page.get_by_role("status")).to_contain_text("Ihre Matrix-ID ist bestätigt")
        page.get_by_label(f"Matrix ({phone.user.user_id})").check()
        page.get_by_label("Von").fill("22:00")  # only one of the two quiet times
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("alert")).to_contain_text("beide Zeiten der Ruhezeit")
        page.get_by_label("Bis").fill("07:00")
        page.get_by_label(f"Matrix ({phone.user.user_id})").check()
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("status")).to_have_text("Gespeichert.")
        expect(page.get_by_label(f"Matrix ({phone.user.user_id})")).to_be_checked()
        page.goto(site.base + "/account/notifications?lang=en")
        expect(page.get_by_text(f"Confirmed: {phone.user.user_id}")).to_be_visible()
        assert_accessible(page, "notification-settings-en", widths=(390, 1280))

        official = person(site.container, Role.OFFICIAL, name="Bürgermeisterin")
        case_id = _case(site, official, ags, immediate_danger=True)  # at night: quiet hours do not hold it
        with Session(site.container.engine) as session:
            ref = session.get(Case, case_id).ref  # type: ignore[union-attr]
        room_id, alert_id, alert, _ = phone.wait_for(ref, timeout_s=60)
        assert "mit einem Emoji reagieren" in alert
        phone.react(room_id, alert_id)
        for _ in range(100):  # the site's timer reads the room
            with Session(site.container.engine) as session:
                if session.get(Case, case_id).status == "acknowledged":  # type: ignore[union-attr]
                    break
            time.sleep(0.1)
        page.goto(site.base + f"/cases/{case_id}?lang=de")
        expect(page.get_by_text("übernommen (über Matrix)")).to_be_visible()
        assert phone.wait_for("Bestätigt: Fall")[2].startswith(f"Bestätigt: Fall {ref}")
    finally:
        phone.close()
