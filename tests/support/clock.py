"""An injected clock that only moves when a test moves it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, now: datetime | None = None) -> None:
        # By default every test lives in its own stretch of the future, so time windows of tests
        # sharing the PostgreSQL database never overlap.
        self.now = now or datetime(2031, 1, 1, 9, 0, tzinfo=UTC) + timedelta(days=random.randint(0, 20000))

    def __call__(self) -> datetime:
        return self.now
