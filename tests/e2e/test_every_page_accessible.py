"""Every page of the site that a person can open, in German, English and Leichte Sprache, at 320 px
(a small phone; what 200 % zoom leaves of a laptop screen is wider) and at 1280 px: no sideways
scrolling and no axe-core violation of WCAG 2.1 A/AA; the page says which language it is in."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from services.dialogues.registrations import RegistrationCreate, manage_path, register_once
from services.store.tables import Role
from tests.e2e.conftest import Site
from tests.e2e.test_mail_links import _case, _signed_in
from tests.e2e.test_resident_pages import published_dialogue
from tests.support.browser import assert_accessible
from tests.support.people import person
from tests.support.places import own_district

pytestmark = pytest.mark.integration


def test_every_page_in_every_language_passes_axe_at_phone_and_desktop_width(site: Site, browser: Any) -> None:
    official = person(site.container, Role.OFFICIAL, name="Amtsträgerin")
    region = own_district(16)
    coordinator = person(site.container, Role.COORDINATOR, region=region, expertise="security,legal")
    case_id = _case(site, official, f"{region}001")
    dialogue_id = published_dialogue(site, f"Bürgerdialog {uuid.uuid4().hex[:4]}")
    body = RegistrationCreate.model_validate(
        {
            "name": "Mia Schulz",
            "email": f"mia-{uuid.uuid4().hex[:6]}@example.org",
            "privacy_consent": "2026-1",
        }
    )
    registration, _ = register_once(site.container.uow, dialogue_id, body)
    manage = manage_path(site.container.settings.secret_key.get_secret_value(), registration.id)
    public = [
        "/",
        "/help",
        "/dialogues",
        f"/dialogues/{dialogue_id}",
        f"/dialogues/{dialogue_id}/register",
        f"/dialogues/{dialogue_id}/registered",
        manage,
        manage.replace("?token=", "/cancel?token="),
        "/sign-in",
        "/password-reset",
        "/report",
        "/report/anonymous",
        "/follow",
        "/gibt-es-nicht",
    ]
    signed_in = ["/report", "/me/cases", f"/cases/{case_id}", "/account/password"]
    visitor = browser.new_context(locale="de-DE").new_page()
    member = _signed_in(browser, site, official).new_page()
    colleague = _signed_in(browser, site, coordinator).new_page()
    coordinating = ["/queue", f"/cases/{case_id}", "/me/profile"]
    operator = _signed_in(browser, site, person(site.container, Role.ADMIN, name="Betrieb")).new_page()
    administering = [
        "/admin/dead-letters",
        "/queue",
        f"/admin/accounts/{coordinator.id}",
        f"/admin/coordinators/{coordinator.id}",
    ]
    checked = 0
    for language in ("de", "en", "ls"):
        for page, paths in (
            (visitor, public),
            (member, signed_in),
            (colleague, coordinating),
            (operator, administering),
        ):
            for path in paths:
                page.goto(site.base + path + ("&" if "?" in path else "?") + f"lang={language}")
                expected = "de" if language == "ls" else language
                assert page.locator("html").get_attribute("lang") == expected, path
                plain = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "id", path.split("?")[0])
                name = (plain.strip("/").replace("/", "-") or "home") + (
                    "-c" if page is colleague else "-a" if page is operator else ""
                )
                assert_accessible(page, f"all-{language}-{name}")
                checked += 1
    assert checked == 3 * (len(public) + len(signed_in) + len(coordinating) + len(administering))
