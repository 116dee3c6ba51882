"""Sending: SMTP, .eml files (embedded mode without SMTP), signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTPUTF8
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

import httpx

from notifications import mime
from notifications.rendering import Rendered
from notifications.webhook_targets import UnsafeWebhook, WebhookPolicy


class DeliveryError(Exception):
    """A send failed. ``permanent`` failures are not retried. An ``outage`` is the channel's own
    server being unreachable: not the message's fault, so it never counts towards giving up."""

    def __init__(self, reason: str, permanent: bool, outage: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.outage = outage


@dataclass(frozen=True)
class Mail:
    sender: str
    recipient: str
    message_id: str  # deterministic per notification: receivers can drop a rare duplicate
    sent_at: datetime


@dataclass(frozen=True)
class OutgoingMail:
    """A mail ready for the wire: its envelope and its bytes (CRLF line ends)."""

    sender: str  # the envelope's addresses (MAIL FROM, RCPT TO)
    recipient: str
    message_id: str
    data: bytes
    smtputf8: bool = False  # an address that is not ASCII: the server must offer SMTPUTF8

    def __bytes__(self) -> bytes:
        return self.data


def build_email(mail: Mail, rendered: Rendered) -> OutgoingMail:
    """A multipart message: plain text and HTML alternatives, attachments beside them, written
    directly (``notifications.mime``). An address that is not ASCII (ayşe@…) needs SMTPUTF8 and raw
    UTF-8 headers: such a mail is built with the email package's ``EmailMessage``."""
    sender, recipient = mime.envelope_address(mail.sender), mime.envelope_address(mail.recipient)
    if not (sender.isascii() and recipient.isascii()):
        return _international(mail, rendered, sender, recipient)
    head = (
        mime.header("From", mime.address(mail.sender))
        + mime.header("To", mime.address(mail.recipient))
        + mime.header("Subject", mime.words(rendered.subject))
        + mime.header("Message-ID", mime.one_line(mail.message_id))
        + mime.header("Date", format_datetime(mail.sent_at))
        + mime.header("Auto-Submitted", "auto-generated")
        + mime.header("Content-Language", mime.one_line(rendered.locale))
    )
    body = mime.message_body(rendered.text, rendered.html, rendered.attachments)
    return OutgoingMail(sender, recipient, mail.message_id, (head + body).encode("ascii"))


def _international(mail: Mail, rendered: Rendered, sender: str, recipient: str) -> OutgoingMail:
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = mail.recipient
    message["Subject"] = rendered.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(mail.sent_at)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    for attachment in rendered.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, _, params = rest.partition(";")
        message.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype.strip(),
            filename=attachment.filename,
            params=dict(_parameters(params)),
        )
    message["Content-Language"] = rendered.locale  # after the body: set_content drops Content-* headers
    data = message.as_bytes(policy=SMTPUTF8.clone(linesep="\r\n"))
    return OutgoingMail(sender, recipient, mail.message_id, data, smtputf8=True)


def _parameters(params: str) -> list[tuple[str, str]]:
    """``method=PUBLISH; charset=utf-8`` as pairs."""
    return [
        (name, value) for name, _, value in (p.strip().partition("=") for p in params.split(";")) if value
    ]


def message_id(notification_id: str, domain: str) -> str:
    return f"<{notification_id}@{domain}>" if notification_id else make_msgid(domain=domain)


class MailSender(Protocol):
    def send(self, mail: OutgoingMail) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    """Sends over a connection kept open per sending thread, so a burst of mails does not pay for a
    TCP handshake, EHLO, STARTTLS and login each. A kept connection the server has closed meanwhile
    is replaced once, at once; any other failure closes it, and the next mail opens a new one."""

    host: str
    port: int = 587
    starttls: bool = True
    use_ssl: bool = False
    username: str = ""
    password: str = ""
    timeout_s: float = 10.0
    _kept: threading.local = field(default_factory=threading.local, compare=False, repr=False)

    def send(self, mail: OutgoingMail) -> None:
        kept: smtplib.SMTP | None = getattr(self._kept, "client", None)
        if kept is not None:
            try:
                _transmit(kept, mail)
                return
            except (smtplib.SMTPServerDisconnected, OSError):
                self._close()  # closed while it was idle: a new connection below
            except smtplib.SMTPException as exc:
                self._close()
                raise _smtp_error(exc) from None
        try:
            client = self._connect()
            self._kept.client = client
            _transmit(client, mail)
        except (smtplib.SMTPException, OSError) as exc:
            self._close()
            raise _smtp_error(exc) from None

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout_s, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        try:
            if self.starttls and not self.use_ssl:
                client.starttls(context=ssl.create_default_context())
            if self.username:
                client.login(self.username, self.password)
        except BaseException:
            client.close()
            raise
        return client

    def _close(self) -> None:
        client: smtplib.SMTP | None = getattr(self._kept, "client", None)
        self._kept.client = None
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


def _transmit(client: smtplib.SMTP, mail: OutgoingMail) -> None:
    """One mail over an open connection, as its bytes are (``send_message`` would flatten a
    message object again)."""
    options: tuple[str, ...] = ()
    if mail.smtputf8:
        client.ehlo_or_helo_if_needed()
        if not client.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("an address is not ASCII and the server has no SMTPUTF8")
        options = ("SMTPUTF8", "BODY=8BITMIME")
    client.sendmail(mail.sender, [mail.recipient], mail.data, mail_options=options)


def _smtp_error(exc: smtplib.SMTPException | OSError) -> DeliveryError:
    """What a failed send means: refused for good (5xx), worth another try, or the server away."""
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return DeliveryError(f"SMTP {exc.smtp_code} {detail}", permanent=500 <= exc.smtp_code < 600)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return DeliveryError(f"SMTP recipients refused {codes}", permanent=all(c >= 500 for c in codes))
    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):  # refused, timeout, TLS, lookup
        return DeliveryError(f"SMTP unavailable: {type(exc).__name__}: {exc}", False, outage=True)
    return DeliveryError(f"SMTP failed: {type(exc).__name__}: {exc}", permanent=False)


@dataclass(frozen=True)
class FileSender:
    """Embedded mode without SMTP: every mail becomes an .eml file a person can open."""

    folder: Path

    def send(self, mail: OutgoingMail) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = mail.message_id.strip("<>").replace("@", "_").replace("/", "_")
        target = self.folder / f"{stem}.eml"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(mail.data)
        temporary.replace(target)  # a reader never sees half a file


SIGNATURE_HEADER = "X-Weltoffen-Signature"
TIMESTAMP_HEADER = "X-Weltoffen-Timestamp"


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over ``"<timestamp>." + body``, hex, prefixed ``sha256=``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_webhook(
    secret: str, timestamp: str, signature: str, body: bytes, now: float, tolerance_s: int = 300
) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale timestamps."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > tolerance_s:
        return False
    return hmac.compare_digest(webhook_signature(secret, sent, body), signature)


@dataclass(frozen=True)
class WebhookSender:
    policy: WebhookPolicy = field(default_factory=WebhookPolicy)
    timeout_s: float = 10.0

    def send(self, url: str, secret: str, payload: dict[str, object], delivery_id: str) -> None:
        try:
            self.policy.check(url)  # again at send time: the name may resolve elsewhere by now
        except UnsafeWebhook as exc:
            raise DeliveryError(f"webhook refused: {exc}", permanent=True) from None
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: webhook_signature(secret, timestamp, body),
            "X-Weltoffen-Delivery": delivery_id,
            "User-Agent": "Weltoffen-Webhook/1",
        }
        try:
            response = httpx.post(
                url, content=body, headers=headers, timeout=self.timeout_s, follow_redirects=False
            )
        except (OSError, httpx.HTTPError) as exc:
            raise DeliveryError(f"webhook unreachable: {type(exc).__name__}", permanent=False) from None
        if response.is_success:
            return
        if response.is_redirect:
            raise DeliveryError("webhook answered with a redirect, which is not followed", permanent=True)
        retryable = response.status_code >= 500 or response.status_code in (408, 429)
        raise DeliveryError(f"webhook answered {response.status_code}", permanent=not retryable)
