"""Pages that mails to coordinators and municipalities link to: a detected campaign with the cases
the reader may see, the self-check report and the workshop agenda (printable, also as PDF)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from services.api.deps import SessionDep
from services.incidents import case_views
from services.selfchecks import round_views
from services.selfchecks.report_pdf import REPORT, WORKSHOP, pdf_response, report_html
from services.web.render import Visit, redirect, render
from services.web.visits import PageVisit

router = APIRouter()


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign(campaign_id: str, visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/campaigns/{campaign_id}")
    return render(visit, "campaign.html", campaign=case_views.campaign(session, visit.principal, campaign_id))


def _document(visit: Visit, session: Session, round_id: str, kind: str, as_pdf: bool) -> Response:
    """A scored round's report or workshop agenda, in the reader's language, as a page or a PDF."""
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/selfchecks/{round_id}/{kind}")
    language = "en" if visit.language == "en" else "de"
    read = round_views.report if kind == "report" else round_views.workshop
    template = REPORT if kind == "report" else WORKSHOP
    values = read(session, visit.principal, round_id, language)
    if as_pdf:
        return pdf_response(values, template)
    back = f"/selfchecks/{round_id}" if kind == "workshop" else None
    html = report_html(values, f"/selfchecks/{round_id}/{kind}.pdf?lang={language}", template, back)
    return HTMLResponse(html, headers={"Content-Language": language})


@router.get("/selfchecks/{round_id}/report", response_class=HTMLResponse)
def selfcheck_report(round_id: str, visit: PageVisit, session: SessionDep) -> Response:
    return _document(visit, session, round_id, "report", as_pdf=False)


@router.get("/selfchecks/{round_id}/report.pdf")
def selfcheck_report_pdf(round_id: str, visit: PageVisit, session: SessionDep) -> Response:
    """The report as a PDF to put in front of the council, in the reader's language."""
    return _document(visit, session, round_id, "report", as_pdf=True)


@router.get("/selfchecks/{round_id}/workshop", response_class=HTMLResponse)
def selfcheck_workshop(round_id: str, visit: PageVisit, session: SessionDep) -> Response:
    """The workshop agenda, printable; the draft dialogue is made on the round's page."""
    return _document(visit, session, round_id, "workshop", as_pdf=False)


@router.get("/selfchecks/{round_id}/workshop.pdf")
def selfcheck_workshop_pdf(round_id: str, visit: PageVisit, session: SessionDep) -> Response:
    return _document(visit, session, round_id, "workshop", as_pdf=True)
