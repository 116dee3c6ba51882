"""Scoring a self-check round. Scores roll up indicator -> criterion -> goal -> field -> index:

- an indicator (question) scores the mean of every respondent who answered it, 0-100;
- a criterion the weighted mean of its answered indicators; its coverage is the share of its
  indicators' weight that was answered;
- a goal the weighted mean of its criteria that have a score, a field the same of its goals (a field
  without goals: the weighted mean of its questions); coverage is the weighted mean of the parts';
- the index is the mean of the fields that have a score, its coverage the mean of theirs.

Values are computed unrounded and rounded to one decimal (coverage to three) as they are reported.
Also: the questions respondents disagree on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import mean
from typing import Any

from workflows.selfchecks.questionnaire import Criterion, Goal, Question, Questionnaire

Answers = dict[str, object]  # question id -> answer (None: skipped)


@dataclass(frozen=True)
class FieldScore:
    field: str
    score: float | None  # None: every question was skipped
    coverage: float  # share of the field's weight that was answered, 0-1


@dataclass(frozen=True)
class GoalScore:
    goal: str
    field: str
    score: float | None
    coverage: float


@dataclass(frozen=True)
class CriterionScore:
    criterion: str
    goal: str
    score: float | None
    coverage: float


@dataclass(frozen=True)
class Divergence:
    question: str
    spread: float  # highest minus lowest respondent score, 0-100


@dataclass(frozen=True)
class Result:
    fields: tuple[FieldScore, ...]
    overall: float | None
    level: dict[str, str] | None  # the level's name in every language of the questionnaire
    divergent: tuple[Divergence, ...]
    respondents: int
    goals: tuple[GoalScore, ...] = ()
    criteria: tuple[CriterionScore, ...] = ()
    coverage: float = 0.0  # of the index: the mean of the fields' coverage

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Result:
        """A result as the handler stored it (older rows have no goals, criteria or coverage)."""
        return cls(
            fields=tuple(FieldScore(**f) for f in data.get("fields", [])),
            overall=data.get("overall"),
            level=data.get("level"),
            divergent=tuple(Divergence(**d) for d in data.get("divergent", [])),
            respondents=int(data.get("respondents", 0)),
            goals=tuple(GoalScore(**g) for g in data.get("goals", [])),
            criteria=tuple(CriterionScore(**c) for c in data.get("criteria", [])),
            coverage=float(data.get("coverage", 0.0)),
        )


DIVERGENCE_THRESHOLD = 50.0
_Part = tuple[float | None, float]  # unrounded score (None: nothing answered) and coverage


def question_scores(questionnaire: Questionnaire, respondents: list[Answers]) -> dict[str, list[float]]:
    """Each question's scores, one per respondent who answered it."""
    scores: dict[str, list[float]] = {}
    for answers in respondents:
        for question in questionnaire.questions.values():
            answer = answers.get(question.id)
            if answer is not None:
                scores.setdefault(question.id, []).append(question.score(answer))
    return scores


def _indicators(questions: Iterable[Question], per_question: dict[str, list[float]]) -> _Part:
    listed = list(questions)
    answered = [(q.weight, mean(per_question[q.id])) for q in listed if q.id in per_question]
    weight = sum(w for w, _ in answered)
    value = sum(w * s for w, s in answered) / weight if weight else None
    return value, weight / sum(q.weight for q in listed)


def _roll_up(parts: list[tuple[float, _Part]]) -> _Part:
    """Weighted mean of the parts that have a score; coverage weighted over all parts."""
    scored = [(w, s) for w, (s, _) in parts if s is not None]
    weight = sum(w for w, _ in scored)
    value = sum(w * s for w, s in scored) / weight if weight else None
    return value, sum(w * c for w, (_, c) in parts) / sum(w for w, _ in parts)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class _Tally:
    """Scores of one round's criteria, goals and fields, kept as they are computed."""

    def __init__(self, per_question: dict[str, list[float]]) -> None:
        self.per_question = per_question
        self.criteria: list[CriterionScore] = []
        self.goals: list[GoalScore] = []

    def criterion(self, criterion: Criterion, goal: str) -> _Part:
        value, coverage = _indicators(criterion.questions, self.per_question)
        self.criteria.append(CriterionScore(criterion.id, goal, _round(value), round(coverage, 3)))
        return value, coverage

    def goal(self, goal: Goal) -> _Part:
        value, coverage = _roll_up([(c.weight, self.criterion(c, goal.id)) for c in goal.criteria])
        self.goals.append(GoalScore(goal.id, goal.field, _round(value), round(coverage, 3)))
        return value, coverage


def score(questionnaire: Questionnaire, respondents: list[Answers]) -> Result:
    per_question = question_scores(questionnaire, respondents)
    tally = _Tally(per_question)
    fields, raw = [], []
    for field in questionnaire.fields:
        if field.goals:
            value, coverage = _roll_up([(g.weight, tally.goal(g)) for g in field.goals])
        else:
            value, coverage = _indicators(field.questions, per_question)
        fields.append(FieldScore(field.id, _round(value), round(coverage, 3)))
        raw.append((value, coverage))
    scored = [value for value, _ in raw if value is not None]
    overall = round(mean(scored), 1) if scored else None
    divergent = sorted(
        (
            Divergence(qid, round(max(values) - min(values), 1))
            for qid, values in per_question.items()
            if len(values) > 1 and max(values) - min(values) >= DIVERGENCE_THRESHOLD
        ),
        key=lambda d: (-d.spread, d.question),
    )
    level = dict(questionnaire.level(overall).name) if overall is not None else None
    return Result(
        tuple(fields),
        overall,
        level,
        tuple(divergent),
        len(respondents),
        tuple(tally.goals),
        tuple(tally.criteria),
        round(mean(coverage for _, coverage in raw), 3) if raw else 0.0,
    )
