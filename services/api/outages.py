"""An outage of the database is answered 503 with Retry-After, never 500 (DESIGN invariant 8).

The transaction of the request was rolled back, so nothing was half-written; the client may send the
same request again after the pause.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc

from services.store.outage import RETRY_AFTER_S, DatabaseUnavailable, is_database_outage

log = logging.getLogger(__name__)
UNAVAILABLE = (
    "the service cannot reach its database right now; nothing was saved. "
    f"Please send the same request again in {RETRY_AFTER_S} seconds."
)


async def database_error(_request: Request, error: Exception) -> JSONResponse:
    if is_database_outage(error):
        log.warning("database unavailable: %s", type(error).__name__)
        return JSONResponse(
            {"detail": UNAVAILABLE}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)}
        )
    log.error("database error", exc_info=error)
    return JSONResponse({"detail": "internal error"}, status_code=500)


def answer_outages_with_503(app: FastAPI) -> None:
    for error_type in (exc.DBAPIError, exc.DisconnectionError, exc.TimeoutError, DatabaseUnavailable):
        app.add_exception_handler(error_type, database_error)
