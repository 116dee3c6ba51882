"""The coordinators' workspace: the queue (own cases and the region's unassigned ones, most severe
first, the time left to acknowledge), going on and off duty, and the actions on a case that are
theirs (claim, internal note, resolve, mark an offer delivered). The API's operations throughout."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from services.access import Principal
from services.api.attachments import evidence_response
from services.api.deps import ContainerDep, SessionDep, committed
from services.incidents import case_actions, case_views, duty
from services.incidents.case_views import QueueScope
from services.incidents.schemas import CaseSummary
from services.incidents.tables import CoordinatorProfile
from services.store.tables import Role
from services.web.render import Visit, redirect, render
from services.web.visits import Form, PageVisit
from workflows.errors import Forbidden

router = APIRouter()
SEVERITIES = ("critical", "high", "medium", "low")
STATUSES = ("queued", "assigned", "acknowledged", "resolved")
EXPERTISE = ("security", "legal", "psychosocial", "takedown", "media")


def _coordinator(visit: Visit) -> Principal:
    if visit.principal is None or visit.principal.role not in (Role.COORDINATOR, Role.ADMIN):
        raise Forbidden("for coordinators and admins")
    return visit.principal


def time_left(visit: Visit, case: CaseSummary, now: datetime) -> str | None:
    """'12 min left' or '3 min overdue' while the case waits to be taken."""
    if case.acknowledge_by is None or case.status not in ("queued", "assigned"):
        return None
    minutes = int((case.acknowledge_by - now).total_seconds() // 60)
    if minutes >= 0:
        return visit.gettext("%(time)s left", time=_span(visit, minutes))
    return visit.gettext("%(time)s overdue", time=_span(visit, -minutes))


def _span(visit: Visit, minutes: int) -> str:
    if minutes < 120:
        return visit.gettext("%(n)d min", n=minutes)
    return visit.gettext("%(n)d h", n=minutes // 60)


@router.get("/queue", response_class=HTMLResponse)
def queue(
    visit: PageVisit,
    session: SessionDep,
    container: ContainerDep,
    scope: str = "region",
    severity: str = "",
    status: str = "",
    expertise: str = "",
    include_closed: bool = False,
) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/queue")
    principal = _coordinator(visit)
    now = container.clock()
    chosen: QueueScope = "mine" if scope == "mine" else "region"
    cases = case_views.queue(session, principal, chosen, include_closed or status == "resolved", now)
    if severity in SEVERITIES:
        cases = [c for c in cases if c.severity == severity]
    if status in STATUSES:
        cases = [c for c in cases if c.status == status]
    if expertise in EXPERTISE:
        cases = [c for c in cases if c.expertise == expertise]
    profile = session.get(CoordinatorProfile, principal.account_id)
    return render(
        visit,
        "queue.html",
        cases=cases,
        now=now,
        left={c.id: time_left(visit, c, now) for c in cases},
        scope=chosen,
        severity=severity if severity in SEVERITIES else "",
        include_closed=include_closed,
        severities=SEVERITIES,
        statuses=STATUSES,
        expertises=EXPERTISE,
        status=status if status in STATUSES else "",
        expertise=expertise if expertise in EXPERTISE else "",
        on_duty=profile.on_duty if profile else None,
        errors={},
    )


@router.post("/me/duty", response_class=HTMLResponse)
def set_duty(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _coordinator(visit)
    on_duty = form.get("on_duty") == "yes"
    choice = form.get("open_cases")
    open_cases: duty.OpenCases | None = choice if choice in ("hand_over", "keep") else None  # type: ignore[assignment]
    try:
        with container.uow() as uow:
            duty.set_duty(uow, principal, on_duty, open_cases)
    except duty.OpenCasesNeedADecision:
        return redirect(visit, "/queue?ask=open_cases")
    return redirect(visit, "/queue")


@router.post("/cases/{case_id}/claim", response_class=HTMLResponse)
def claim(case_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _coordinator(visit)
    with committed(container) as uow:
        case_actions.reassign(uow, principal, case_id, principal.account_id)
    return redirect(visit, f"/cases/{case_id}?done=claimed#top")


@router.post("/cases/{case_id}/note", response_class=HTMLResponse)
def note(case_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _coordinator(visit)
    text = form.get("note", "").strip()
    if text:
        with committed(container) as uow:
            case_actions.add_note(uow, container.cipher, principal, case_id, text)
    return redirect(visit, f"/cases/{case_id}?done=note#top")


@router.post("/cases/{case_id}/resolve", response_class=HTMLResponse)
def resolve(case_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _coordinator(visit)
    if form.get("confirm") != "yes":
        return redirect(visit, f"/cases/{case_id}?confirm=resolve#resolve")
    with committed(container) as uow:
        case_actions.resolve(uow, principal, case_id)
    return redirect(visit, f"/cases/{case_id}?done=resolved#top")


@router.post("/cases/{case_id}/handover", response_class=HTMLResponse)
def hand_over(case_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    """To a colleague of the region; the reason is kept as an internal note (encrypted)."""
    principal = _coordinator(visit)
    reason = form.get("reason", "").strip()
    with committed(container) as uow:
        if reason:
            case_actions.add_note(uow, container.cipher, principal, case_id, reason)
        case_actions.reassign(uow, principal, case_id, form.get("assignee_id", ""))
    return redirect(visit, f"/cases/{case_id}?done=handed#top")


@router.post("/cases/{case_id}/close", response_class=HTMLResponse)
def close(case_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _coordinator(visit)
    if form.get("confirm") != "yes":
        return redirect(visit, f"/cases/{case_id}#close")
    with committed(container) as uow:
        case_actions.close(uow, principal, case_id)
    return redirect(visit, f"/cases/{case_id}?done=closed#top")


@router.get("/cases/{case_id}/evidence/{file_id}")
def evidence_file(
    case_id: str, file_id: str, visit: PageVisit, session: SessionDep, container: ContainerDep
) -> Response:
    """A file as it was uploaded, to save (never shown inline: it may be anything a stranger sent)."""
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/cases/{case_id}")
    name, content_type, data = case_views.evidence_download(
        session, container.cipher, visit.principal, case_id, file_id, container.clock()
    )
    return evidence_response(name, content_type, data)
