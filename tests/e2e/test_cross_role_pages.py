"""Every page and every form action of the site, tried by every role that has no business there
(with a valid CSRF token, so that only the authorisation can refuse): no coordinator reaches a case,
campaign or evidence of another region, no official someone else's case, the municipality of the
place never the official's report, no one but an admin a console page, no one but coordinators the
queue and duty. The owners open their pages (the check can fail), and the case is left as it was.
The list of routes is read from the site's routers: a new route must be classified here."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sqlmodel import Session, func, select

from services.incidents.tables import Case, CaseHistory, CaseNote, EvidenceFile, SupportOffer
from services.store.tables import Role
from services.web.site import PAGES
from tests.e2e.conftest import Site
from tests.e2e.test_coordinator_pages import _evidence
from tests.e2e.test_mail_links import _campaign, _case, _registration, _scored_round, _signed_in
from tests.e2e.test_resident_pages import published_dialogue
from tests.support.people import person
from tests.support.places import own_district

pytestmark = pytest.mark.integration
# Open to everyone (a secret in the link, or nothing personal), or about the caller's own account.
OPEN = {
    "/",
    "/help",
    "/sign-in",
    "/sign-out",
    "/password-reset",
    "/password-reset/{account_id}",
    "/account/password",
    "/account/notifications",
    "/account/notifications/matrix",
    "/account/notifications/matrix/confirm",
    "/account/notifications/matrix/remove",
    "/report",
    "/report/anonymous",
    "/follow",
    "/follow/answer",
    "/follow/news-address",
    "/dialogues",
    "/dialogues/{dialogue_id}",
    "/dialogues/{dialogue_id}/register",
    "/dialogues/{dialogue_id}/registered",
    "/registrations/{registration_id}",
    "/registrations/{registration_id}/needs",
    "/registrations/{registration_id}/cancel",
    "/registrations/{registration_id}/calendar.ics",
    "/me",
    "/me/cases",
}
COORDINATING = {"/queue", "/me/duty", "/me/profile", "/me/shifts"}
OWN_LISTS = {"/organise": Role.ORGANISER, "/organise/new": Role.ORGANISER, "/selfchecks": Role.MUNICIPALITY}


def _routes() -> list[tuple[str, str]]:
    return [(method, r.path) for m in PAGES for r in m.router.routes for method in sorted(r.methods)]


def test_every_route_is_classified() -> None:
    unknown = [
        (method, path)
        for method, path in _routes()
        if path not in OPEN | COORDINATING | set(OWN_LISTS)
        and not path.startswith(("/admin", "/cases/{case_id}", "/campaigns/", "/selfchecks/", "/organise"))
    ]
    assert not unknown, f"classify these routes in this test: {unknown}"


def test_no_role_reaches_what_is_not_theirs(site: Site, browser: Any) -> None:
    region, elsewhere = own_district(15), own_district(13)
    owner = person(site.container, Role.OFFICIAL, name="Eigentümerin")
    colleague = person(site.container, Role.COORDINATOR, region=region, expertise="security,legal")
    municipality = person(site.container, Role.MUNICIPALITY, municipality_ags=f"{region}001")
    case_id = _case(site, owner, f"{region}001")
    _evidence(site, owner.id, case_id, b"beweis")
    campaign_id = _campaign(site, owner, region)
    round_id = _scored_round(site, municipality)
    with Session(site.container.engine) as session:
        offer_id = session.exec(select(SupportOffer.id).where(SupportOffer.case_id == case_id)).first()
        incident_id = session.get(Case, case_id).incident_id  # type: ignore[union-attr]
        file_id = session.exec(select(EvidenceFile.id).where(EvidenceFile.incident_id == incident_id)).one()
    before = _settled(site, case_id)
    dialogue_id = published_dialogue(site, f"Dialog {uuid.uuid4().hex[:4]}")  # another organiser's
    registration_id = _registration(site, dialogue_id)
    values = {
        "{dialogue_id}": dialogue_id,
        "{registration_id}": registration_id,
        "{key}": "dgs",
        "{case_id}": case_id,
        "{offer_id}": offer_id or "none",
        "{file_id}": file_id,
        "{campaign_id}": campaign_id,
        "{round_id}": round_id,
        "{account_id}": owner.id,
        "{letter_id}": "1",
    }

    def concrete(path: str) -> str:
        for name, value in values.items():
            path = path.replace(name, str(value))
        return path

    strangers = {
        "coordinator of another region": person(
            site.container, Role.COORDINATOR, region=elsewhere, expertise="security,legal,psychosocial"
        ),
        "another official": person(site.container, Role.OFFICIAL, name="Fremd"),
        "organiser": person(site.container, Role.ORGANISER, name="Veranstaltung"),
        "municipality of the place": person(
            site.container, Role.MUNICIPALITY, municipality_ags=f"{region}001"
        ),
        "another municipality": person(site.container, Role.MUNICIPALITY, municipality_ags=f"{elsewhere}001"),
    }
    tried = 0
    for who, stranger in strangers.items():
        context = _signed_in(browser, site, stranger)
        page = context.new_page()
        page.goto(site.base + "/")
        token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
        for method, template in _routes():
            if template in OPEN:
                continue
            if template in COORDINATING and stranger.role is Role.COORDINATOR:
                continue
            if template.startswith("/selfchecks/") and who == "municipality of the place":
                continue  # that municipality's own round: its report is theirs to read
            if OWN_LISTS.get(template) is stranger.role:
                continue  # their own list, their own new dialogue or self-check
            url = site.base + concrete(template)
            if method == "GET":
                status = context.request.get(url, max_redirects=0).status
            else:
                form = {  # valid input everywhere: only the authorisation may refuse
                    "csrf_token": token,
                    "confirm": "yes",
                    "action": "disable",
                    "note": "x",
                    "text": "Eine Nachricht",
                    "reason": "Urlaub",
                    "answer": "accept",
                    "on_duty": "yes",
                    "assignee_id": stranger.id,
                    "share": "yes",
                    "interval": "60",
                }
                if template.endswith("/evidence"):
                    upload = {"name": "x.txt", "mimeType": "text/plain", "buffer": b"x"}
                    multipart: dict[str, Any] = {"csrf_token": token, "file": upload}
                    status = context.request.post(url, multipart=multipart, max_redirects=0).status
                else:
                    status = context.request.post(url, form=form, max_redirects=0).status
            assert status in (403, 404), (who, method, template, status)
            tried += 1
        context.close()
    assert tried > 100
    assert _state(site, case_id) == before  # nothing changed, nothing added

    # The owners are let in: the same requests can succeed.
    for someone, paths in (
        (owner, [f"/cases/{case_id}"]),
        (
            colleague,
            [f"/cases/{case_id}", f"/campaigns/{campaign_id}", f"/cases/{case_id}/evidence/{file_id}"],
        ),
        (municipality, [f"/selfchecks/{round_id}/report"]),
    ):
        context = _signed_in(browser, site, someone)
        for path in paths:
            assert context.request.get(site.base + path).status == 200, (someone.role, path)
        context.close()


def _settled(site: Site, case_id: str) -> tuple[Any, ...]:
    """The case's state once the worker is done with it (routed, linked to the campaign)."""
    last: tuple[Any, ...] = ()
    for _ in range(100):
        now = _state(site, case_id)
        if now == last and now[1] is not None:
            return now
        last = now
        time.sleep(0.2)
    raise AssertionError(f"the case did not settle: {last}")


def _state(site: Site, case_id: str) -> tuple[Any, ...]:
    with Session(site.container.engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        history = session.scalar(select(func.count()).where(CaseHistory.case_id == case_id))
        notes = session.scalar(select(func.count()).where(CaseNote.case_id == case_id))
        offers = tuple(session.exec(select(SupportOffer.status).where(SupportOffer.case_id == case_id)).all())
        return case.status, case.assignee_id, case.share_contact, history, notes, offers
