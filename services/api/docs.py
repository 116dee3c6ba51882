"""The API documentation (Swagger UI), served from this service's own files: it works without
internet access, and it is off in production unless WELTOFFEN_API_DOCS says otherwise."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS = "/api/docs"


def serve_docs(app: FastAPI) -> None:
    app.mount("/static/docs", StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get(DOCS, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="Weltoffen API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )
