"""The admins' console: its start page (what needs attention), the programme on-call rota, the rules
in force with their versions, deliveries per notification and channel, and the system view. The
operations of the API and the CLI throughout."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from services.api.deps import ContainerDep, SessionDep
from services.bootstrap import Container
from services.incidents import coordinator_profiles as profiles
from services.incidents import on_call
from services.incidents.rules import rule_files
from services.notify import inbox
from services.notify.tables import NotificationStatus
from services.system_status import dead_letter_backlog, outbox_backlog, system_status, urgent_lane
from services.web.forms import listed
from services.web.i18n import BERLIN
from services.web.render import Visit, redirect, render
from services.web.routes.admin import admin_only
from services.web.visits import Form, PageVisit

router = APIRouter()


@router.get("/admin", response_class=HTMLResponse)
def console(visit: PageVisit, session: SessionDep, container: ContainerDep) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/admin")
    principal = admin_only(visit)
    now = container.clock()
    return render(
        visit,
        "admin_home.html",
        outbox=outbox_backlog(session),
        letters=dead_letter_backlog(session),
        urgent=urgent_lane(session),
        on_call_now=on_call.rota(session, principal, now, now, now).on_call_now,
        on_duty=sum(1 for p in profiles.all_profiles(session, principal) if p.on_duty),
        now=now,
    )


@router.get("/admin/on-call", response_class=HTMLResponse)
def rota(visit: PageVisit, session: SessionDep, container: ContainerDep) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/admin/on-call")
    return _rota_page(visit, session, container, {})


def _rota_page(visit: Visit, session: Session, container: Container, errors: dict[str, str]) -> Response:
    principal = admin_only(visit)
    now = container.clock()
    shown = on_call.rota(session, principal, now, now + timedelta(days=14), now)
    names = {p.account_id: p.display_name for p in profiles.all_profiles(session, principal)}
    return render(
        visit,
        "admin_on_call.html",
        status_code=422 if errors else 200,
        rota=shown,
        people=names,
        on_call_names=[names.get(a, "?") for a in shown.on_call_now],
        errors=errors,
        today=now.astimezone(BERLIN).date().isoformat(),
    )


@router.post("/admin/on-call", response_class=HTMLResponse)
def set_rota(visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep) -> Response:
    """Turns of N hours from a first hand-over, the people ticked taking turns (as the CLI)."""
    principal = admin_only(visit)
    errors: dict[str, str] = {}
    people = listed(form, "person")
    if not people:
        errors["people"] = visit.gettext("Choose who takes turns")
    try:
        first = datetime.strptime(f"{form.get('day', '')} {form.get('time', '')}", "%Y-%m-%d %H:%M")
    except ValueError:
        errors["day"] = visit.gettext("Enter the day and time of the first hand-over")
    hours, count = form.get("hours", ""), form.get("turns", "")
    if not hours.isdigit() or not 1 <= int(hours) <= 168:
        errors["hours"] = visit.gettext("Enter the hours of one turn, from 1 to 168")
    if not count.isdigit() or not 1 <= int(count) <= 200:
        errors["turns"] = visit.gettext("Enter how many turns, from 1 to 200")
    if errors:
        return _rota_page(visit, session, container, errors)
    try:
        body = on_call.rotation(people, first.replace(tzinfo=BERLIN), int(hours), int(count))
    except ValidationError:
        return _rota_page(visit, session, container, {"hours": visit.gettext("A turn lasts at most 31 days")})
    with container.uow() as uow:
        on_call.set_rota(uow, principal, body)
    return redirect(visit, "/admin/on-call?done=set")


@router.get("/admin/rules", response_class=HTMLResponse)
def rules(visit: PageVisit) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/admin/rules")
    admin_only(visit)
    return render(visit, "admin_rules.html", files=rule_files())


@router.get("/admin/deliveries", response_class=HTMLResponse)
def deliveries(visit: PageVisit, session: SessionDep, status: str = "") -> Response:
    """Status per notification and channel, attempts and the last error; never the message."""
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/admin/deliveries")
    admin_only(visit)
    chosen = NotificationStatus(status) if status in set(NotificationStatus) else None
    found = inbox.notifications(session, chosen, None, 100)
    return render(
        visit, "admin_deliveries.html", notifications=found, status=status, statuses=list(NotificationStatus)
    )


@router.get("/admin/system", response_class=HTMLResponse)
def system(visit: PageVisit, session: SessionDep, container: ContainerDep) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/admin/system")
    found = system_status(session, admin_only(visit), container.settings)
    return render(visit, "admin_system.html", status=found, now=container.clock())
