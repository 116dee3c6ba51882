"""How an evidence file leaves the service: as an attachment to save, never shown inline, under a
sandboxing content security policy (it may be anything a stranger sent)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response


def evidence_response(name: str, content_type: str, data: bytes) -> Response:
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
