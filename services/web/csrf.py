"""CSRF protection of every form: a signed double submit. Each visitor carries a random cookie
(HttpOnly, SameSite=Strict); every form carries the keyed hash of it; a POST without the matching
pair is refused. Another site can neither read nor set the cookie, so it cannot forge the pair."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from workflows.errors import Forbidden

COOKIE = "wo_csrf"


class FormExpired(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "the form has expired or came from elsewhere; please load the page and send it again"
        )


def new_cookie_value() -> str:
    return secrets.token_urlsafe(24)


def form_token(secret_key: str, cookie_value: str) -> str:
    return hmac.new(secret_key.encode(), f"csrf|{cookie_value}".encode(), hashlib.sha256).hexdigest()


def check(secret_key: str, cookie_value: str | None, submitted: str | None) -> None:
    if not cookie_value or not submitted:
        raise FormExpired()
    if not hmac.compare_digest(form_token(secret_key, cookie_value), submitted):
        raise FormExpired()
