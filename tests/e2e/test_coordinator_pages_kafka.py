"""The coordinator's night in production shape: PostgreSQL, a real Kafka broker, the worker as its
own process, real SMTP. A coordinator goes on duty in Chromium, a critical report arrives in the
queue through the broker and the worker, they take it, write to the reporter (who gets the mail) and
resolve it. The worker's /metrics counted the events; the admin's system view shows the broker and
the consumer lag of the worker's group."""

from __future__ import annotations

import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from services.store.tables import Role
from tests.e2e.conftest import Site
from tests.e2e.test_coordinator_pages import _ref, _reload_until
from tests.e2e.test_mail_links import _case, _signed_in
from tests.support.browser import assert_accessible
from tests.support.people import person
from tests.support.places import own_district

pytestmark = pytest.mark.integration


def test_a_critical_case_reaches_the_queue_through_kafka_and_is_worked_to_the_end(
    kafka_site: Site, browser: Any
) -> None:
    site = kafka_site
    region = own_district(14)
    coordinator = person(
        site.container,
        Role.COORDINATOR,
        region=region,
        expertise="security",
        on_duty=False,
        name="Nachtdienst",
    )
    official = person(site.container, Role.OFFICIAL, name="Bürgermeister")
    page = _signed_in(browser, site, coordinator).new_page()
    page.goto(site.base + "/queue")
    page.get_by_role("button", name="Dienst beginnen").click()
    expect(page.get_by_text("Sie sind im Dienst")).to_be_visible()

    critical = _case(site, official, f"{region}004", immediate_danger=True)
    ref = _ref(site, critical)
    _reload_until(page, ref, "kritisch")  # relay -> broker -> worker -> routed to the one on duty
    assert_accessible(page, "kafka-queue-de")
    page.get_by_role("link", name=ref).click()
    page.get_by_role("button", name="Fall übernehmen").click()
    expect(page.get_by_role("status")).to_contain_text("Sie haben den Fall übernommen")
    page.get_by_label("An die meldende Person schreiben").fill("Die Polizei ist unterwegs zu Ihnen.")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.get_by_text("Die Polizei ist unterwegs zu Ihnen.")).to_be_visible()
    page.get_by_role("button", name="Als erledigt markieren").click()
    page.get_by_label("Die Unterstützung ist geleistet").check()
    page.get_by_role("button", name="Als erledigt markieren").click()
    expect(page.get_by_role("status")).to_contain_text("Der Fall ist erledigt.")
    assert_accessible(page, "kafka-case-de")
    mails = site.mail.wait_for_mail_to(official.email, 2, timeout_s=60)  # news of the case, the message
    assert len(mails) >= 2

    port = site.container.settings.worker_metrics_port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    handled = re.search(r'weltoffen_events_total\{outcome="handled",type="IncidentReported"\} (\d+)', text)
    assert handled and int(handled.group(1)) >= 1, text[:2000]

    admin = _signed_in(browser, site, person(site.container, Role.ADMIN, name="Betrieb")).new_page()
    group = site.container.settings.worker_group
    for _ in range(30):  # the worker commits its offsets about every second
        admin.goto(site.base + "/admin/system")
        if admin.get_by_role("row").filter(has_text=group).count():
            break
        admin.wait_for_timeout(1000)
    expect(admin.get_by_role("row").filter(has_text=group).first).to_be_visible()
    expect(admin.locator("dd").filter(has_text="antwortet").first).to_be_visible()
    assert_accessible(admin, "kafka-system-de")
