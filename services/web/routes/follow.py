"""An anonymous reporter follows their report with the case code and secret typed into a form (never
in the address): status, who looks after it, the conversation, an answer, an address for news."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from pydantic import EmailStr, TypeAdapter, ValidationError

from services.api.deps import ContainerDep, committed
from services.api.limits import rate_limited
from services.incidents import reporter_actions
from services.web.render import Visit, render
from services.web.visits import Form, PageVisit
from workflows.errors import Conflict, NotFound

router = APIRouter()
LOOKUPS = [Depends(rate_limited("anonymous-case", "anonymous_case_lookups_per_minute"))]
ADDRESS = TypeAdapter(EmailStr)


@router.get("/follow", response_class=HTMLResponse)
def follow_form(visit: PageVisit) -> Response:
    return render(visit, "follow.html", errors={}, values={})


@router.post("/follow", response_class=HTMLResponse, dependencies=LOOKUPS)
def follow(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    return _status(visit, container, form.get("code", ""), form.get("secret", ""))


def _status(
    visit: Visit,
    container: ContainerDep,
    code: str,
    secret: str,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    secret_key = container.settings.secret_key.get_secret_value()
    try:
        with container.uow() as uow:
            status = reporter_actions.anonymous_status(
                uow.session, container.cipher, secret_key, code, secret
            )
    except NotFound:
        message = visit.gettext("No report matches this code and secret. Check both and try again.")
        return render(visit, "follow.html", status_code=404, errors={"code": message}, values={"code": code})
    return render(
        visit,
        "followed.html",
        status=status,
        code=code,
        secret=secret,
        notice=notice,
        errors=errors or {},
    )


@router.post("/follow/answer", response_class=HTMLResponse, dependencies=LOOKUPS)
def answer(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    code, secret, text = form.get("code", ""), form.get("secret", ""), form.get("text", "").strip()
    if not 1 <= len(text) <= 10000:
        errors = {"text": visit.gettext("Write your message (at most 10,000 characters)")}
        return _status(visit, container, code, secret, errors=errors)
    secret_key = container.settings.secret_key.get_secret_value()
    try:
        with committed(container) as uow:
            reporter_actions.inform_anonymously(uow, container.cipher, secret_key, code, secret, text)
    except Conflict:
        errors = {
            "text": visit.gettext("This case is closed. If something new has happened, please report it.")
        }
        return _status(visit, container, code, secret, errors=errors)
    except NotFound:
        return _status(visit, container, code, secret)
    return _status(
        visit,
        container,
        code,
        secret,
        notice=visit.gettext("Your message is sent. The other side is told that there is one."),
    )


@router.post("/follow/news-address", response_class=HTMLResponse, dependencies=LOOKUPS)
def news_address(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    code, secret, typed = form.get("code", ""), form.get("secret", ""), form.get("address", "").strip()
    address = None
    if typed:
        try:
            address = str(ADDRESS.validate_python(typed))
        except ValidationError:
            errors = {"address": visit.gettext("Enter an e-mail address like name@example.org")}
            return _status(visit, container, code, secret, errors=errors)
    secret_key = container.settings.secret_key.get_secret_value()
    try:
        with committed(container) as uow:
            reporter_actions.set_news_address(uow, secret_key, code, secret, address)
    except NotFound:
        return _status(visit, container, code, secret)
    notice = visit.gettext("The address is saved.") if address else visit.gettext("The address is deleted.")
    return _status(visit, container, code, secret, notice=notice)
