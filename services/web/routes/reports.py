"""Officials report: signed in or without an account, in short steps that open with what to do in
danger. Immediate danger is answered first with "call 110 now". The anonymous reporter is shown the
case code and secret once, with the advice to keep them."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from services.api.deps import ContainerDep, committed
from services.api.limits import rate_limited
from services.demo.municipalities import MUNICIPALITIES
from services.incidents.intake import Reported, report_incident
from services.store.tables import Role
from services.web import report_steps
from services.web.render import Visit, redirect, render
from services.web.visits import Form, PageVisit

router = APIRouter()


def _official(visit: Visit) -> bool:
    return visit.principal is not None and visit.principal.role is Role.OFFICIAL


@router.get("/report", response_class=HTMLResponse)
def start(visit: PageVisit) -> Response:
    if not _official(visit):
        return render(visit, "report_start.html")
    return _step(visit, "danger", {}, {}, anonymous=False)


@router.get("/report/anonymous", response_class=HTMLResponse)
def start_anonymous(visit: PageVisit) -> Response:
    return _step(visit, "danger", {}, {}, anonymous=True)


@router.post("/report", response_class=HTMLResponse)
def step(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    if not _official(visit):
        return redirect(visit, "/sign-in?next=/report")
    return _advance(visit, form, container, anonymous=False)


@router.post(
    "/report/anonymous",
    response_class=HTMLResponse,
    dependencies=[Depends(rate_limited("anonymous-report", "anonymous_reports_per_minute"))],
)
def step_anonymous(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    return _advance(visit, form, container, anonymous=True)


def _advance(visit: Visit, form: dict[str, str], container: ContainerDep, anonymous: bool) -> Response:
    current = report_steps.step_named(form.get("step"))
    values = {k: v for k, v in form.items() if k not in ("csrf_token", "step", "go")}
    index = report_steps.NAMES.index(current)
    if form.get("go") == "back":
        return _step(visit, report_steps.NAMES[max(0, index - 1)], values, {}, anonymous)
    problems = report_steps.problems_until(values, current, visit.language, not anonymous)
    if problems:
        first = min(report_steps.NAMES.index(report_steps.STEP_OF_FIELD.get(f, current)) for f in problems)
        errors = {k: visit.gettext(v) for k, v in problems.items()}
        return _step(visit, report_steps.NAMES[first], values, errors, anonymous, status=422)
    if index + 1 < len(report_steps.NAMES):
        return _step(visit, report_steps.NAMES[index + 1], values, {}, anonymous)
    body = report_steps.incident(values, visit.language, not anonymous)
    secret_key = container.settings.secret_key.get_secret_value()
    reporter = None if anonymous or visit.principal is None else visit.principal.account_id
    with committed(container, urgent=body.immediate_danger) as uow:  # immediate danger writes first
        reported = report_incident(uow, body, reporter, container.cipher, secret_key)
    if anonymous:
        return render(visit, "report_sent_anonymous.html", reported=reported, danger=body.immediate_danger)
    return redirect(visit, _case_page(reported, body.immediate_danger))


def _case_page(reported: Reported, danger: bool) -> str:
    return f"/cases/{reported.case_id}?new=1" + ("&danger=1" if danger else "")


def _step(
    visit: Visit,
    name: str,
    values: dict[str, str],
    errors: dict[str, str],
    anonymous: bool,
    status: int = 200,
) -> Response:
    step = next(s for s in report_steps.STEPS if s.name == name)
    carried = {k: v for k, v in values.items() if k not in step.fields}
    if not values.get("municipality_ags") and visit.account is not None and visit.account.municipality_ags:
        values = values | {"municipality_ags": visit.account.municipality_ags}
    return render(
        visit,
        "report_step.html",
        status_code=status,
        step=name,
        number=report_steps.NAMES.index(name) + 1,
        steps=len(report_steps.STEPS),
        values=values,
        carried=carried,
        errors=errors,
        anonymous=anonymous,
        action="/report/anonymous" if anonymous else "/report",
        kinds=report_steps.KINDS,
        channels=report_steps.CHANNELS,
        targets=report_steps.TARGETS,
        support=report_steps.SUPPORT,
        municipalities=sorted(MUNICIPALITIES.items(), key=lambda item: item[1]),
    )
