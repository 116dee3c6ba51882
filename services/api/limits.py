"""Per-client rate limits for the public endpoints (sign-in, anonymous reports, registrations).

A sliding window per client address and endpoint, kept in the process: it stops a script hammering
one API process; a deployment with several API processes puts the same limit at its proxy too.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from fastapi import HTTPException, Request, status


class SlidingWindow:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._clock = clock

    def allow(self, bucket: str, client: str, per_minute: int) -> float | None:
        """None if allowed (and counted); else the seconds until the next request may pass."""
        now = self._clock()
        with self._lock:
            hits = self._hits[(bucket, client)]
            while hits and hits[0] <= now - 60:
                hits.popleft()
            if len(hits) >= per_minute:
                return 60 - (now - hits[0])
            hits.append(now)
            return None


def client_address(request: Request) -> str:
    """The client's address: the peer's, or what a proxy named in WELTOFFEN_TRUSTED_PROXIES forwarded
    (the server rewrites it only for those proxies; any other client's X-Forwarded-For is ignored)."""
    return request.client.host if request.client else "unknown"


def rate_limited(bucket: str, setting: str) -> Callable[[Request], None]:
    """A dependency: at most ``settings.<setting>`` requests a minute per client (0 switches it off)."""

    def check(request: Request) -> None:
        limit: int = getattr(request.app.state.container.settings, setting)
        if limit <= 0:
            return
        window: SlidingWindow = request.app.state.rate_limits
        wait = window.allow(bucket, client_address(request), limit)
        if wait is not None:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                f"too many requests from your address; please try again in {int(wait) + 1} seconds",
                headers={"Retry-After": str(int(wait) + 1)},
            )

    return check
