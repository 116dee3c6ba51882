"""The coordinators' workspace: the queue (own cases and the region's unassigned ones, most severe
first, the time left to acknowledge), going on and off duty, and the actions on a case that are
theirs (claim, internal note, resolve, mark an offer delivered). The API's operations throughout."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from services.access import Principal
from services.api.attachments import evidence_response
from services.api.deps import ContainerDep, SessionDep, committed
from services.bootstrap import Container
from services.incidents import case_actions, case_views, coordinator_profiles, duty
from services.incidents.case_views import QueueScope
from services.incidents.schemas import CaseSummary
from services.incidents.tables import CoordinatorProfile
from services.store.tables import Role
from services.web.forms import field_errors, listed
from services.web.i18n import BERLIN, N_
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


LANGUAGES = ("de", "en", "tr", "ar", "ru", "uk", "pl", "fr", "es", "it")


@router.get("/me/profile", response_class=HTMLResponse)
def my_profile(visit: PageVisit, session: SessionDep, container: ContainerDep) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/me/profile")
    return _profile_page(visit, session, container, {})


def _profile_page(visit: Visit, session: Session, container: Container, errors: dict[str, str]) -> Response:
    principal = _coordinator(visit)
    profile, account = coordinator_profiles.own_profile(session, principal)
    shown = coordinator_profiles.public(profile, account)
    shifts = duty.my_shifts(session, principal, container.clock()).shifts
    return render(
        visit,
        "my_profile.html",
        status_code=422 if errors else 200,
        profile=shown,
        shifts=shifts,
        languages_offered=LANGUAGES,
        errors=errors,
        saved=visit.request.query_params.get("saved"),
    )


@router.post("/me/profile", response_class=HTMLResponse)
def save_profile(visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep) -> Response:
    principal = _coordinator(visit)
    try:
        body = coordinator_profiles.OwnProfileUpdate.model_validate(
            {
                "languages": listed(form, "language") or None,
                "capacity": form.get("capacity") or None,
                "shared_contact": form.get("shared_contact", ""),
            }
        )
    except ValidationError as exc:
        messages = {
            "capacity": N_("Enter how many open cases you can hold: a number from 1 to 200"),
            "languages": N_("Choose at least one language"),
            "shared_contact": N_("Keep the contact under 200 characters"),
        }
        return _profile_page(visit, session, container, field_errors(visit, exc, messages))
    with container.uow() as uow:
        coordinator_profiles.update_own(uow, principal, body)
    return redirect(visit, "/me/profile?saved=profile")


@router.post("/me/shifts", response_class=HTMLResponse)
def save_shifts(visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep) -> Response:
    """Add one shift (day, from, to in Berlin time), or remove them all."""
    principal = _coordinator(visit)
    shifts = (
        [] if form.get("action") == "clear" else duty.my_shifts(session, principal, container.clock()).shifts
    )
    if form.get("action") != "clear":
        starts, ends = (
            _berlin(form.get("day", ""), form.get("from", "")),
            _berlin(form.get("day", ""), form.get("to", "")),
        )
        if starts is None or ends is None:
            errors = {"day": visit.gettext("Enter the day and both times, like 2026-12-01, 08:00 and 16:00")}
            return _profile_page(visit, session, container, errors)
        if ends <= starts:
            ends += timedelta(days=1)  # a night shift ends the next morning
        try:
            shifts = [*shifts, duty.ShiftIn(starts_at=starts, ends_at=ends)]
        except ValidationError:
            errors = {"day": visit.gettext("A shift lasts at most 7 days")}
            return _profile_page(visit, session, container, errors)
    with container.uow() as uow:
        duty.set_shifts(uow, principal, duty.Shifts(shifts=shifts))
    return redirect(visit, "/me/profile?saved=shifts")


def _berlin(day: str, time: str) -> datetime | None:
    try:
        return datetime.strptime(f"{day} {time}", "%Y-%m-%d %H:%M").replace(tzinfo=BERLIN)
    except ValueError:
        return None
