"""One table from domain errors to HTTP answers. Routes raise nothing of their own for a domain
failure: operations raise named domain errors, and this answers them, with the body every error has
(``{"detail": "..."}``)."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from workflows.errors import Conflict, DomainError, Forbidden, Invalid, NotFound

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: status.HTTP_404_NOT_FOUND,
    Forbidden: status.HTTP_403_FORBIDDEN,
    Conflict: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_422_UNPROCESSABLE_CONTENT,
}


def status_of(error: DomainError) -> int:
    for kind, code in STATUS_OF.items():
        if isinstance(error, kind):
            return code
    return status.HTTP_400_BAD_REQUEST


async def domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    # Errors named per field (a list, like FastAPI's own validation answers) keep that shape.
    detail = getattr(error, "detail", None) or str(error)
    return JSONResponse({"detail": detail}, status_code=status_of(error))


def answer_domain_errors(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
