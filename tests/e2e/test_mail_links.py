"""Every link in every message leads a person to a page: each message is rendered as it would be sent
(German and English, with the real paths of a real case, registration and dialogue), and every link
to this site in it is opened in Chromium as its recipient (signed in where the recipient has an
account). The answer is an HTML page with a heading, never JSON and never a sign-in wall."""

from __future__ import annotations

import html
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from notifications.messages import MESSAGES
from notifications.rendering import Renderer
from services.access import Principal
from services.accounts import password_reset
from services.dialogues.registrations import RegistrationCreate, manage_path, register_once
from services.incidents.intake import IncidentCreate, report_incident
from services.incidents.tables import Case
from services.selfchecks import rounds
from services.selfchecks.recipients import answer_path
from services.selfchecks.schemas import RoundCreate
from services.selfchecks.tables import SelfCheckRound
from services.store.tables import Account, Role
from tests.e2e.conftest import Site
from tests.e2e.test_resident_pages import published_dialogue
from tests.integration.test_selfchecks import answers
from tests.support.browser import assert_accessible
from tests.support.people import PASSWORD, Person, person
from tests.support.places import own_district

pytestmark = pytest.mark.integration
# Who receives each message (the rest go to a registrant, or to whoever forgot a password).
RECIPIENT = {
    "case_assigned": Role.COORDINATOR,
    "case_escalated": Role.COORDINATOR,
    "case_information": Role.COORDINATOR,
    "checkin_missed": Role.COORDINATOR,
    "case_taken_over": Role.COORDINATOR,
    "case_queued": Role.ADMIN,
    "delivery_failed": Role.ADMIN,
    "case_received": Role.OFFICIAL,
    "case_in_hands": Role.OFFICIAL,
    "case_new_coordinator": Role.OFFICIAL,
    "case_message": Role.OFFICIAL,
    "case_resolved": Role.OFFICIAL,
    "dialogue_drafted": Role.ORGANISER,
    "capacity_alert": Role.ORGANISER,
    "logistics_brief": Role.ORGANISER,
    "campaign_detected": Role.COORDINATOR,
    "selfcheck_result": Role.MUNICIPALITY,
}
REGISTRANT = None  # no account: the link itself carries the right to see the page


def test_every_link_in_every_message_opens_a_page_for_its_recipient(site: Site, browser: Any) -> None:
    region = own_district(7)
    people = {
        Role.COORDINATOR: person(site.container, Role.COORDINATOR, region=region, expertise="security,legal"),
        Role.OFFICIAL: person(site.container, Role.OFFICIAL, name="Ortsbürgermeisterin"),
        Role.ADMIN: person(site.container, Role.ADMIN, name="Programmleitung"),
        Role.ORGANISER: person(site.container, Role.ORGANISER, name="Veranstaltung"),
        Role.MUNICIPALITY: person(site.container, Role.MUNICIPALITY, municipality_ags=f"{region}002"),
    }
    case_id = _case(site, people[Role.OFFICIAL], f"{region}001")
    campaign_id = _campaign(site, people[Role.OFFICIAL], region)
    round_id = _scored_round(site, people[Role.MUNICIPALITY])
    dialogue_id = published_dialogue(site, f"Dialog {uuid.uuid4().hex[:4]}")
    registration_id = _registration(site, dialogue_id)
    secret = site.container.settings.secret_key.get_secret_value()
    with Session(site.container.engine) as session:
        account = session.get(Account, people[Role.OFFICIAL].id)
        assert account is not None
    expires = int((site.container.clock() + timedelta(hours=1)).timestamp())
    paths = {
        "answer_path": answer_path(secret, _open_respondent(site, people[Role.MUNICIPALITY])),  # no account
        "reset_path": password_reset.reset_path(secret, account, expires),  # whoever forgot: not signed in
        "case_path": f"/cases/{case_id}",
        "report_path": f"/selfchecks/{round_id}/report",
        "manage_path": manage_path(secret, registration_id),
        "dialogue_path": f"/dialogues/{dialogue_id}",
        "dialogue_uid": dialogue_id,
    }
    renderer = Renderer(base_url=site.base)
    contexts = {role: _signed_in(browser, site, someone) for role, someone in people.items()}
    contexts[REGISTRANT] = browser.new_context(locale="de-DE")
    opened: dict[str, int] = {}
    for name, spec in MESSAGES.items():
        context = {**spec.sample, **{k: v for k, v in paths.items() if k in spec.variables}}
        if name == "campaign_detected":
            context["case_path"] = f"/campaigns/{campaign_id}"
        for locale in ("de", "en"):
            rendered = renderer.render(name, locale, context, datetime.now(UTC))
            hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', rendered.html)]
            links = {
                u
                for u in [*re.findall(r"https?://[^\s\"<>]+", rendered.text), *hrefs]
                if u.startswith(site.base)
            }
            page = contexts[RECIPIENT.get(name, REGISTRANT)].new_page()
            for link in sorted(links):
                answer = page.goto(link)
                assert answer is not None and answer.status == 200, (
                    name,
                    locale,
                    link,
                    answer and answer.status,
                )
                assert answer.headers["content-type"].startswith("text/html"), (name, link)
                assert page.get_by_role("heading", level=1).count() == 1, (name, link)
                assert "/sign-in" not in page.url, (name, link)
                opened[name] = opened.get(name, 0) + 1
                if name == "campaign_detected":  # the one page no other browser test reaches
                    assert_accessible(page, f"campaign-{locale}")
            page.close()
    with_links = {
        n
        for n, s in MESSAGES.items()
        if {"case_path", "manage_path", "dialogue_path", "reset_path", "report_path", "answer_path"}
        & set(s.variables)
    }
    assert with_links <= set(opened), sorted(with_links - set(opened))
    assert len(opened) >= 20


def _signed_in(browser: Any, site: Site, someone: Person, **options: Any) -> Any:
    """A German browser context signed in as someone (``options``: a viewport, say)."""
    context = browser.new_context(locale="de-DE", **options)
    page = context.new_page()
    page.goto(site.base + "/sign-in")
    page.get_by_label("E-Mail-Adresse").fill(someone.email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(site.base + "/")
    page.close()
    return context


def _case(site: Site, official: Person, ags: str, immediate_danger: bool = False) -> str:
    body = IncidentCreate.model_validate(
        {
            "kind": "threat",
            "channel": "letter",
            "occurred_at": datetime.now(UTC).isoformat(),
            "municipality_ags": ags,
            "targets": ["self"],
            "immediate_danger": immediate_danger,
            "narrative": "Ein Drohbrief im Briefkasten des Rathauses.",
        }
    )
    secret = site.container.settings.secret_key.get_secret_value()
    with site.container.uow() as uow:
        reported = report_incident(uow, body, official.id, site.container.cipher, secret)
        uow.commit()
    return reported.case_id


def _campaign(site: Site, official: Person, region: str) -> str:
    """Three reports in one district within a day, by two officials: the worker links a campaign."""
    other = person(site.container, Role.OFFICIAL, name="Ratsmitglied")
    cases = [_case(site, someone, f"{region}0{n}9") for n, someone in enumerate((official, other, other))]
    for _ in range(150):
        with Session(site.container.engine) as session:
            found = session.get(Case, cases[-1])
            if found is not None and found.campaign_id:
                return found.campaign_id
        time.sleep(0.1)
    raise AssertionError("no campaign was detected")


def _scored_round(site: Site, municipality: Person) -> str:
    principal = Principal(
        municipality.id, Role.MUNICIPALITY, municipality_ags=municipality_ags(site, municipality)
    )
    secret = site.container.settings.secret_key.get_secret_value()
    with site.container.uow() as uow:
        found = rounds.open_round(uow, principal, RoundCreate(population=9000))
        respondent = rounds.add_respondent(uow, principal, found.id, "Bürgeramt", perspective="department")
        uow.commit()
        round_id, respondent_id = found.id, respondent.id
    with site.container.uow() as uow:
        rounds.save_answers(
            uow, secret, respondent_id, rounds.answer_token(secret, respondent_id), answers(2)
        )
        uow.commit()
    with site.container.uow() as uow:
        rounds.submit(uow, principal, round_id)
        uow.commit()
    for _ in range(150):
        with Session(site.container.engine) as session:
            if session.get(SelfCheckRound, round_id).status == "scored":  # type: ignore[union-attr]
                return round_id
        time.sleep(0.1)
    raise AssertionError("the round was not scored")


def _open_respondent(site: Site, municipality: Person) -> str:
    """Someone asked to answer an open self-check round (their link works until it closes)."""
    principal = Principal(
        municipality.id, Role.MUNICIPALITY, municipality_ags=municipality_ags(site, municipality)
    )
    with site.container.uow() as uow:
        found = rounds.open_round(uow, principal, RoundCreate(population=9000))
        respondent = rounds.add_respondent(
            uow, principal, found.id, "Integrationsbeirat", perspective="integration_council"
        )
        uow.commit()
        return respondent.id


def municipality_ags(site: Site, someone: Person) -> str:
    with Session(site.container.engine) as session:
        account = session.get(Account, someone.id)
        assert account is not None and account.municipality_ags is not None
        return account.municipality_ags


def _registration(site: Site, dialogue_id: str) -> str:
    body = RegistrationCreate.model_validate(
        {
            "name": "Jan Kowalski",
            "email": f"jan-{uuid.uuid4().hex[:6]}@example.org",
            "privacy_consent": "2026-1",
        }
    )
    registration, _ = register_once(site.container.uow, dialogue_id, body)
    return registration.id
