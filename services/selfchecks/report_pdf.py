"""The self-check report (and the workshop agenda) as a PDF a municipality can put in front of its
council or hand to a moderator: the same template as the page, printed by WeasyPrint (A4, page
numbers, the chart as vector graphics). WeasyPrint may fetch nothing but the report's own
stylesheet: no network, no files elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import Response

from services.api.pages import pages

STATIC = Path(__file__).resolve().parents[1] / "api" / "static"
BASE = "https://report.invalid/"  # resolves the template's /static/ links; never fetched


class ResourceRefused(ValueError):
    pass


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnStylesheetOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            path = (STATIC / url.removeprefix(BASE + "static/")).resolve()
            if not url.startswith(BASE + "static/") or path.parent != STATIC or not path.is_file():
                raise ResourceRefused(f"the report may not load {url}")
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": "text/css"})

    return OwnStylesheetOnly()


REPORT, WORKSHOP = "selfcheck_report.html", "selfcheck_workshop.html"


def report_html(
    values: dict[str, Any], pdf_path: str | None, template: str = REPORT, back_path: str | None = None
) -> str:
    """The report (or the workshop agenda) as a page; with no PDF path, as the PDF prints it."""
    return pages().get_template(template).render({**values, "pdf_path": pdf_path, "back_path": back_path})


def report_pdf(values: dict[str, Any], template: str = REPORT) -> bytes:
    from weasyprint import HTML  # imported when a PDF is asked for: it loads Pango

    html = report_html(values, None, template)
    pdf: bytes = HTML(string=html, base_url=BASE, url_fetcher=_fetcher()).write_pdf()
    return pdf


def pdf_response(values: dict[str, Any], template: str = REPORT) -> Response:
    round_ = values["round"]
    kind = "selbstcheck" if template == REPORT else "selbstcheck-workshop"
    name = f"{kind}-{round_.municipality_ags}-{round_.opened_at:%Y-%m-%d}.pdf"
    return Response(
        report_pdf(values, template),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
