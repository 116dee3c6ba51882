"""The deep self-check, computed by hand: indicator -> criterion -> goal -> field -> index with
coverage, perspectives (and what they withhold), suggestions, the workshop agenda, and comparing
rounds answered on different questionnaire versions. Also the shipped 2026.2 files."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from services.selfchecks.questionnaire_files import FOLDER, LATEST, VERSIONS, questionnaire, suggestions
from workflows.selfchecks.comparison import compare_rounds
from workflows.selfchecks.perspectives import compare
from workflows.selfchecks.questionnaire import Questionnaire, QuestionnaireError
from workflows.selfchecks.recommendations import further_work
from workflows.selfchecks.scoring import CriterionScore, FieldScore, GoalScore, score
from workflows.selfchecks.suggestions import Suggestions
from workflows.selfchecks.workshop import agenda

TEXT = {"de": "Text", "en": "Text"}
LEVELS = [{"min": 0, "de": "Einstieg", "en": "Start"}, {"min": 50, "de": "Weiter", "en": "Further"}]
ADVICE = {"offers": ["workshop"], "dialogue_format": "round_table"}
PERSPECTIVES = [
    {"id": "leadership", **TEXT},
    {"id": "integration_commissioner", **TEXT},
    {"id": "other", **TEXT},
]


def indicator(qid: str, kind: str, weight: float = 1, **more: Any) -> dict[str, Any]:
    return {"id": qid, "type": kind, "weight": weight, "text": TEXT, **more}


CHOICE = [
    {"value": "x", "points": 0, **TEXT},
    {"value": "y", "points": 50, **TEXT},
    {"value": "z", "points": 100, **TEXT},
]
DEEP: dict[str, Any] = {
    "version": "deep",
    "title": TEXT,
    "perspectives": PERSPECTIVES,
    "fields": [
        {
            "id": "a",
            "title": TEXT,
            "goals": [
                {
                    "id": "a/g1",
                    "title": TEXT,
                    "criteria": [
                        {
                            "id": "a/g1/c1",
                            "title": TEXT,
                            "indicators": [
                                indicator("q1", "maturity", 2),
                                indicator("q2", "yes_no", skippable=True),
                            ],
                        },
                        {
                            "id": "a/g1/c2",
                            "title": TEXT,
                            "weight": 2,
                            "indicators": [indicator("q3", "number", min=0, max=10, full_score_at=5)],
                        },
                    ],
                },
                {
                    "id": "a/g2",
                    "title": TEXT,
                    "criteria": [
                        {
                            "id": "a/g2/c1",
                            "title": TEXT,
                            "indicators": [indicator("q4", "choice", options=CHOICE, skippable=True)],
                        }
                    ],
                },
            ],
        },
        {"id": "b", "title": TEXT, "questions": [indicator("q5", "maturity")]},
    ],
    "levels": LEVELS,
    "recommendations": {"a": ADVICE, "b": ADVICE},
}
Q = Questionnaire.from_dict(DEEP, "deep.yaml")
# Three respondents; the scores each answer gives are in the comments.
R1 = {"q1": 4, "q2": True, "q3": 5, "q4": "z", "q5": 4}  # 100 100 100 100 100
R2 = {"q1": 1, "q2": False, "q3": 2, "q4": None, "q5": 0}  # 25 0 40 (skipped) 0
R3 = {"q1": 1, "q2": None, "q3": 2, "q4": "y", "q5": 2}  # 25 (skipped) 40 50 50


def test_a_round_is_computed_by_hand_at_every_level() -> None:
    result = score(Q, [R1, R2, R3])
    # indicators: q1 (100+25+25)/3 = 50, q2 (100+0)/2 = 50, q3 (100+40+40)/3 = 60, q4 (100+50)/2 = 75
    # criteria: c1 (2*50 + 1*50)/3 = 50, c2 = 60, a/g2/c1 = 75; every indicator was answered by someone
    assert result.criteria == (
        CriterionScore("a/g1/c1", "a/g1", 50.0, 1.0),
        CriterionScore("a/g1/c2", "a/g1", 60.0, 1.0),
        CriterionScore("a/g2/c1", "a/g2", 75.0, 1.0),
    )
    # goals: g1 (1*50 + 2*60)/3 = 56.67 (c2 weighs 2), g2 = 75
    assert result.goals == (GoalScore("a/g1", "a", 56.7, 1.0), GoalScore("a/g2", "a", 75.0, 1.0))
    # fields: a (56.667 + 75)/2 = 65.83; b, without goals: q5 (100+0+50)/3 = 50
    assert result.fields == (FieldScore("a", 65.8, 1.0), FieldScore("b", 50.0, 1.0))
    # index: (65.833 + 50)/2 = 57.92, from the unrounded fields
    assert (result.overall, result.coverage, result.level) == (57.9, 1.0, {"de": "Weiter", "en": "Further"})
    assert result.respondents == 3


def test_coverage_at_every_level_when_questions_are_skipped() -> None:
    skipped = [{**r, "q2": None, "q4": None} for r in (R1, R2, R3)]
    result = score(Q, skipped)
    # c1: only q1 (weight 2 of 3) answered: 50, coverage 0.667; c2: 60, coverage 1
    assert [(c.score, c.coverage) for c in result.criteria] == [(50.0, 0.667), (60.0, 1.0), (None, 0.0)]
    # g1: (50 + 2*60)/3 = 56.67, coverage (0.667 + 2*1)/3 = 0.889; g2: nothing answered
    assert [(g.score, g.coverage) for g in result.goals] == [(56.7, 0.889), (None, 0.0)]
    # field a rests on g1 alone: 56.67, coverage (0.889 + 0)/2 = 0.444; the index (56.67 + 50)/2 = 53.3
    assert result.fields[0] == FieldScore("a", 56.7, 0.444)
    assert (result.overall, result.coverage) == (53.3, 0.722)  # (0.444 + 1)/2


def test_perspectives_are_computed_by_hand_and_withheld_when_they_rest_on_few_answers() -> None:
    stated = [("leadership", R1), ("integration_commissioner", R2), ("integration_commissioner", R3)]
    exact = compare(Q, stated, min_answers=1)
    a, b = exact.fields
    # leadership alone: every answer 100. The commissioners: q1 25, q2 0 (one answer), q3 40, q4 50
    # (one answer): c1 (2*25 + 0)/3 = 16.67, c2 40, g1 (16.67 + 2*40)/3 = 32.22, g2 50, field a 41.11
    assert a.scores == {"leadership": 100.0, "integration_commissioner": 41.1}
    assert (a.spread, a.high, a.low, a.flagged) == (
        58.9,
        ("leadership",),
        ("integration_commissioner",),
        True,
    )
    assert a.respondents == {"leadership": 1, "integration_commissioner": 2}
    assert b.scores == {"leadership": 100.0, "integration_commissioner": 25.0}  # q5: (0 + 50)/2
    # per question only the names at either end, never who is higher: q2 is a yes/no of one person each
    assert [(g.question, g.spread) for g in exact.questions] == [
        ("q2", 100.0),
        ("q1", 75.0),
        ("q5", 75.0),
        ("q3", 60.0),
        ("q4", 50.0),
    ]
    assert {g.perspectives for g in exact.questions} == {("leadership", "integration_commissioner")}

    shown = compare(Q, stated)  # from five answers on: the commissioners gave six in field a, leadership four
    assert shown.fields[0].scores == {"leadership": None, "integration_commissioner": 41.1}
    assert (shown.fields[0].spread, shown.fields[0].flagged) == (None, False)
    assert shown.fields[1].scores == {"leadership": None, "integration_commissioner": None}


SUGGESTIONS: dict[str, Any] = {
    "version": "deep",
    "fields": {
        f: {
            "suggestions": [{"offer": "consulting", "de": f"Feld {f}", "en": f"Field {f}"}],
            "guests": {g: TEXT for g in ("civil_society", "politics", "business")},
        }
        for f in ("a", "b")
    },
    "goals": {
        "a/g1": [{"dialogue_format": "round_table", "de": "Ziel 1", "en": "Goal 1"}],
        "a/g2": [{"offer": "workshop", "de": "Ziel 2", "en": "Goal 2"}],
    },
}
S = Suggestions.from_dict(SUGGESTIONS, Q, "deep.suggestions.yaml")


def test_weak_fields_and_weak_goals_get_their_suggestions() -> None:
    # R2 alone: c1 (2*25 + 0)/3 = 16.67, c2 40 -> g1 (16.67 + 80)/3 = 32.2; g2 skipped; a 32.2; b 0
    result = score(Q, [R2])
    work = further_work(result, S)
    assert [(w.field, w.score) for w in work] == [("b", 0.0), ("a", 32.2)]  # the weakest first
    assert [s.text["en"] for s in work[0].suggestions] == ["Field b"] and work[0].goals == ()
    [goal] = work[1].goals
    assert (goal.goal, goal.score, goal.suggestions[0].dialogue_format) == ("a/g1", 32.2, "round_table")
    assert further_work(score(Q, [R1]), S) == []  # nothing weak, nothing to do


def test_the_workshop_agenda_takes_the_weakest_goals_and_where_perspectives_part() -> None:
    result = score(Q, [R1, R2, R3])
    stated = [("leadership", R1), ("integration_commissioner", R2), ("integration_commissioner", R3)]
    plan = agenda(Q, result, compare(Q, stated), S)
    assert [(t.id, t.score) for t in plan.topics] == [("a/g1", 56.7), ("a/g2", 75.0)]
    assert plan.topics[0].suggestions[0].text["en"] == "Goal 1"
    assert [(i.kind, i.minutes) for i in plan.items] == [
        ("welcome", 15),
        ("results", 20),
        ("topic", 30),
        ("break", 15),
        ("topic", 30),
        ("divergent", 25),
        ("next_steps", 20),
    ]
    assert plan.minutes == 155
    assert [d.question for d in plan.divergent] == ["q2", "q1", "q5", "q3", "q4"]
    assert set(plan.guests) == {"a", "b"}  # a for its goals, b for q5

    flat = Questionnaire.from_dict(FLAT, "flat.yaml")  # no goals, no stated perspectives: fields, respondents
    plain = agenda(flat, score(flat, [R1, R2]), compare(flat, []), None)
    assert [(t.kind, t.id) for t in plain.topics] == [("field", "b"), ("field", "a")]
    assert [d.question for d in plain.divergent][:2] == ["q2", "q5"] and plain.guests == {}


FLAT: dict[str, Any] = {
    "version": "flat",
    "title": TEXT,
    "fields": [
        {"id": "a", "title": TEXT, "questions": [indicator("q1", "maturity"), indicator("q2", "yes_no")]},
        {"id": "b", "title": TEXT, "questions": [indicator("q5", "maturity")]},
        {"id": "gone", "title": TEXT, "questions": [indicator("q9", "yes_no")]},
    ],
    "levels": LEVELS,
    "recommendations": {"a": ADVICE, "b": ADVICE, "gone": ADVICE},
}


def test_rounds_on_different_versions_compare_what_is_comparable() -> None:
    before = Questionnaire.from_dict(FLAT, "flat.yaml")
    previous = score(before, [{"q1": 2, "q2": True, "q5": 1, "q9": False}])  # a (50+100)/2 = 75, b 25
    current = score(Q, [R1, R2, R3])  # a 65.8, b 50
    compared = compare_rounds(Q, current, before, previous)
    assert compared.previous_version == "flat"
    assert compared.fields == {"a": -9.2, "b": 25.0}  # 65.8 - 75, 50 - 25
    assert compared.goals == {}  # the earlier version had none to compare
    assert compared.only_now == ("a/g1", "a/g2") and compared.only_before == ("gone",)
    assert compared.questions_changed == ("a",)  # b still asks q5 alone; a asks more than it did

    again = compare_rounds(Q, current, Q, score(Q, [R1]))
    assert again.goals == {"a/g1": -43.3, "a/g2": -25.0}  # goals that kept their id
    assert (again.only_now, again.only_before, again.questions_changed) == ((), (), ())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["fields"][0].update(questions=[indicator("q0", "maturity")]),
            "either goals or questions",
        ),
        (lambda d: d["fields"][0]["goals"][1]["criteria"][0].update(indicators=[]), "has no indicators"),
        (lambda d: d["fields"][0]["goals"][0].update(weight=0), "positive weight"),
        (lambda d: d["perspectives"].reverse(), "must end with 'other'"),
        (lambda d: d["fields"][0]["goals"][1].update(id="a/g1"), "duplicate id"),
    ],
)
def test_a_broken_structure_is_named(change: Any, message: str) -> None:
    broken = copy.deepcopy(DEEP)
    change(broken)
    with pytest.raises(QuestionnaireError, match=message):
        Questionnaire.from_dict(broken, "deep.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["goals"].pop("a/g2"), r"deep\.suggestions\.yaml: missing .*a/g2"),
        (lambda d: d["goals"]["a/g1"][0].update(offer="coaching"), "either an offer or a dialogue format"),
        (lambda d: d["goals"]["a/g2"][0].update(offer="coaching"), "'coaching' is not one of"),
        (lambda d: d["fields"]["a"]["guests"].pop("business"), "business"),
        (lambda d: d["goals"].update({"a/g9": d["goals"]["a/g1"]}), "does not have: \\['a/g9'\\]"),
        (lambda d: d.update(version="other"), "written for version 'other'"),
    ],
)
def test_broken_suggestions_are_named(change: Any, message: str) -> None:
    broken = copy.deepcopy(SUGGESTIONS)
    change(broken)
    with pytest.raises(QuestionnaireError, match=message):
        Suggestions.from_dict(broken, Q, "deep.suggestions.yaml")


def test_the_shipped_deep_questionnaire_and_its_suggestions() -> None:
    deep = questionnaire(LATEST)
    assert LATEST == "2026.2" and len(deep.questions) >= 40
    short = questionnaire("2026.1")
    assert [f.id for f in deep.fields] == [f.id for f in short.fields]  # comparable
    kept = set(short.questions) & set(deep.questions)  # one that kept its id asks the same (better help)
    assert kept and all(
        (q.text, q.type, q.options, q.maximum, q.full_score_at)
        == (d.text, d.type, d.options, d.maximum, d.full_score_at)
        for q, d in ((short.questions[i], deep.questions[i]) for i in kept)
    )
    for field in deep.fields:
        assert len(field.questions) >= 5 and 2 <= len(field.goals) <= 4, field.id
        assert all(c.questions for g in field.goals for c in g.criteria)
    for question in deep.questions.values():
        assert question.goal and question.criterion and all(question.help.values()), question.id
    assert deep.perspective_ids == (
        "leadership",
        "department",
        "integration_commissioner",
        "integration_council",
        "other",
    )
    shipped = suggestions(LATEST)
    assert shipped is not None and set(shipped.goals) == set(deep.goals)
    assert suggestions("2026.1") is None  # an older round simply has none
    on_disk = {
        p.name.removeprefix("weltoffen-").removesuffix(".yaml") for p in FOLDER.glob("weltoffen-*.yaml")
    }
    assert {v for v in on_disk if not v.endswith(".suggestions")} == set(VERSIONS)
