"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from services.api.deps import ContainerDep
from services.topics import broker_reachable

router = APIRouter(tags=["health"])


class Alive(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str] = Field(description="each dependency: ok, or what is wrong with it")


@router.get("/healthz", response_model=Alive)
def healthz() -> Alive:
    """The process is up."""
    return Alive(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(container: ContainerDep) -> JSONResponse:
    """The database answers and, when a broker is configured, the broker answers."""
    checks: dict[str, str] = {}
    try:
        with container.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    if container.settings.embedded:
        checks["broker"] = "embedded (no broker configured)"
    else:
        checks["broker"] = "ok" if broker_reachable(container.settings) else "unreachable"
    ready = checks["database"] == "ok" and checks["broker"] in ("ok", "embedded (no broker configured)")
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)
