"""The programme on-call rota as intervals: who is on call at a moment, and where nobody is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Turn:
    account_id: str
    starts_at: datetime
    ends_at: datetime

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


def on_call_at(turns: list[Turn], moment: datetime) -> list[str]:
    """Everyone whose turn includes this moment, earliest start first (a hand-over overlap names both)."""
    return [t.account_id for t in sorted(turns, key=lambda t: t.starts_at) if t.covers(moment)]


def gaps(turns: list[Turn], start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches between ``start`` and ``end`` that no turn covers."""
    found: list[tuple[datetime, datetime]] = []
    reached = start
    for turn in sorted(turns, key=lambda t: t.starts_at):
        if turn.ends_at <= reached:
            continue
        if turn.starts_at >= end:
            break
        if turn.starts_at > reached:
            found.append((reached, turn.starts_at))
        reached = max(reached, turn.ends_at)
    if reached < end:
        found.append((reached, end))
    return found
