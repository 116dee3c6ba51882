"""The site: pages at the root, their assets, and error pages in the reader's language. The JSON
API lives under /api/v1; both call the same operations."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.api.errors import status_of
from services.web.i18n import N_
from services.web.render import render
from services.web.routes import (
    account,
    admin,
    admin_accounts,
    admin_operations,
    cases,
    coordination,
    follow,
    home,
    notification_settings,
    organise,
    organise_day,
    reports,
    residents,
    respondents,
    selfcheck_rounds,
    workspace_links,
)
from services.web.visits import get_visit
from workflows.errors import DomainError

ASSETS = Path(__file__).parent / "static"
# Every module of pages, in the order their routes are matched.
PAGES = (
    home,
    organise,
    organise_day,
    account,
    notification_settings,
    residents,
    reports,
    respondents,
    selfcheck_rounds,
    cases,
    follow,
    workspace_links,
    coordination,
    admin,
    admin_accounts,
    admin_operations,
)


def mount_site(app: FastAPI) -> None:
    app.mount("/assets", StaticFiles(directory=ASSETS), name="assets")
    for module in PAGES:
        app.include_router(module.router, include_in_schema=False)

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or error.status_code not in (404, 405):
            return await http_exception_handler(request, error)
        return error_page(request, 404, None)


async def page_error(request: Request, error: Exception) -> Response:
    """A domain error on a page: a page that says what happened and what to do (never JSON)."""
    code = status_of(error) if isinstance(error, DomainError) else 422
    return error_page(request, code, str(error) if isinstance(error, DomainError) else None)


def error_page(request: Request, code: int, detail: str | None) -> Response:
    container = request.app.state.container
    with Session(container.engine) as session:
        visit = get_visit(request, container, session)
    if code == 401:
        code = 403
    title = visit.gettext(TITLES.get(code, N_("Something went wrong")))
    return render(visit, "error.html", status_code=code, code=code, detail=detail, title=title)


TITLES = {
    403: N_("You cannot do this here"),
    404: N_("Page not found"),
    409: N_("This is not possible right now"),
    413: N_("The file is too large"),
    415: N_("This type of file is not accepted"),
    422: N_("Something does not fit"),
    429: N_("Too many attempts"),
    503: N_("The service is briefly unavailable"),
}
