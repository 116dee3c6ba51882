"""/metrics for Prometheus, at the root (not part of the JSON API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from services.api.deps import ContainerDep
from services.metrics import CONTENT_TYPE, allowed, exposition

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, container: ContainerDep) -> Response:
    client = request.client.host if request.client else None
    if not allowed(container.settings, client, request.headers.get("authorization")):
        return PlainTextResponse(
            "metrics: open to this machine only; to scrape from elsewhere set WELTOFFEN_METRICS_TOKEN "
            "and send it as a bearer token\n",
            status_code=403,
        )
    return Response(exposition(container.backlogs), media_type=CONTENT_TYPE)
