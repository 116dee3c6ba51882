"""Where a webhook may point: not into the service's own network (SSRF). A target must resolve to
public addresses only — no loopback, private, link-local, shared, multicast or reserved ranges — unless
its host is on the operator's allow-list (a trusted internal receiver). Checked when a webhook is
saved and again before every delivery, since a name can resolve differently later."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]


class UnsafeWebhook(ValueError):
    """The URL must not be used as a webhook; the message says why, for the person who set it."""


def resolve_host(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class WebhookPolicy:
    https_only: bool = True
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    resolve: Resolver = resolve_host

    @classmethod
    def of(cls, https_only: bool, allowed_hosts: str) -> WebhookPolicy:
        hosts = frozenset(h.strip().lower() for h in allowed_hosts.split(",") if h.strip())
        return cls(https_only, hosts)

    def check(self, url: str) -> None:
        """Raise UnsafeWebhook unless the URL may receive webhooks."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise UnsafeWebhook("webhook_url must be an http(s) address")
        if self.https_only and parts.scheme != "https":
            raise UnsafeWebhook("webhook_url must use https")
        if parts.username or parts.password:
            raise UnsafeWebhook("webhook_url must not contain a user name or password")
        host = (parts.hostname or "").lower()
        if not host:
            raise UnsafeWebhook("webhook_url needs a host")
        if host in self.allowed_hosts:
            return
        addresses = self.resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
        if not addresses:
            raise UnsafeWebhook("the host of webhook_url cannot be found")
        if not all(is_public(address) for address in addresses):
            raise UnsafeWebhook("webhook_url must point to a public address, not into an internal network")
