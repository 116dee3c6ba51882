"""Request latency by method, route template and status, for /metrics, and a request id on every
answer and every log line of the request (a plain ASGI middleware: no task, no copy of the body)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.logs import about
from services.metrics import REQUESTS

SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestTiming:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = _request_id(scope)

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            with about(None, request_id):  # every log line of this request carries its id
                await self.app(scope, receive, sending)
        finally:
            REQUESTS.labels(scope["method"], _route(scope), str(status)).observe(
                time.perf_counter() - started
            )


def _request_id(scope: Scope) -> str:
    """The caller's X-Request-ID if it is a plain token (a proxy's), else a new one."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id" and SAFE_ID.fullmatch(value.decode("latin-1")):
            return str(value.decode("latin-1"))
    return uuid.uuid4().hex


def _route(scope: Scope) -> str:
    """The route's template (/api/v1/cases/{case_id}), never the path itself: ids are not labels. An
    included router's route knows its path without the prefix; the prefix is what precedes it."""
    route: Any = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return "/assets" if scope.get("path", "").startswith(("/assets/", "/static/")) else "unmatched"
    path: str = scope.get("path", "")
    try:
        concrete = template.format(**{k: str(v) for k, v in scope.get("path_params", {}).items()})
    except (KeyError, IndexError, ValueError):
        return template
    return path[: len(path) - len(concrete)] + template if path.endswith(concrete) else template
