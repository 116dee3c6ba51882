"""An admin in Chromium: looks at the dead letters, opens one (an event whose case was missing), fixes
the cause, sends it again, and the worker handles it; discarding asks for a reason. Nobody else opens
these pages. axe-core on each, German and English."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from services.incidents.tables import Case
from services.store.tables import Role
from tests.e2e.conftest import Site
from tests.e2e.test_mail_links import _signed_in
from tests.integration.test_dead_letters import _create_the_missing_case, orphan_report_event
from tests.support.browser import assert_accessible
from tests.support.people import person

pytestmark = pytest.mark.integration


def test_an_admin_replays_a_dead_letter_after_the_fix_and_it_is_handled(site: Site, browser: Any) -> None:
    admin = person(site.container, Role.ADMIN, name="Betrieb")
    case_id, incident_id = orphan_report_event(site.container)
    page = _signed_in(browser, site, admin).new_page()
    for _ in range(100):  # the worker retries, then gives up and writes the letter
        page.goto(site.base + "/admin/dead-letters?topic=weltoffen.incidents")
        if page.get_by_role("row").count() > 1:
            break
        time.sleep(0.2)
    assert_accessible(page, "dead-letters-de")
    letter = _letter_about(page, site, case_id)
    page.goto(site.base + f"/admin/dead-letters/{letter}")
    expect(page.locator("pre.payload")).to_contain_text(case_id)
    expect(page.get_by_text("is missing")).to_be_visible()
    page.get_by_role("button", name="Verwerfen").click()
    expect(page.get_by_role("alert")).to_contain_text("Sagen Sie, warum")
    assert_accessible(page, "dead-letter-de")

    _create_the_missing_case(site.container, case_id, incident_id)  # the fix
    page.get_by_role("button", name="Erneut senden").click()
    expect(page.get_by_role("status")).to_have_text("Erledigt.")
    expect(page.get_by_text("erneut gesendet")).to_be_visible()
    _wait_until_handled(site, case_id)  # handled this time
    page.goto(site.base + f"/admin/dead-letters/{letter}?lang=en")
    expect(page.get_by_text("sent again")).to_be_visible()
    assert_accessible(page, "dead-letter-en")

    for role in (Role.OFFICIAL, Role.COORDINATOR, Role.ORGANISER):
        other = _signed_in(browser, site, person(site.container, role, name="Neugierig")).new_page()
        for path in ("/admin/dead-letters", f"/admin/dead-letters/{letter}"):
            answer = other.goto(site.base + path)
            assert answer is not None and answer.status == 403, (role, path)


def test_an_admin_sends_every_waiting_letter_again_after_confirming(site: Site, browser: Any) -> None:
    admin = person(site.container, Role.ADMIN, name="Betrieb")
    orphans = [orphan_report_event(site.container) for _ in range(2)]
    page = _signed_in(browser, site, admin).new_page()
    for case_id, _ in orphans:
        for _ in range(100):
            page.goto(site.base + "/admin/dead-letters?topic=weltoffen.incidents")
            try:
                _letter_about(page, site, case_id)
                break
            except AssertionError:
                time.sleep(0.2)
    for case_id, incident_id in orphans:
        _create_the_missing_case(site.container, case_id, incident_id)  # the fix
    page.get_by_role("button", name="Alle erneut senden").click()  # not confirmed: nothing is sent
    expect(page.get_by_role("status")).to_have_count(0)
    page.get_by_label("Ja, die Ursache ist behoben").check()
    page.get_by_role("button", name="Alle erneut senden").click()
    expect(page.get_by_role("status")).to_contain_text("erneut gesendet")
    assert_accessible(page, "dead-letters-replayed-de")
    for case_id, _ in orphans:
        _wait_until_handled(site, case_id)


def _wait_until_handled(site: Site, case_id: str) -> None:
    for _ in range(100):
        with Session(site.container.engine) as session:
            case = session.get(Case, case_id)
            if case is not None and case.status != "new":
                return
        time.sleep(0.1)
    raise AssertionError(f"case {case_id} was not handled")


def _letter_about(page: Any, site: Site, case_id: str) -> str:
    for link in page.locator("table a").all():
        href = link.get_attribute("href")
        detail = page.context.request.get(site.base + href)
        if case_id in detail.text():
            return str(href.rsplit("/", 1)[-1])
    raise AssertionError("no letter about the case")
