"""Weak fields of action become recommendations: support offers, a peer, a dialogue format."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.selfchecks.questionnaire import Questionnaire
from workflows.selfchecks.scoring import Result

WEAK_BELOW = 50.0
STRONG_FROM = 75.0
MAX_FIELDS = 3


@dataclass(frozen=True)
class Advice:
    field: str
    score: float
    offers: tuple[str, ...]
    dialogue_format: str
    peer: str | None  # a municipality strong in this field that opted in to peer exchange


def recommend(
    questionnaire: Questionnaire, result: Result, strong_peers: dict[str, list[tuple[str, float]]]
) -> list[Advice]:
    """The weakest fields first, at most three; a peer is the strongest that opted in."""
    scored = [(f.field, f.score) for f in result.fields if f.score is not None]
    weak = sorted(((field, value) for field, value in scored if value < WEAK_BELOW), key=lambda item: item[1])
    advice = []
    for field, value in weak[:MAX_FIELDS]:
        rule = questionnaire.recommendations[field]
        candidates = sorted(
            (p for p in strong_peers.get(field, []) if p[1] >= STRONG_FROM), key=lambda p: (-p[1], p[0])
        )
        advice.append(
            Advice(
                field,
                value,
                rule.offers,
                rule.dialogue_format,
                candidates[0][0] if candidates else None,
            )
        )
    return advice
