"""FastAPI app factory. In embedded mode the app also runs the outbox dispatcher."""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.api.docs import serve_docs
from services.api.errors import answer_domain_errors, error_responses
from services.api.limits import SlidingWindow
from services.api.outages import answer_outages_with_503
from services.api.redaction import redact_logs
from services.api.request_limits import RequestLimits
from services.api.request_timing import RequestTiming
from services.api.routes import (
    accounts,
    cases,
    coordinators,
    dialogues,
    health,
    incidents,
    metrics,
    notifications,
    selfchecks,
)
from services.api.security_headers import add_security_headers
from services.bootstrap import Container
from services.incidents.reporter_actions import MAX_EVIDENCE_BYTES
from services.timers import Timer, run_in_thread
from services.web.site import mount_site, page_error

STATIC = Path(__file__).parent / "static"
API = "/api/v1"  # the JSON API; the site's pages own the root


def create_app(container: Container, run_dispatcher: bool | None = None) -> FastAPI:
    """The HTTP app. ``run_dispatcher`` defaults to on in embedded mode (no broker configured)."""
    dispatch = container.settings.embedded if run_dispatcher is None else run_dispatcher
    redact_logs("uvicorn.access", "uvicorn.error", "services", "weltoffen")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        threads: list[threading.Thread] = []
        timers: list[Timer] = []
        if dispatch:
            dispatcher = container.dispatcher()
            thread = threading.Thread(
                target=dispatcher.run,
                args=(stop, container.settings.relay_idle_s),
                name="embedded-dispatcher",
                daemon=True,
            )
            thread.start()
            container.senders_in_background = True
            timers = container.timers()
            threads = [thread, *(run_in_thread(timer, stop) for timer in timers)]
        try:
            yield
        finally:
            stop.set()
            for timer in timers:
                if timer.wake is not None:
                    timer.wake.set()
            for thread in threads:
                thread.join(timeout=10)

    settings = container.settings
    app = FastAPI(
        title="Weltoffen",
        summary="Workflows for municipalities: hostility incidents, citizen dialogues, self-checks.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served from local files below, where enabled
        redoc_url=None,
        openapi_url=f"{API}/openapi.json" if settings.docs_enabled else None,
    )
    if settings.docs_enabled:
        serve_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(
        RequestLimits,
        limit=settings.max_request_bytes,
        upload_limit=MAX_EVIDENCE_BYTES + 64 * 1024,  # the file and its multipart wrapping
        upload_paths=re.compile(r"/evidence$"),
    )
    app.add_middleware(RequestTiming)
    add_security_headers(app, hsts=settings.environment == "production")  # outermost: every answer
    app.state.container = container
    app.state.rate_limits = SlidingWindow()
    answer_outages_with_503(app)
    answer_domain_errors(app, pages=page_error)
    mount_site(app)
    app.include_router(health.router, include_in_schema=False)  # /healthz, /readyz for the operators
    app.include_router(metrics.router)  # /metrics for Prometheus
    for router, codes in (
        (health.router, (503,)),
        (accounts.router, (401, 403, 404, 409, 422, 429, 503)),
        (notifications.router, (401, 403, 404, 422, 503)),
        (incidents.router, (401, 403, 404, 409, 413, 415, 422, 429, 503)),
        (cases.router, (401, 403, 404, 409, 422, 503)),
        (coordinators.router, (401, 403, 404, 422, 503)),
        (dialogues.router, (401, 403, 404, 409, 422, 429, 503)),
        (selfchecks.router, (401, 403, 404, 409, 422, 503)),
    ):
        app.include_router(router, prefix=API, responses=error_responses(*codes))
    return app
