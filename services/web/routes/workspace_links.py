"""Pages that mails to coordinators and municipalities link to, until their workspaces come: a
detected campaign with the cases the reader may see, and the self-check report."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from services.api.deps import SessionDep
from services.incidents import case_views
from services.selfchecks import round_views, rounds
from services.selfchecks.report import report_values
from services.selfchecks.report_pdf import pdf_response, report_html
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
    found = round_views.scored_round(session, visit.principal, round_id)
    language = "en" if visit.language == "en" else "de"
    values = report_values(found, rounds.recommendations(session, found.id), language)
    html = report_html(values, f"/selfchecks/{found.id}/report.pdf?lang={language}")
    return HTMLResponse(html, headers={"Content-Language": language})


@router.get("/selfchecks/{round_id}/report.pdf")
def selfcheck_report_pdf(round_id: str, visit: PageVisit, session: SessionDep) -> Response:
    """The report as a PDF to put in front of the council, in the reader's language."""
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/selfchecks/{round_id}/report")
    found = round_views.scored_round(session, visit.principal, round_id)
    language = "en" if visit.language == "en" else "de"
    return pdf_response(report_values(found, rounds.recommendations(session, found.id), language))
