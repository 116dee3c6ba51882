"""Requests are bounded before anything reads them: a body larger than allowed is refused with 413
while it arrives (never read whole first), and text with NUL characters is refused with 422 — no field
of this service has a use for them, and databases and mail servers choke on them."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)  # an escaped NUL, not an escaped "\u"
FORM_NUL = re.compile(rb"%00")


class TooLarge(Exception):
    pass


class RequestLimits:
    def __init__(self, app: ASGIApp, limit: int, upload_limit: int, upload_paths: re.Pattern[str]) -> None:
        self.app, self.limit, self.upload_limit, self.upload_paths = app, limit, upload_limit, upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if self.upload_paths.search(scope["path"]) else self.limit
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, f"the request is larger than {limit // 1024} KiB")
            return
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in ("application/json", "application/x-www-form-urlencoded"):
            try:
                body = await _read(receive, limit)
            except TooLarge:
                await _answer(send, 413, f"the request is larger than {limit // 1024} KiB")
                return
            if content_type == "application/json" and not _utf8(body):
                await _answer(send, 422, "the body must be JSON in UTF-8")
                return
            nul = JSON_NUL if content_type == "application/json" else FORM_NUL
            if b"\x00" in body or nul.search(body):
                await _answer(send, 422, "text must not contain NUL characters (\\u0000)")
                return
            await self.app(scope, _replay(body, receive), send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _counting(receive, limit), tracked_send)
        except TooLarge:
            if not started:
                await _answer(send, 413, f"the request is larger than {limit // 1024} KiB")


async def _read(receive: Receive, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as the server would

    return replay


def _counting(receive: Receive, limit: int) -> Receive:
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise TooLarge()
        return message

    return counted


async def _answer(send: Send, code: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
