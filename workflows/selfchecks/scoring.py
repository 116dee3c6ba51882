"""Scoring a self-check round: per field 0-100 from weighted answers of every respondent, coverage of
skipped questions, an overall index and its level, and the questions respondents disagree on."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import mean

from workflows.selfchecks.questionnaire import Questionnaire

Answers = dict[str, object]  # question id -> answer (None: skipped)


@dataclass(frozen=True)
class FieldScore:
    field: str
    score: float | None  # None: every question was skipped
    coverage: float  # share of the field's weight that was answered, 0-1


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


DIVERGENCE_THRESHOLD = 50.0


def question_scores(questionnaire: Questionnaire, respondents: list[Answers]) -> dict[str, list[float]]:
    """Each question's scores, one per respondent who answered it."""
    scores: dict[str, list[float]] = {}
    for answers in respondents:
        for question in questionnaire.questions.values():
            answer = answers.get(question.id)
            if answer is not None:
                scores.setdefault(question.id, []).append(question.score(answer))
    return scores


def score(questionnaire: Questionnaire, respondents: list[Answers]) -> Result:
    per_question = question_scores(questionnaire, respondents)
    fields = []
    for field in questionnaire.fields:
        total_weight = sum(q.weight for q in field.questions)
        answered = [(q.weight, mean(per_question[q.id])) for q in field.questions if q.id in per_question]
        weight = sum(w for w, _ in answered)
        value = round(sum(w * s for w, s in answered) / weight, 1) if weight else None
        fields.append(FieldScore(field.id, value, round(weight / total_weight, 3)))
    scored = [f.score for f in fields if f.score is not None]
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
    return Result(tuple(fields), overall, level, tuple(divergent), len(respondents))
