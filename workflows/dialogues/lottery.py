"""Lottery at the close of registration: quotas first, the rest drawn from everyone left; the seed is
recorded so the draw can be audited and repeated exactly."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Entrant:
    registration_id: str
    groups: frozenset[str]  # e.g. {"district:Nord", "first_time"}


@dataclass(frozen=True)
class Draw:
    seed: int
    confirmed: tuple[str, ...]
    waitlist: tuple[str, ...]  # in drawn order
    quota_filled: dict[str, int]


def draw(entrants: list[Entrant], capacity: int, quotas: dict[str, int], seed: int) -> Draw:
    rng = random.Random(seed)  # noqa: S311 - repeatable by design; the seed itself comes from secrets
    # Sort first so the same entrants and seed give the same draw whatever order they came in.
    order = sorted(entrants, key=lambda e: e.registration_id)
    rng.shuffle(order)
    confirmed: list[str] = []
    filled: dict[str, int] = {}
    for group, seats in sorted(quotas.items()):
        members = [e for e in order if group in e.groups and e.registration_id not in confirmed]
        take = members[: max(0, min(seats, capacity - len(confirmed)))]
        confirmed.extend(e.registration_id for e in take)
        filled[group] = len(take)
    for entrant in order:
        if len(confirmed) >= capacity:
            break
        if entrant.registration_id not in confirmed:
            confirmed.append(entrant.registration_id)
    chosen = set(confirmed)
    return Draw(
        seed,
        tuple(confirmed),
        tuple(e.registration_id for e in order if e.registration_id not in chosen),
        filled,
    )
