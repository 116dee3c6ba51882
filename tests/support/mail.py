"""A real SMTP server (aiosmtpd) and a real webhook receiver for the tests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class _Handler:
    received: list[bytes] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    refuse_prefix: str = "bounce"
    defer_prefix: str = "greylisted"
    greetings: int = 0  # EHLOs: one per connection a client opens

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith(self.refuse_prefix):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith(self.defer_prefix):
            return "451 4.7.1 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope.content)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class MailServer:
    """aiosmtpd on 127.0.0.1; addresses starting with 'bounce' are refused permanently (550), those
    starting with 'greylisted' temporarily (451), every time."""

    def __init__(self, port: int | None = None, smtputf8: bool = True) -> None:
        self.port = port or free_port()
        # Offers SMTPUTF8 (addresses that are not ASCII), as aiosmtpd does by default.
        self.smtputf8 = smtputf8
        self.handler = _Handler()
        self._controller: Controller | None = None

    def start(self) -> MailServer:
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for raw in list(self.handler.received)]  # type: ignore[misc]

    def wait_for(self, count: int, timeout_s: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout_s
        while len(self.handler.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages()

    def wait_for_mail_to(self, address: str, count: int = 1, timeout_s: float = 30.0) -> list[EmailMessage]:
        """The messages to one address (tests isolate by address: other tests' mail may arrive too)."""
        deadline = time.monotonic() + timeout_s
        while True:
            mine = [m for m in self.messages() if m["To"] == address]
            if len(mine) >= count or time.monotonic() >= deadline:
                return mine
            time.sleep(0.05)


class WebhookReceiver:
    """An HTTP endpoint that keeps every request (headers and raw body); ``before_answer`` runs
    after a request is kept and before it is answered."""

    def __init__(self, before_answer: Callable[[], None] | None = None) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k: v for k, v in self.headers.items()}, body))
                if before_answer is not None:
                    before_answer()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/weltoffen"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
