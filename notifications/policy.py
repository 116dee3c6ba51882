"""Delivery policy: quiet hours and retry backoff (pure functions)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: time  # local time, e.g. 22:00
    end: time  # local time, e.g. 07:00 (may be on the next day)
    timezone: str = "Europe/Berlin"

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone)).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def earliest_send(now: datetime, quiet: QuietHours | None, urgent: bool) -> datetime:
    """When a message may go out: at once, unless quiet hours hold a non-urgent one back.
    Quiet hours never delay an urgent message."""
    if urgent or quiet is None or not quiet.contains(now):
        return now
    zone = ZoneInfo(quiet.timezone)
    local = now.astimezone(zone)
    end = datetime.combine(local.date(), quiet.end, tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet.end, tzinfo=zone)
    return end.astimezone(now.tzinfo)


@dataclass(frozen=True)
class RetrySchedule:
    base_s: float = 30.0
    max_s: float = 3600.0
    max_attempts: int = 6

    def next_attempt(self, now: datetime, attempts: int, rng: random.Random | None = None) -> datetime | None:
        """After ``attempts`` failed tries: the time of the next one, or None to give up.
        Exponential backoff with jitter (between half and all of the step)."""
        if attempts >= self.max_attempts:
            return None
        step = min(self.max_s, self.base_s * 2 ** (attempts - 1))
        jitter = (rng or random).uniform(step / 2, step)
        return now + timedelta(seconds=jitter)
