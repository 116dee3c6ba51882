"""Trend against earlier rounds, and comparison with anonymised peers of the same size class."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median, quantiles

MIN_PEERS = 5
SIZE_CLASSES = (
    (0, "under 5,000"),
    (5000, "5,000-20,000"),
    (20000, "20,000-100,000"),
    (100000, "100,000 and more"),
)


def size_class(population: int) -> str:
    return [name for floor, name in SIZE_CLASSES if population >= floor][-1]


def trend(current: dict[str, float | None], previous: dict[str, float | None]) -> dict[str, float | None]:
    """Change per field since the previous round (None where either round has no score)."""
    changes: dict[str, float | None] = {}
    for field, value in current.items():
        before = previous.get(field)
        changes[field] = round(value - before, 1) if value is not None and before is not None else None
    return changes


@dataclass(frozen=True)
class PeerView:
    peers: int
    shown: bool  # only from MIN_PEERS on, so no single municipality can be recognised
    median: dict[str, float]
    lower_quartile: dict[str, float]
    upper_quartile: dict[str, float]


def peers(own_fields: list[str], peer_scores: list[dict[str, float | None]]) -> PeerView:
    if len(peer_scores) < MIN_PEERS:
        return PeerView(len(peer_scores), False, {}, {}, {})
    med, low, high = {}, {}, {}
    for field in own_fields:
        values = sorted(v for p in peer_scores if (v := p.get(field)) is not None)
        if len(values) >= MIN_PEERS:
            q1, _, q3 = quantiles(values, n=4, method="inclusive")
            med[field], low[field], high[field] = round(median(values), 1), round(q1, 1), round(q3, 1)
    return PeerView(len(peer_scores), True, med, low, high)
