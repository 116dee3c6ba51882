"""Signing in and out with a session cookie, and changing one's password. The session is a server-side
token (revocable; 'sign out everywhere' ends all of them); the same throttling as the API sign-in."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.accounts import password_reset, signing_in
from services.api.deps import ContainerDep, SessionDep
from services.api.limits import client_address, rate_limited
from services.web.i18n import N_
from services.web.render import SESSION_COOKIE, Visit, redirect, render
from services.web.visits import Form, PageVisit
from workflows.errors import Forbidden, TooManyAttempts, Unauthenticated

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path of this site (never '//elsewhere' or a full address)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(visit: PageVisit, next: str = "/") -> HTMLResponse:
    return render(visit, "sign_in.html", errors={}, values={"email": ""}, next=safe_next(next))


@router.post(
    "/sign-in",
    response_class=HTMLResponse,
    dependencies=[Depends(rate_limited("sign-in", "sign_in_per_minute"))],
)
def sign_in(visit: PageVisit, form: Form, request: Request, container: ContainerDep) -> Response:
    email, password = form.get("email", "").strip(), form.get("password", "")
    target = safe_next(form.get("next"))
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = visit.gettext("Enter your e-mail address")
    if not password:
        errors["password"] = visit.gettext("Enter your password")
    if not errors:
        ttl = timedelta(hours=container.settings.token_ttl_hours)
        try:
            with container.uow() as uow:
                signed = signing_in.sign_in(
                    uow, email, password, visit.secret_key, ttl, client_address(request)
                )
        except TooManyAttempts:
            errors["email"] = visit.gettext(
                "Too many failed attempts for this address from your device. Wait 15 minutes, or ask "
                "your administration to reset your password."
            )
        except Unauthenticated:
            errors["password"] = visit.gettext("The e-mail address or the password is wrong")
        else:
            visit.set_cookies[SESSION_COOKIE] = (signed.token, int(ttl.total_seconds()))
            return redirect(visit, target)
    values = {"email": email}
    return render(visit, "sign_in.html", status_code=422, errors=errors, values=values, next=target)


@router.post("/sign-out")
def sign_out(visit: PageVisit, form: Form, request: Request, container: ContainerDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with container.uow() as uow:
            if form.get("everywhere") and visit.principal is not None:
                signing_in.sign_out(uow, visit.principal)
            else:
                signing_in.end_session(uow, visit.secret_key, token)
    visit.set_cookies[SESSION_COOKIE] = ("", None)
    return redirect(visit, "/?signed_out=1")


@router.get("/account/password", response_class=HTMLResponse)
def password_page(visit: PageVisit) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/account/password")
    return render(visit, "password.html", errors={}, done=False)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(visit: PageVisit, form: Form, request: Request, container: ContainerDep) -> Response:
    if visit.principal is None:
        raise Forbidden("sign in first")
    new, again = form.get("new_password", ""), form.get("new_password_again", "")
    errors: dict[str, str] = {}
    if new != again:
        errors["new_password_again"] = visit.gettext("The two new passwords are not the same")
    elif len(new) < 12:
        errors["new_password"] = visit.gettext("The new password needs at least 12 characters")
    if not errors:
        try:
            with container.uow() as uow:
                signing_in.change_password(
                    uow,
                    visit.principal,
                    visit.secret_key,
                    form.get("current_password", ""),
                    new,
                    request.cookies.get(SESSION_COOKIE),
                )
        except signing_in.PasswordUnchanged as exc:
            field = "current_password" if "current" in str(exc) else "new_password"
            errors[field] = visit.gettext(_PASSWORD_MESSAGES.get(str(exc), str(exc)))
    if errors:
        return render(visit, "password.html", status_code=422, errors=errors, done=False)
    return render(visit, "password.html", errors={}, done=True)


_PASSWORD_MESSAGES = {
    "the current password is wrong": N_("The current password is wrong"),
    "the new password needs at least 12 characters": N_("The new password needs at least 12 characters"),
    "choose a new password that is neither your e-mail address nor the old one": N_(
        "Choose a new password that is neither your e-mail address nor the old one"
    ),
}


@router.get("/password-reset", response_class=HTMLResponse)
def forgot_page(visit: PageVisit) -> Response:
    return render(visit, "forgot.html", errors={}, sent=False)


@router.post(
    "/password-reset",
    response_class=HTMLResponse,
    dependencies=[Depends(rate_limited("password-reset", "sign_in_per_minute"))],
)
def forgot(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    email = form.get("email", "").strip()
    if "@" not in email:
        errors = {"email": visit.gettext("Enter your e-mail address")}
        return render(visit, "forgot.html", status_code=422, errors=errors, sent=False)
    with container.uow() as uow:
        password_reset.ask(uow, email)
        uow.commit()
    return render(visit, "forgot.html", errors={}, sent=True)  # the same answer for every address


@router.get("/password-reset/{account_id}", response_class=HTMLResponse)
def reset_page(
    account_id: str,
    visit: PageVisit,
    session: SessionDep,
    container: ContainerDep,
    expires: int = 0,
    token: str = "",
) -> Response:
    try:
        password_reset.checked_account(
            session, visit.secret_key, account_id, expires, token, container.clock()
        )
    except password_reset.ResetLinkInvalid:
        return _link_invalid(visit)
    return render(visit, "reset.html", errors={}, account_id=account_id, expires=expires, token=token)


def _link_invalid(visit: Visit) -> Response:
    errors = {"email": visit.gettext("This link is used, expired or wrong. Ask for a new one here.")}
    return render(visit, "forgot.html", status_code=422, errors=errors, sent=False)


@router.post("/password-reset/{account_id}", response_class=HTMLResponse)
def reset(account_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    new, again = form.get("new_password", ""), form.get("new_password_again", "")
    expires = int(form.get("expires", "0")) if form.get("expires", "").isdigit() else 0
    token = form.get("token", "")
    errors: dict[str, str] = {}
    if new != again:
        errors["new_password_again"] = visit.gettext("The two new passwords are not the same")
    elif len(new) < 12:
        errors["new_password"] = visit.gettext("The new password needs at least 12 characters")
    if errors:
        return render(
            visit,
            "reset.html",
            status_code=422,
            errors=errors,
            account_id=account_id,
            expires=expires,
            token=token,
        )
    try:
        with container.uow() as uow:
            password_reset.reset(uow, visit.secret_key, account_id, expires, token, new)
    except password_reset.ResetLinkInvalid:
        return _link_invalid(visit)
    return redirect(visit, "/sign-in?reset=1")
