"""Headers every answer carries: no sniffing, no framing, no referrer (links carry secrets), a strict
content security policy, no caching of personal data, and HSTS in production."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API documentation page starts Swagger UI with an inline script (served only where enabled).
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/api/docs", "/api/docs/oauth2-redirect")
CACHEABLE_PREFIX = "/static/"  # assets hold no personal data


def add_security_headers(app: FastAPI, hsts: bool) -> None:
    @app.middleware("http")
    async def secure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy", DOCS_CSP if request.url.path in DOCS_PATHS else STRICT_CSP
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not request.url.path.startswith(CACHEABLE_PREFIX):
            headers.setdefault("Cache-Control", "no-store")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
