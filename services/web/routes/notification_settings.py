"""A person's notification settings: which channels, which language, quiet hours (urgent alerts
ignore them), and their Matrix ID: set it, enter the code the bot sent there, remove it. The
operations of the API (services.notify.preferences, services.notify.matrix_ids)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from notifications.messages import Channel
from services.access import Principal
from services.api.deps import ContainerDep, committed
from services.bootstrap import Container
from services.notify import matrix_ids
from services.notify.preferences import PreferencesUpdate, preferences_of, update_preferences
from services.web.forms import field_errors
from services.web.i18n import N_
from services.web.render import Visit, redirect, render
from services.web.visits import Form, PageVisit
from workflows.errors import Forbidden, Invalid

router = APIRouter()
PATH = "/account/notifications"
MESSAGES = {
    "channels": N_("Choose at least one way to reach you"),
    "quiet_start": N_("Give both times of the quiet hours as HH:MM, or neither"),
    "quiet_end": N_("Give both times of the quiet hours as HH:MM, or neither"),
    "matrix_id": N_("Enter a Matrix ID like @name:example.org"),
    "code": N_(
        "Enter the six digits of the code the bot sent you; a code is valid for an hour and five tries, "
        "then ask for a new one"
    ),
}


def _signed_in(visit: Visit) -> Principal:
    if visit.principal is None:
        raise Forbidden("sign in first")
    return visit.principal


@router.get(PATH, response_class=HTMLResponse)
def settings_page(visit: PageVisit, container: ContainerDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next={PATH}")
    return _page(visit, container, {})


def _page(
    visit: Visit, container: Container, errors: dict[str, str], shown: dict[str, str] | None = None
) -> Response:
    with container.uow() as uow:
        current = preferences_of(uow, _signed_in(visit))
    return render(
        visit,
        "notification_settings.html",
        status_code=422 if errors else 200,
        current=current,
        errors=errors,
        shown=shown or {},
        matrix_available=container.matrix_bot is not None,
    )


@router.post(PATH, response_class=HTMLResponse)
def save(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _signed_in(visit)
    with container.uow() as uow:
        current = preferences_of(uow, principal)
    chosen = [c for c in Channel if form.get(f"channel:{c.value}") == "on"]
    quiet_start, quiet_end = form.get("quiet_start", "").strip(), form.get("quiet_end", "").strip()
    shown = {"quiet_start": quiet_start, "quiet_end": quiet_end}
    if bool(quiet_start) != bool(quiet_end):
        return _page(visit, container, {"quiet_start": visit.gettext(MESSAGES["quiet_start"])}, shown)
    try:
        body = PreferencesUpdate.model_validate(
            {
                "channels": chosen,
                "locale": form.get("locale", "de"),
                "quiet_start": quiet_start or None,
                "quiet_end": quiet_end or None,
                "webhook_url": current.webhook_url,  # set through the API; kept as it is
            }
        )
    except ValidationError as exc:
        return _page(visit, container, field_errors(visit, exc, MESSAGES), shown)
    try:
        with container.uow() as uow:
            update_preferences(uow, principal, body, container.webhook_policy)
    except Invalid as exc:  # Matrix chosen before it is confirmed
        return _page(visit, container, {"channels": str(exc)})
    return redirect(visit, f"{PATH}?done=saved")


@router.post(f"{PATH}/matrix", response_class=HTMLResponse)
def set_matrix_id(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal, given = _signed_in(visit), form.get("matrix_id", "").strip()
    try:
        with committed(container) as uow:
            matrix_ids.set_matrix_id(uow, principal, given, container.matrix_bot is not None)
    except matrix_ids.NotAMatrixId:
        return _page(
            visit, container, {"matrix_id": visit.gettext(MESSAGES["matrix_id"])}, {"matrix_id": given}
        )
    return redirect(visit, f"{PATH}?done=code_sent#matrix")


@router.post(f"{PATH}/matrix/confirm", response_class=HTMLResponse)
def confirm(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = _signed_in(visit)
    try:
        with committed(container) as uow:
            secret = container.settings.secret_key.get_secret_value()
            matrix_ids.confirm_matrix_id(uow, principal, secret, form.get("code", ""))
    except matrix_ids.WrongCode:
        return _page(visit, container, {"code": visit.gettext(MESSAGES["code"])})
    return redirect(visit, f"{PATH}?done=confirmed#matrix")


@router.post(f"{PATH}/matrix/remove", response_class=HTMLResponse)
def remove(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    with committed(container) as uow:
        matrix_ids.remove_matrix_id(uow, _signed_in(visit))
    return redirect(visit, f"{PATH}?done=removed#matrix")
