"""Rendering a page: one configured Jinja2 environment (autoescaped, strict), the reader's language,
who is signed in, and the CSRF token of every form. Pages call the same operations as the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.access import Principal
from services.store.tables import Account
from services.web import i18n
from services.web.csrf import COOKIE as CSRF_COOKIE
from services.web.csrf import form_token, new_cookie_value

TEMPLATES = Path(__file__).parent / "templates"
SESSION_COOKIE = "wo_session"
LANGUAGE_COOKIE = "wo_lang"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


@dataclass
class Visit:
    """One request to a page: who, in which language, with which CSRF cookie."""

    request: Request
    language: str
    secret_key: str
    account: Account | None = None
    principal: Principal | None = None
    csrf_cookie: str = ""
    set_cookies: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    on_duty: bool | None = None  # a coordinator's duty, shown at the top of their pages
    secure_cookies: bool = False

    @property
    def csrf_token(self) -> str:
        return form_token(self.secret_key, self.csrf_cookie)

    def gettext(self, message: str, **values: Any) -> str:
        text = i18n.translations(self.language).gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        text = i18n.translations(self.language).ngettext(singular, plural, n)
        return text % ({"num": n} | values)

    def switch_url(self, language: str) -> str:
        """This page in another language (a plain link: works without JavaScript)."""
        url = self.request.url.include_query_params(lang=language)
        return f"{url.path}?{url.query}"


def ensure_csrf_cookie(visit: Visit) -> None:
    if not visit.csrf_cookie:
        visit.csrf_cookie = new_cookie_value()
        visit.set_cookies[CSRF_COOKIE] = (visit.csrf_cookie, None)


def render(visit: Visit, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    ensure_csrf_cookie(visit)
    env = environment()
    page = env.get_template(template)
    html = page.render(
        _=visit.gettext,
        gettext=visit.gettext,
        ngettext=visit.ngettext,
        visit=visit,
        lang=visit.language,
        html_lang="de" if visit.language == "ls" else visit.language,
        languages=i18n.LANGUAGES,
        account=visit.account,
        csrf_token=visit.csrf_token,
        when=lambda moment: i18n.when(moment, visit.language),
        day=lambda moment: i18n.day(moment, visit.language),
        clock_time=lambda moment: i18n.clock_time(moment, visit.language),
        **context,
    )
    response = HTMLResponse(
        html,
        status_code=status_code,
        headers={"Content-Language": "de" if visit.language == "ls" else visit.language},
    )
    return finish(visit, response)


def redirect(visit: Visit, to: str) -> RedirectResponse:
    """After a successful POST: see the result with GET (303), so reloading sends nothing twice."""
    return finish(visit, RedirectResponse(to, status_code=303))


def finish(visit: Visit, response: Any) -> Any:
    for name, (value, max_age) in visit.set_cookies.items():
        if value:
            response.set_cookie(
                name,
                value,
                max_age=max_age,
                httponly=True,
                samesite="strict" if name == CSRF_COOKIE else "lax",
                secure=visit.secure_cookies,
                path="/",
            )
        else:
            response.delete_cookie(name, path="/")
    return response
