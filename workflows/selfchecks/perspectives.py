"""How the parts of the administration see their municipality differently.

Each respondent states a perspective (the questionnaire's fixed list plus "other"). Per field, each
perspective's score is computed as a round of its own respondents would be; it is shown only when it
rests on at least MIN_ANSWERS answers, so no single answer can be read back from it. Per question,
only the *names* of the perspectives at both ends are kept, never their scores or who is higher: a
yes/no question with one person per perspective would otherwise show what that person answered."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import mean

from workflows.selfchecks.questionnaire import Questionnaire
from workflows.selfchecks.scoring import Answers, question_scores, score

MIN_ANSWERS = 5
FIELD_GAP = 25.0  # perspectives this far apart on a field are flagged
QUESTION_GAP = 50.0  # and on a single question


@dataclass(frozen=True)
class FieldView:
    field: str
    scores: dict[str, float | None]  # perspective -> score; None: withheld (too few answers to show)
    respondents: dict[str, int]  # perspective -> how many answered for it
    spread: float | None  # highest minus lowest score shown; None: fewer than two shown
    high: tuple[str, ...]  # the perspectives at the top and at the bottom, when spread >= FIELD_GAP
    low: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.high)


@dataclass(frozen=True)
class QuestionGap:
    question: str
    spread: float  # between the perspectives' mean scores, 0-100
    perspectives: tuple[str, ...]  # those at either end, in the questionnaire's order: never who said what


@dataclass(frozen=True)
class Perspectives:
    fields: tuple[FieldView, ...]
    questions: tuple[QuestionGap, ...]  # widest apart first

    @classmethod
    def from_stored(cls, data: dict[str, object] | None) -> Perspectives:
        if not data:
            return cls((), ())
        fields = data.get("fields", [])
        questions = data.get("questions", [])
        assert isinstance(fields, list) and isinstance(questions, list)
        return cls(
            tuple(
                FieldView(
                    **{**f, "high": tuple(f["high"]), "low": tuple(f["low"])}  # JSON has lists
                )
                for f in fields
            ),
            tuple(QuestionGap(**{**q, "perspectives": tuple(q["perspectives"])}) for q in questions),
        )


def _ends(values: dict[str, float], order: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    top, bottom = max(values.values()), min(values.values())
    return (
        tuple(p for p in order if values.get(p) == top),
        tuple(p for p in order if values.get(p) == bottom),
    )


def compare(
    questionnaire: Questionnaire, respondents: list[tuple[str, Answers]], min_answers: int = MIN_ANSWERS
) -> Perspectives:
    """respondents: (perspective, answers) of everyone in the round who stated one."""
    order = questionnaire.perspective_ids
    groups: dict[str, list[Answers]] = {}
    for perspective, answers in respondents:
        groups.setdefault(perspective, []).append(answers)
    stated = [p for p in order if p in groups]
    own = {p: score(questionnaire, groups[p]) for p in stated}
    views = []
    for index, field in enumerate(questionnaire.fields):
        shown: dict[str, float | None] = {}
        for p in stated:
            answers_given = sum(a.get(q.id) is not None for a in groups[p] for q in field.questions)
            shown[p] = own[p].fields[index].score if answers_given >= min_answers else None
        values = {p: v for p, v in shown.items() if v is not None}
        spread = round(max(values.values()) - min(values.values()), 1) if len(values) > 1 else None
        high, low = _ends(values, order) if spread is not None and spread >= FIELD_GAP else ((), ())
        views.append(FieldView(field.id, shown, {p: len(groups[p]) for p in stated}, spread, high, low))
    gaps = []
    per_perspective = {p: question_scores(questionnaire, groups[p]) for p in stated}
    for question in questionnaire.questions:
        means = {p: mean(s[question]) for p, s in per_perspective.items() if question in s}
        if len(means) < 2 or max(means.values()) - min(means.values()) < QUESTION_GAP:
            continue
        high, low = _ends(means, order)
        ends = tuple(p for p in order if p in high or p in low)
        gaps.append(QuestionGap(question, round(max(means.values()) - min(means.values()), 1), ends))
    gaps.sort(key=lambda g: (-g.spread, g.question))
    return Perspectives(tuple(views), tuple(gaps))
