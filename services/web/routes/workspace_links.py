"""Pages that mails to coordinators and municipalities link to: a detected campaign with the cases
the reader may see, the self-check report and the workshop agenda (printable, also as PDF)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from services.api.deps import SessionDep
from services.incidents import case_views
from services.selfchecks import round_views
from services.selfchecks.report_pdf import WORKSHOP, pdf_response, report_html
from services.web.render import redirect, render
from services.web.visits import PageVisit

router = APIRouter()


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign(campaign_id: str, visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/campaigns/{campaign_id}")
    return render(visit, "campaign.html", campaign=case_views.campaign(session, visit.principal, campaign_id))


@router.get("/selfchecks/{round_id}/report", response_class=HTMLResponse)
def selfcheck_report(round_id: str, visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/selfchecks/{round_id}/report")
    language = "en" if visit.language == "en" else "de"
    values = round_views.report(session, visit.principal, round_id, language)
    html = report_html(values, f"/selfchecks/{round_id}/report.pdf?lang={language}")
    return HTMLResponse(html, headers={"Content-Language": language})


@router.get("/selfchecks/{round_id}/report.pdf")
def selfcheck_report_pdf(round_id: str, visit: PageVisit, session: SessionDep) -> Response:
    """The report as a PDF to put in front of the council, in the reader's language."""
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/selfchecks/{round_id}/report")
    language = "en" if visit.language == "en" else "de"
    return pdf_response(round_views.report(session, visit.principal, round_id, language))


@router.get("/selfchecks/{round_id}/workshop", response_class=HTMLResponse)
def selfcheck_workshop(round_id: str, visit: PageVisit, session: SessionDep) -> Response:
    """The workshop agenda, printable; the draft dialogue is made on the round's page."""
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/selfchecks/{round_id}/workshop")
    language = "en" if visit.language == "en" else "de"
    values = round_views.workshop(session, visit.principal, round_id, language)
    html = report_html(
        values, f"/selfchecks/{round_id}/workshop.pdf?lang={language}", WORKSHOP, f"/selfchecks/{round_id}"
    )
    return HTMLResponse(html, headers={"Content-Language": language})


@router.get("/selfchecks/{round_id}/workshop.pdf")
def selfcheck_workshop_pdf(round_id: str, visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/selfchecks/{round_id}/workshop")
    language = "en" if visit.language == "en" else "de"
    return pdf_response(round_views.workshop(session, visit.principal, round_id, language), WORKSHOP)
