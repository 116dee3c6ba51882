"""Self-check scoring with hand-computed examples, questionnaire validation, trend, peers, advice."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from services.selfchecks.questionnaire_files import FOLDER, load
from workflows.selfchecks.comparison import MIN_PEERS, peers, size_class, trend
from workflows.selfchecks.questionnaire import Questionnaire, QuestionnaireError
from workflows.selfchecks.recommendations import recommend
from workflows.selfchecks.scoring import score

TEXT = {"de": "Text", "en": "Text"}
SMALL: dict[str, Any] = {
    "version": "t1",
    "title": TEXT,
    "fields": [
        {
            "id": "a",
            "title": TEXT,
            "questions": [
                {"id": "q1", "type": "maturity", "weight": 2, "text": TEXT},
                {"id": "q2", "type": "yes_no", "weight": 1, "text": TEXT, "skippable": True},
            ],
        },
        {
            "id": "b",
            "title": TEXT,
            "questions": [
                {
                    "id": "q3",
                    "type": "choice",
                    "weight": 1,
                    "text": TEXT,
                    "options": [
                        {"value": "x", "points": 0, **TEXT},
                        {"value": "y", "points": 50, **TEXT},
                        {"value": "z", "points": 100, **TEXT},
                    ],
                },
                {
                    "id": "q4",
                    "type": "number",
                    "weight": 1,
                    "text": TEXT,
                    "min": 0,
                    "max": 10,
                    "full_score_at": 5,
                },
            ],
        },
    ],
    "levels": [{"min": 0, "de": "Einstieg", "en": "Start"}, {"min": 75, "de": "Vorreiter", "en": "Pioneer"}],
    "recommendations": {
        "a": {"offers": ["workshop"], "dialogue_format": "round_table"},
        "b": {"offers": ["consulting", "peer_exchange"], "dialogue_format": "citizen_dialogue"},
    },
}
Q = Questionnaire.from_dict(SMALL, "small.yaml")


def test_scores_by_hand() -> None:
    result = score(Q, [{"q1": 4, "q2": True, "q3": "y", "q4": 10}, {"q1": 2, "q2": None, "q3": "z", "q4": 2}])
    # q1: (100 + 50) / 2 = 75; q2: 100 (one answer); field a = (2*75 + 1*100) / 3 = 83.3
    # q3: (50 + 100) / 2 = 75; q4: (100 + 40) / 2 = 70; field b = (75 + 70) / 2 = 72.5
    assert [(f.field, f.score, f.coverage) for f in result.fields] == [("a", 83.3, 1.0), ("b", 72.5, 1.0)]
    assert (
        result.overall == 77.9
        and result.level is not None
        and result.level["de"] == "Vorreiter"
        and result.respondents == 2
    )
    # disagreements of 50 points or more, the largest first
    assert [(d.question, d.spread) for d in result.divergent] == [("q4", 60.0), ("q1", 50.0), ("q3", 50.0)]


def test_skipped_questions_are_left_out_and_reported_as_coverage() -> None:
    result = score(Q, [{"q1": 3, "q2": None, "q3": "x", "q4": 5}])
    assert result.fields[0].score == 75.0 and result.fields[0].coverage == 0.667
    assert (
        result.overall == 62.5
        and result.level is not None
        and result.level["de"] == "Einstieg"
        and result.divergent == ()
    )


def test_weights_matter() -> None:
    heavy = copy.deepcopy(SMALL)
    heavy["fields"][0]["questions"][0]["weight"] = 1
    light = Questionnaire.from_dict(heavy, "light.yaml")
    answers = [{"q1": 0, "q2": True, "q3": "x", "q4": 0}]
    assert score(Q, answers).fields[0].score == 33.3  # (2*0 + 100) / 3
    assert score(light, answers).fields[0].score == 50.0  # (0 + 100) / 2


def _q1(d: dict[str, Any]) -> dict[str, Any]:
    return d["fields"][0]["questions"][0]  # type: ignore[no-any-return]


def _choice(d: dict[str, Any]) -> dict[str, Any]:
    return d["fields"][1]["questions"][0]  # type: ignore[no-any-return]


def _number(d: dict[str, Any]) -> dict[str, Any]:
    return d["fields"][1]["questions"][1]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["fields"][1]["questions"].append(dict(d["fields"][0]["questions"][0])),
            "duplicate id 'q1'",
        ),
        (lambda d: d["fields"].append(dict(d["fields"][0], questions=[])), "duplicate id 'a'"),
        (lambda d: d["fields"][0]["questions"][0].update(weight=0), "question 'q1' needs a positive weight"),
        (
            lambda d: d["fields"][0]["questions"][0].update(weight="2"),
            "question 'q1' needs a positive weight",
        ),
        (
            lambda d: d["fields"][0]["questions"][0].update(text={"de": "nur deutsch"}),
            "question 'q1' needs a text in de and en",
        ),
        (
            lambda d: d["fields"][0]["questions"][0].update(text={"de": "Text", "en": " "}),
            "question 'q1' has an empty text",
        ),
        (
            lambda d: d["fields"][0]["questions"][0].update(type="stars"),
            "question 'q1' has an unknown type 'stars'",
        ),
        (lambda d: _choice(d)["options"][2].update(points=101), "question 'q3' option points must be 0-100"),
        (lambda d: _choice(d)["options"][0].update(points=-1), "question 'q3' option points must be 0-100"),
        (lambda d: _choice(d)["options"][1].pop("en"), "question 'q3' option 'y' needs a text in de and en"),
        (
            lambda d: _number(d).update(full_score_at=11),
            "question 'q4' needs full_score_at between 0 and max",
        ),
        (lambda d: _number(d).update(full_score_at=0), "question 'q4' needs full_score_at between 0 and max"),
        (lambda d: d["fields"][0].update(questions=[]), "field 'a' has no questions"),
        (lambda d: d["fields"][0].update(title={"de": "A"}), "field 'a' needs a text in de and en"),
        (lambda d: d["levels"][1].pop("en"), "level 75 needs a text in de and en"),
        (lambda d: _q1(d).update(help={"de": "Hilfe"}), "question 'q1' help needs a text in de and en"),
        (
            lambda d: d.update(maturity_scale=[{"value": 0, "de": "nie"}]),
            "maturity step 0 needs a text in de and en",
        ),
        (lambda d: d["levels"][0].update(min=10), "levels must start at 0"),
        (lambda d: d.update(levels=[]), "levels must start at 0"),
        (lambda d: d["recommendations"].pop("b"), "no recommendations for field(s) ['b']"),
        (lambda d: d.update(title={"en": "T"}), "title needs a text in de and en"),
        (
            lambda d: d.update(maturity_scale=[{"value": 1, **TEXT}]),
            "maturity_scale must name the steps 0 to 4 in order",
        ),
        (lambda d: d.pop("levels"), "missing or malformed entry"),
    ],
)
def test_a_broken_definition_names_the_file_and_the_problem(change: Any, message: str) -> None:
    broken = copy.deepcopy(SMALL)
    change(broken)
    with pytest.raises(QuestionnaireError) as caught:
        Questionnaire.from_dict(broken, "fragebogen.yaml")
    assert str(caught.value).startswith("fragebogen.yaml: ") and message in str(caught.value)
    if message != "missing or malformed entry":  # the rest of that one is Python's own wording
        assert str(caught.value) == f"fragebogen.yaml: {message}"


def test_a_definition_keeps_what_a_client_shows_and_scores_by() -> None:
    definition = dict(copy.deepcopy(SMALL))
    definition["maturity_scale"] = [{"value": n, "de": f"Stufe {n}", "en": f"step {n}"} for n in range(5)]
    read = Questionnaire.from_dict(definition, "ok.yaml")
    assert read.version == "t1" and read.title == TEXT
    assert read.maturity_scale[4] == (4, {"de": "Stufe 4", "en": "step 4"})
    q1, q2, q3, q4 = (read.questions[name] for name in ("q1", "q2", "q3", "q4"))
    assert (q1.field, q1.type, q1.weight, q1.skippable) == ("a", "maturity", 2.0, False)
    assert q2.skippable and q2.help == {"de": "", "en": ""}
    assert q3.options == {"x": 0.0, "y": 50.0, "z": 100.0}
    assert q3.option_texts == {"x": TEXT, "y": TEXT, "z": TEXT}
    assert (q4.minimum, q4.maximum, q4.full_score_at) == (0.0, 10.0, 5.0)
    assert [lvl.minimum for lvl in read.levels] == [0.0, 75.0]
    assert read.recommendations["b"].offers == ("consulting", "peer_exchange")
    assert read.recommendations["b"].dialogue_format == "citizen_dialogue"


def test_the_shipped_questionnaire_is_complete(tmp_path: Path) -> None:
    shipped = load(FOLDER / "weltoffen-2026.1.yaml")
    assert [f.title["de"] for f in shipped.fields] == [
        "Management und Steuerung",
        "Interkulturelle Öffnung und Antirassismus",
        "Fairer Zugang und Teilhabechancen",
        "Arbeit und wirtschaftliche Entwicklung",
        "Engagement und Beteiligung",
        "Zusammenhalt und Begegnung",
        "Kommunikation und Konfliktmanagement",
    ]
    assert {q.type for q in shipped.questions.values()} == {"maturity", "yes_no", "choice", "number"}
    broken = tmp_path / "kaputt.yaml"
    broken.write_text("fields: [")
    with pytest.raises(QuestionnaireError, match=r"kaputt\.yaml"):
        load(broken)


def test_answers_are_checked_against_their_question() -> None:
    q = Q.questions
    assert q["q1"].check(5) is not None and q["q1"].check(True) is not None and q["q1"].check(4) is None
    assert q["q2"].check(None) is None and q["q1"].check(None) == "this question cannot be skipped"
    assert q["q3"].check("w") == "choose one of: x, y, z"
    assert q["q4"].check(11) == "answer with a number from 0 to 10" and q["q4"].check(2.5) is None


def test_every_kind_of_answer_is_checked_at_its_edges() -> None:
    q = Q.questions
    maturity = "answer with a maturity level from 0 (not planned) to 4 (established and evaluated)"
    assert [q["q1"].check(v) for v in (0, 4)] == [None, None]  # "not planned" is an answer too
    assert [q["q1"].check(v) for v in (-1, 5, 2.0, "2", True)] == [maturity] * 5
    assert [q["q2"].check(v) for v in (True, False)] == [None, None]
    assert [q["q2"].check(v) for v in (1, 0, "yes")] == ["answer true or false"] * 3
    assert [q["q3"].check(v) for v in ("x", "z")] == [None, None]
    assert [q["q3"].check(v) for v in (["x"], 0, "X")] == ["choose one of: x, y, z"] * 3
    number = "answer with a number from 0 to 10"
    assert [q["q4"].check(v) for v in (0, 10, 0.5, 9.99)] == [None] * 4
    assert [q["q4"].check(v) for v in (-0.01, 10.01, "5", True)] == [number] * 4


def test_a_question_keeps_its_help_and_its_own_range() -> None:
    definition = copy.deepcopy(SMALL)
    first = definition["fields"][0]["questions"][0]
    first["help"] = {"de": "Hilfe", "en": "Help"}
    definition["fields"][1]["questions"][1].update(min=2, max=8, full_score_at=4)
    read = Questionnaire.from_dict(definition, "ok.yaml")
    assert read.questions["q1"].help == {"de": "Hilfe", "en": "Help"}
    ranged = read.questions["q4"]
    assert (ranged.minimum, ranged.maximum, ranged.full_score_at) == (2.0, 8.0, 4.0)
    assert ranged.check(1) == "answer with a number from 2 to 8" and ranged.check(2) is None
    assert ranged.score(4) == 100.0 and ranged.score(2) == 50.0
    for edge in (8, 0.5):  # full marks may lie at the maximum, or just above 0
        definition["fields"][1]["questions"][1].update(full_score_at=edge)
        assert Questionnaire.from_dict(definition, "ok.yaml").questions["q4"].full_score_at == edge


def test_trend_and_size_classes() -> None:
    assert trend({"a": 80.0, "b": None}, {"a": 70.5, "b": 10.0}) == {"a": 9.5, "b": None}
    assert [size_class(p) for p in (800, 5000, 42000, 250000)] == [
        "under 5,000",
        "5,000-20,000",
        "20,000-100,000",
        "100,000 and more",
    ]


def test_peers_are_only_shown_from_five_on() -> None:
    four = [{"a": float(v)} for v in (10, 20, 30, 40)]
    assert peers(["a"], four).shown is False and peers(["a"], four).median == {}
    five = [*four, {"a": 90.0}]
    view = peers(["a"], five)
    assert MIN_PEERS == 5 and view.shown and view.median == {"a": 30.0}
    assert view.lower_quartile == {"a": 20.0} and view.upper_quartile == {"a": 40.0}


def test_weak_fields_become_advice_with_an_opted_in_strong_peer() -> None:
    result = score(Q, [{"q1": 0, "q2": False, "q3": "y", "q4": 1}])  # a = 0, b = (50 + 20) / 2 = 35
    advice = recommend(Q, result, {"b": [("05315000", 80.0), ("09162000", 92.0), ("03241001", 60.0)]})
    assert [(a.field, a.score, a.peer) for a in advice] == [("a", 0.0, None), ("b", 35.0, "09162000")]
    assert (
        advice[1].offers == ("consulting", "peer_exchange")
        and advice[1].dialogue_format == "citizen_dialogue"
    )
