"""A case as its people see it: the reporting official (status, who handles it, offers, the
conversation, evidence, the safety check-in, sharing contact details) and its coordinator (enough
to act on a mailed link; their workspace follows). Every action is the API's operation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from services.access import Principal
from services.api.deps import ContainerDep, SessionDep, committed
from services.incidents import case_actions, case_views, reporter_actions
from services.incidents.case_actions import OfferAnswer
from services.store.tables import Role
from services.web.i18n import N_
from services.web.render import Visit, redirect, render
from services.web.visits import Form, PageVisit
from workflows.errors import Forbidden, Invalid

router = APIRouter()
NOTICES = {
    "message": N_("Your message is sent. The other side is told that there is one."),
    "offer": N_("Your answer is saved."),
    "checkin": N_("Saved. Thank you."),
    "safe": N_("Thank you: your check-in is recorded."),
    "contact": N_("Saved."),
    "evidence": N_("The file is added to your case."),
    "acknowledged": N_("You took the case. The official is told who looks after it."),
    "claimed": N_("The case is yours now. Take it, so that it does not escalate."),
    "note": N_("The note is added."),
    "resolved": N_("The case is resolved. The reporter is told."),
    "handed": N_("The case is handed over. Your colleague is told."),
    "closed": N_("The case is closed."),
}


def _principal(visit: Visit) -> Principal:
    if visit.principal is None:
        raise Forbidden("sign in first")
    return visit.principal


@router.get("/me", response_class=HTMLResponse)
def workspace(visit: PageVisit) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/me")
    if visit.principal.role is Role.OFFICIAL:
        return redirect(visit, "/me/cases")
    if visit.principal.role in (Role.COORDINATOR, Role.ADMIN):
        return redirect(visit, "/queue")
    return render(visit, "workspace.html")


@router.get("/me/cases", response_class=HTMLResponse)
def my_cases(visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/me/cases")
    return render(visit, "my_cases.html", cases=case_views.reported_by(session, visit.principal))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: str, visit: PageVisit, session: SessionDep, container: ContainerDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/cases/{case_id}")
    detail = case_views.case_detail(session, container.cipher, visit.principal, case_id, container.clock())
    coordinator = visit.principal.role in (Role.COORDINATOR, Role.ADMIN)
    query = visit.request.query_params
    notice = NOTICES.get(query.get("done", ""))
    return render(
        visit,
        "case.html",
        case=detail,
        reporter=detail.narrative is not None and visit.principal.role is Role.OFFICIAL,
        assignee=detail.assignee_id == visit.principal.account_id,
        coordinator=coordinator,
        colleagues=case_views.colleagues(session, visit.principal, case_id, container.clock())
        if coordinator
        else [],
        new=query.get("new") == "1",
        danger=query.get("danger") == "1",
        notice=visit.gettext(notice) if notice else None,
        errors={},
    )


def _after(visit: Visit, case_id: str, done: str) -> Response:
    return redirect(visit, f"/cases/{case_id}?done={done}#top")


@router.post("/cases/{case_id}/message", response_class=HTMLResponse)
def message(case_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _principal(visit)
    text = form.get("text", "").strip()
    if not 1 <= len(text) <= 10000:
        raise _Invalid(visit.gettext("Write your message (at most 10,000 characters)"))
    with committed(container) as uow:
        if principal.role is Role.OFFICIAL:
            case_actions.inform(uow, container.cipher, principal, case_id, text)
        else:
            case_actions.message_reporter(uow, container.cipher, principal, case_id, text)
    return _after(visit, case_id, "message")


class _Invalid(Invalid):
    """An answer that does not fit, said in the reader's language (answered as 422)."""


@router.post("/cases/{case_id}/offers/{offer_id}", response_class=HTMLResponse)
def answer_offer(
    case_id: str, offer_id: str, visit: PageVisit, form: Form, container: ContainerDep
) -> Response:
    principal = _principal(visit)
    answer = form.get("answer", "")
    if answer not in ("accept", "decline", "delivered"):
        raise _Invalid(visit.gettext("Choose accept or decline"))
    chosen: OfferAnswer = answer  # type: ignore[assignment]
    with committed(container) as uow:
        case_actions.answer_offer(uow, principal, case_id, offer_id, chosen)
    return _after(visit, case_id, "offer")


@router.post("/cases/{case_id}/checkin", response_class=HTMLResponse)
def checkin(case_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _principal(visit)
    action = form.get("action", "")
    with committed(container) as uow:
        if action == "enable":
            minutes = int(form.get("interval", "60")) if form.get("interval", "").isdigit() else 60
            case_actions.enable_checkin(uow, principal, case_id, min(max(minutes, 15), 24 * 60))
        elif action == "disable":
            case_actions.disable_checkin(uow, principal, case_id)
        else:
            case_actions.check_in(uow, principal, case_id)
    return _after(visit, case_id, "safe" if action == "safe" else "checkin")


@router.post("/cases/{case_id}/contact-sharing", response_class=HTMLResponse)
def contact_sharing(case_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _principal(visit)
    with committed(container) as uow:
        case_actions.share_contact(uow, principal, case_id, form.get("share") == "yes")
    return _after(visit, case_id, "contact")


@router.post("/cases/{case_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(case_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _principal(visit)
    with committed(container) as uow:
        case_actions.acknowledge(uow, principal, case_id)
    return _after(visit, case_id, "acknowledged")


@router.post("/cases/{case_id}/evidence", response_class=HTMLResponse)
async def evidence(
    case_id: str, visit: PageVisit, form: Form, request: Request, container: ContainerDep
) -> Response:
    principal = _principal(visit)
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise _Invalid(visit.gettext("Choose a file to add"))
    data = await upload.read(reporter_actions.MAX_EVIDENCE_BYTES + 1)
    content_type = (upload.content_type or "").split(";")[0].strip()
    with committed(container) as uow:
        reporter_actions.add_evidence(
            uow, container.cipher, principal, case_id, upload.filename, content_type, data
        )
    return _after(visit, case_id, "evidence")
