"""Who visits a page: the session cookie's account, the language, the CSRF cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from services.access import Principal
from services.accounts.credentials import account_for_token
from services.api.deps import ContainerDep, SessionDep
from services.incidents.coordinator_profiles import covered_regions
from services.incidents.tables import CoordinatorProfile
from services.notify.tables import NotificationPreference
from services.store.tables import Role
from services.web import i18n
from services.web.csrf import COOKIE as CSRF_COOKIE
from services.web.csrf import check
from services.web.render import LANGUAGE_COOKIE, SESSION_COOKIE, Visit

YEAR = 365 * 24 * 3600


def get_visit(request: Request, container: ContainerDep, session: SessionDep) -> Visit:
    settings = container.settings
    secret = settings.secret_key.get_secret_value()
    token = request.cookies.get(SESSION_COOKIE)
    account = account_for_token(session, secret, token, container.clock()) if token else None
    chosen = request.query_params.get("lang")
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    language = i18n.choose(
        chosen,
        remembered,
        _account_language(session, account.id) if account else None,
        accept_language=request.headers.get("accept-language"),
    )
    visit = Visit(
        request=request,
        language=language,
        secret_key=secret,
        account=account,
        principal=Principal.of(account, covered_regions(session, account)) if account else None,
        csrf_cookie=request.cookies.get(CSRF_COOKIE, ""),
        secure_cookies=settings.environment not in ("development", "test"),
    )
    if account is not None and account.role == Role.COORDINATOR:
        profile = session.get(CoordinatorProfile, account.id)
        visit.on_duty = profile.on_duty if profile is not None else None
    if chosen in i18n.LANGUAGES and chosen != remembered:
        visit.set_cookies[LANGUAGE_COOKIE] = (chosen, YEAR)
    return visit


def _account_language(session: Session, account_id: str) -> str | None:
    preference = session.get(NotificationPreference, account_id)
    return preference.locale if preference is not None else None


PageVisit = Annotated[Visit, Depends(get_visit)]


async def checked_form(request: Request, visit: PageVisit) -> dict[str, str]:
    """The submitted form's fields, after the CSRF check (a failed check is a 403 page)."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    check(visit.secret_key, visit.csrf_cookie, fields.get("csrf_token"))
    return fields


Form = Annotated[dict[str, str], Depends(checked_form)]
