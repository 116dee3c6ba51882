"""The admins' console: accounts (create, disable and enable, change the role, mail a reset link)
and the coordinator profiles routing chooses from. The API's operations throughout."""

from __future__ import annotations

import secrets

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from services.accounts import administration, operations
from services.accounts.operations import AccountCreate, AccountExists
from services.api.deps import ContainerDep, SessionDep, committed
from services.incidents import coordinator_profiles as profiles
from services.incidents.coordinator_profiles import ProfileUpdate
from services.incidents.tables import CoordinatorProfile
from services.store.tables import Account, Role
from services.web.forms import checked, field_errors, listed, numbers
from services.web.i18n import N_
from services.web.render import Visit, redirect, render
from services.web.routes.admin import admin_only
from services.web.visits import Form, PageVisit

router = APIRouter()
ROLES = ("official", "coordinator", "organiser", "municipality", "admin")
EXPERTISE = ("security", "legal", "psychosocial", "takedown", "media")
LANGUAGES = ("de", "en", "tr", "ar", "ru", "uk", "pl", "fr", "es", "it")
ACCOUNT_MESSAGES = {
    "email": N_("Enter an e-mail address like name@example.org"),
    "display_name": N_("Enter the person's name"),
    "role": N_("Choose a role"),
    "municipality_ags": N_("Enter the municipality's 8-digit key (AGS), like 03254021"),
    "region": N_("Enter the region as an AGS prefix of 2 to 8 digits, like 03 or 03254"),
    "form": N_("Check the role and what it needs"),
}


@router.get("/admin/accounts", response_class=HTMLResponse)
def accounts(visit: PageVisit, session: SessionDep, role: str = "", q: str = "") -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/admin/accounts")
    found = operations.all_accounts(session, admin_only(visit))
    if role in ROLES:
        found = [a for a in found if a.role == role]
    if q.strip():
        needle = q.strip().lower()
        found = [a for a in found if needle in a.email.lower() or needle in a.display_name.lower()]
    return render(visit, "admin_accounts.html", accounts=found, role=role, q=q, roles=ROLES)


@router.get("/admin/accounts/new", response_class=HTMLResponse)
def new_account(visit: PageVisit) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/admin/accounts/new")
    admin_only(visit)
    return render(visit, "admin_account_new.html", errors={}, values={}, roles=ROLES)


@router.post("/admin/accounts", response_class=HTMLResponse)
def create_account(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    """The person chooses their own password from a mailed link; nobody else ever knows it."""
    principal = admin_only(visit)
    values = {
        k: form.get(k, "").strip() for k in ("email", "display_name", "role", "municipality_ags", "region")
    }
    try:
        body = AccountCreate.model_validate(
            {**{k: v or None for k, v in values.items()}, "password": secrets.token_urlsafe(24)}
        )
    except ValidationError as exc:
        errors = field_errors(visit, exc, ACCOUNT_MESSAGES)
        return _new_page(visit, errors, values)
    try:
        with container.uow() as uow:
            account = operations.create_account(uow, body)
    except AccountExists:
        errors = {"email": visit.gettext("An account with this e-mail address exists already")}
        return _new_page(visit, errors, values)
    with committed(container) as uow:
        administration.send_reset_link(uow, principal, account.id)
    return redirect(visit, f"/admin/accounts/{account.id}?done=created")


def _new_page(visit: Visit, errors: dict[str, str], values: dict[str, str]) -> Response:
    if "form" in errors:
        errors = {
            ("municipality_ags" if values.get("role") == "municipality" else "region"): errors.pop("form"),
            **errors,
        }
    return render(visit, "admin_account_new.html", status_code=422, errors=errors, values=values, roles=ROLES)


@router.get("/admin/accounts/{account_id}", response_class=HTMLResponse)
def account(account_id: str, visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/admin/accounts/{account_id}")
    return _account_page(visit, session, account_id, {})


def _account_page(
    visit: Visit, session: Session, account_id: str, errors: dict[str, str], status_code: int = 200
) -> Response:
    shown = operations.account_of(session, admin_only(visit), account_id)
    profile = session.get(CoordinatorProfile, account_id)
    return render(
        visit,
        "admin_account.html",
        status_code=status_code,
        shown=shown,
        has_profile=profile is not None,
        errors=errors,
        roles=ROLES,
        own=shown.id == visit.principal.account_id if visit.principal else False,
    )


@router.post("/admin/accounts/{account_id}/role", response_class=HTMLResponse)
def change_role(
    account_id: str, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    principal = admin_only(visit)
    fields = {k: form.get(k, "").strip() or None for k in ("role", "municipality_ags", "region")}
    try:
        body = administration.AccountChange.model_validate(fields)
    except ValidationError as exc:
        errors = field_errors(visit, exc, ACCOUNT_MESSAGES)
        if "form" in errors:
            errors = {
                ("municipality_ags" if fields["role"] == "municipality" else "region"): errors.pop("form")
            }
        return _account_page(visit, session, account_id, errors, 422)
    with container.uow() as uow:
        administration.change_account(uow, principal, account_id, body)
    return redirect(visit, f"/admin/accounts/{account_id}?done=role")


@router.post("/admin/accounts/{account_id}/active", response_class=HTMLResponse)
def change_active(
    account_id: str, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    """Disabling asks for a confirmation: the person is signed out at once and their cases move."""
    principal = admin_only(visit)
    enable = form.get("action") == "enable"
    if not enable and not checked(form, "confirm"):
        errors = {"confirm": visit.gettext("Tick the box to confirm that the account is disabled")}
        return _account_page(visit, session, account_id, errors, 422)
    with container.uow() as uow:
        administration.change_account(
            uow, principal, account_id, administration.AccountChange(is_active=enable)
        )
    return redirect(visit, f"/admin/accounts/{account_id}?done={'enabled' if enable else 'disabled'}")


@router.post("/admin/accounts/{account_id}/reset", response_class=HTMLResponse)
def mail_reset(account_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = admin_only(visit)
    with committed(container) as uow:
        administration.send_reset_link(uow, principal, account_id)
    return redirect(visit, f"/admin/accounts/{account_id}?done=reset")


@router.get("/admin/coordinators", response_class=HTMLResponse)
def coordinators(visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/admin/coordinators")
    found = profiles.all_profiles(session, admin_only(visit))
    with_profile = {p.account_id for p in found}
    without = [
        a
        for a in session.exec(
            select(Account).where(Account.role == Role.COORDINATOR, col(Account.is_active).is_(True))
        ).all()
        if a.id not in with_profile
    ]
    return render(visit, "admin_coordinators.html", profiles=found, without=without)


@router.get("/admin/coordinators/{account_id}", response_class=HTMLResponse)
def coordinator(account_id: str, visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/admin/coordinators/{account_id}")
    return _profile_page(visit, session, account_id, {}, None)


def _profile_page(
    visit: Visit,
    session: Session,
    account_id: str,
    errors: dict[str, str],
    given: dict[str, object] | None,
) -> Response:
    principal = admin_only(visit)
    shown = operations.account_of(session, principal, account_id)
    everyone = profiles.all_profiles(session, principal)
    current = next((p for p in everyone if p.account_id == account_id), None)
    values: dict[str, object] = given or (
        current.model_dump()
        if current
        else {
            "regions": [shown.region] if shown.region else [],
            "expertise": [],
            "languages": ["de"],
            "capacity": 10,
            "team_lead": False,
            "backup_id": None,
            "programme_on_call": False,
        }
    )
    return render(
        visit,
        "admin_coordinator.html",
        status_code=422 if errors else 200,
        shown=shown,
        values=values,
        exists=current is not None,
        backups=[p for p in everyone if p.account_id != account_id],
        expertise_offered=EXPERTISE,
        languages_offered=LANGUAGES,
        errors=errors,
    )


@router.post("/admin/coordinators/{account_id}", response_class=HTMLResponse)
def save_coordinator(
    account_id: str, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    principal = admin_only(visit)
    given: dict[str, object] = {
        "regions": numbers(form.get("regions", "")),
        "expertise": listed(form, "expertise"),
        "languages": listed(form, "language"),
        "capacity": form.get("capacity", "").strip(),
        "team_lead": checked(form, "team_lead"),
        "backup_id": form.get("backup_id") or None,
        "programme_on_call": checked(form, "programme_on_call"),
    }
    try:
        body = ProfileUpdate.model_validate(given)
    except ValidationError as exc:
        messages = {
            "regions": N_(
                "Enter AGS prefixes of 2 to 8 digits, separated by commas, each starting with a "
                "federal state (01 to 16)"
            ),
            "expertise": N_("Choose at least one kind of help"),
            "languages": N_("Choose at least one language"),
            "capacity": N_("Enter a number of cases from 1 to 200"),
        }
        return _profile_page(visit, session, account_id, field_errors(visit, exc, messages), given)
    with container.uow() as uow:
        profiles.set_profile(uow, principal, account_id, body)
    return redirect(visit, f"/admin/coordinators/{account_id}?done=saved")
