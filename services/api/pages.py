"""Server-rendered pages (no JavaScript needed): one configured Jinja2 environment, autoescaped."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

PAGES = Path(__file__).parent / "templates"


@cache
def pages() -> Environment:
    return Environment(
        loader=FileSystemLoader(PAGES),
        autoescape=select_autoescape(enabled_extensions=("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def language(requested: str | None, accept_language: str | None) -> str:
    """?lang= wins; then the browser's Accept-Language; German is the default."""
    if requested in ("de", "en"):
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("de", "en"):
            return code
    return "de"
