"""Trend against earlier rounds (also across questionnaire versions), and comparison with anonymised
peers of the same size class."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median, quantiles
from typing import Any

from workflows.selfchecks.questionnaire import Questionnaire
from workflows.selfchecks.scoring import Result

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


@dataclass(frozen=True)
class Comparison:
    """A round against an earlier one, which may have been answered on another questionnaire version:
    fields and goals that kept their id are compared; what only one version has is named, and so is
    every compared part whose questions changed (its change may come from the questionnaire)."""

    previous_version: str
    fields: dict[str, float | None]  # change per field both versions have (None: a side has no score)
    goals: dict[str, float | None]  # change per goal that kept its id
    only_now: tuple[str, ...]  # fields and goals the earlier version did not have
    only_before: tuple[str, ...]  # fields and goals that are gone
    questions_changed: tuple[str, ...]  # compared fields and goals asked with other questions than before

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Comparison:
        return cls(
            previous_version=str(data["previous_version"]),
            fields=dict(data["fields"]),
            goals=dict(data["goals"]),
            only_now=tuple(data["only_now"]),
            only_before=tuple(data["only_before"]),
            questions_changed=tuple(data["questions_changed"]),
        )


def _questions(questionnaire: Questionnaire) -> dict[str, frozenset[str]]:
    parts = {f.id: frozenset(q.id for q in f.questions) for f in questionnaire.fields}
    for goal in questionnaire.goals.values():
        parts[goal.id] = frozenset(q.id for c in goal.criteria for q in c.questions)
    return parts


def compare_rounds(
    now: Questionnaire, current: Result, before: Questionnaire, previous: Result
) -> Comparison:
    goals_now = {g.goal: g.score for g in current.goals}
    goals_before = {g.goal: g.score for g in previous.goals}
    asked_now, asked_before = _questions(now), _questions(before)
    fields = trend(
        {f.field: f.score for f in current.fields if f.field in before.fields_by_id},
        {f.field: f.score for f in previous.fields},
    )
    goals = trend({g: v for g, v in goals_now.items() if g in before.goals}, goals_before)
    return Comparison(
        previous_version=before.version,
        fields=fields,
        goals=goals,
        only_now=tuple(p for p in asked_now if p not in asked_before),
        only_before=tuple(p for p in asked_before if p not in asked_now),
        questions_changed=tuple(p for p in (*fields, *goals) if asked_now[p] != asked_before[p]),
    )
