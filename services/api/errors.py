"""One table from domain errors to HTTP answers. Routes raise nothing of their own for a domain
failure: operations raise named domain errors, and this answers them, with the body every error has
(``{"detail": "..."}``)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from workflows.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
    UnsupportedType,
)

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: status.HTTP_404_NOT_FOUND,
    Forbidden: status.HTTP_403_FORBIDDEN,
    Conflict: status.HTTP_409_CONFLICT,
    Invalid: status.HTTP_422_UNPROCESSABLE_CONTENT,
    Unauthenticated: status.HTTP_401_UNAUTHORIZED,
    TooManyAttempts: status.HTTP_429_TOO_MANY_REQUESTS,
    TooLarge: status.HTTP_413_CONTENT_TOO_LARGE,
    UnsupportedType: status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
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
    headers = {}
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooManyAttempts):
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse({"detail": detail}, status_code=status_of(error), headers=headers)


PageErrors = Callable[[Request, Exception], Awaitable[Response]]


def answer_domain_errors(app: FastAPI, pages: PageErrors | None = None) -> None:
    """JSON for the API; for the site's pages (every path outside /api/) ``pages`` answers."""

    def by_path(api: PageErrors) -> PageErrors:
        async def answer(request: Request, error: Exception) -> Response:
            if pages is not None and not request.url.path.startswith("/api/"):
                return await pages(request, error)
            return await api(request, error)

        return answer

    app.add_exception_handler(DomainError, by_path(domain_error))
    app.add_exception_handler(RequestValidationError, by_path(invalid_request))


def _plain(value: Any) -> Any:
    """A value that JSON can carry: NaN and infinities (which Python's JSON reader accepts) as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


async def invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """Each field that does not fit, by place and reason. The value sent is not echoed: it may be a
    password, and it may be something JSON cannot even carry (NaN)."""
    assert isinstance(error, RequestValidationError)
    detail = [
        {"loc": _plain(list(e.get("loc", ()))), "msg": _plain(e.get("msg", "")), "type": e.get("type", "")}
        for e in error.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


class ErrorBody(BaseModel):
    """Every error answer: a sentence a person can act on, or the list of fields that do not fit."""

    detail: str | list[dict[str, Any]]


WHAT_IT_MEANS = {
    400: "the request cannot be read (malformed JSON or form data)",
    401: "sign in first, or sign in again",
    403: "your role or your relation to this object does not allow this",
    404: "not found, or not yours to see",
    409: "the object is not in a state that allows this; the detail says why",
    413: "the upload is too large",
    415: "this type of file is not accepted",
    422: "a value does not fit; the detail names it",
    429: "too many requests; wait as long as Retry-After says",
    503: "a dependency is away; nothing was saved; try again after Retry-After",
}


ANY_ROUTE = (400, 503)  # a body that cannot be parsed; a dependency that is away


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers of a router, for its OpenAPI document (with those any route can give)."""
    every = sorted({*codes, *ANY_ROUTE})
    return {code: {"model": ErrorBody, "description": WHAT_IT_MEANS[code]} for code in every}
