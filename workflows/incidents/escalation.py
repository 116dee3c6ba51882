"""Acknowledgement deadlines and escalation along the chain snapshotted onto a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class EscalationStep:
    level: int
    assignee: str | None  # who holds the case now and is paged
    next_at: datetime  # when to escalate again if still nobody acknowledged
    reason: str


def escalate(
    chain: tuple[str, ...], level: int, now: datetime, window: timedelta, why: str
) -> EscalationStep:
    """One step up the chain; past its end the chain starts again (an unacknowledged emergency
    keeps paging until somebody answers)."""
    next_level = level + 1
    if not chain:
        return EscalationStep(next_level, None, now + window, f"{why}; nobody to escalate to")
    assignee = chain[next_level % len(chain)]
    round_ = next_level // len(chain) + 1
    note = f"{why}; level {next_level} -> {assignee}" + (f" (round {round_})" if round_ > 1 else "")
    return EscalationStep(next_level, assignee, now + window, note)


def acknowledge_by(reported_at: datetime, window: timedelta) -> datetime:
    return reported_at + window


def next_checkin(now: datetime, interval: timedelta) -> datetime:
    return now + interval
