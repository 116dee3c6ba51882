"""The resident's journey once more in production shape: the site on PostgreSQL, events through a
real Kafka broker (relay in this process, the worker as its own process), mail by real SMTP. A
resident registers in Chromium, opens the link in the confirmation, and cancels."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Site
from tests.e2e.test_resident_pages import published_dialogue

pytestmark = pytest.mark.integration


def test_a_resident_registers_and_cancels_on_kafka_postgres_and_smtp(kafka_site: Site, browser: Any) -> None:
    site = kafka_site
    title = f"Runder Tisch Innenstadt {uuid.uuid4().hex[:4]}"
    published_dialogue(site, title, capacity=5)
    email = f"anwohner-{uuid.uuid4().hex[:6]}@example.org"
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.goto(site.base + "/dialogues")
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="Teilnahme anmelden").click()
    page.get_by_label("Ihr Name").fill("Jan Kowalski")
    page.get_by_label("Ihre E-Mail-Adresse").fill(email)
    page.get_by_label("Ich habe den Datenschutztext gelesen und stimme zu.").check()
    page.get_by_role("button", name="Teilnahme anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schauen Sie in Ihr E-Mail-Postfach")

    [confirmation] = site.mail.wait_for_mail_to(email, 1, timeout_s=60)
    body = confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://127\.0\.0\.1:\d+/registrations/\S+", body)
    assert link, body
    page.goto(link.group(0))
    expect(page.get_by_text("Sie haben einen Platz.")).to_be_visible()
    page.get_by_role("link", name="Anmeldung stornieren").click()
    page.get_by_role("button", name="Ja, meine Anmeldung stornieren").click()
    expect(page.get_by_text("Ihre Anmeldung ist storniert.")).to_be_visible()
    assert len(site.mail.wait_for_mail_to(email, 2, timeout_s=60)) == 2
    context.close()
