"""Weak fields of action become recommendations: support offers, a peer, a dialogue format; weak
fields and goals get the suggestions for further work kept beside the questionnaire."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.selfchecks.questionnaire import Questionnaire
from workflows.selfchecks.scoring import Result
from workflows.selfchecks.suggestions import Suggestion, Suggestions

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


@dataclass(frozen=True)
class GoalWork:
    goal: str
    score: float
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class FieldWork:
    field: str
    score: float | None
    suggestions: tuple[Suggestion, ...]  # the field's own, when the field as a whole is weak
    goals: tuple[GoalWork, ...]  # its weak goals, weakest first


def further_work(result: Result, suggestions: Suggestions) -> list[FieldWork]:
    """Per field that is weak or has a weak goal: what to do next, weakest field first."""
    work = []
    for field in result.fields:
        weak_goals = sorted(
            (
                g
                for g in result.goals
                if g.field == field.field and g.score is not None and g.score < WEAK_BELOW
            ),
            key=lambda g: (g.score, g.goal),
        )
        field_is_weak = field.score is not None and field.score < WEAK_BELOW
        if not field_is_weak and not weak_goals:
            continue
        own = suggestions.fields[field.field].suggestions if field_is_weak else ()
        goals = tuple(GoalWork(g.goal, g.score or 0.0, suggestions.goals[g.goal]) for g in weak_goals)
        work.append(FieldWork(field.field, field.score, own, goals))
    return sorted(work, key=lambda w: (w.score if w.score is not None else 101.0, w.field))
