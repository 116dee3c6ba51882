"""The agenda of the moderated workshop that follows a scored round: the weakest goals (the weakest
fields, for a questionnaire without goals), the questions where perspectives diverge most, the
guests to invite per field, and a timetable a moderator can print."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.selfchecks.perspectives import Perspectives, QuestionGap
from workflows.selfchecks.questionnaire import Questionnaire
from workflows.selfchecks.scoring import Result
from workflows.selfchecks.suggestions import Suggestion, Suggestions

TOPICS = 3  # weakest goals worked on, one block each
DIVERGENT = 5  # questions put to the room
MINUTES = {"welcome": 15, "results": 20, "topic": 30, "break": 15, "divergent": 25, "next_steps": 20}
FORMAT = "future_workshop"  # the dialogue format the workshop is drafted as


@dataclass(frozen=True)
class Topic:
    kind: str  # "goal" or "field"
    id: str
    field: str
    score: float
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class Item:
    kind: str  # a key of MINUTES
    minutes: int
    topic: Topic | None = None


@dataclass(frozen=True)
class Agenda:
    items: tuple[Item, ...]
    topics: tuple[Topic, ...]
    divergent: tuple[QuestionGap, ...]
    guests: dict[str, dict[str, dict[str, str]]]  # field -> guest group -> who, per language

    @property
    def minutes(self) -> int:
        return sum(item.minutes for item in self.items)


def _topics(questionnaire: Questionnaire, result: Result, suggestions: Suggestions | None) -> list[Topic]:
    if result.goals:
        goals = sorted((g for g in result.goals if g.score is not None), key=lambda g: (g.score, g.goal))
        return [
            Topic("goal", g.goal, g.field, g.score or 0.0, suggestions.goals[g.goal] if suggestions else ())
            for g in goals[:TOPICS]
        ]
    fields = sorted((f for f in result.fields if f.score is not None), key=lambda f: (f.score, f.field))
    return [
        Topic(
            "field",
            f.field,
            f.field,
            f.score or 0.0,
            suggestions.fields[f.field].suggestions if suggestions else (),
        )
        for f in fields[:TOPICS]
    ]


def _divergent(result: Result, perspectives: Perspectives) -> tuple[QuestionGap, ...]:
    """Where perspectives diverge most; in a round without stated perspectives, where respondents do."""
    if perspectives.questions:
        return perspectives.questions[:DIVERGENT]
    return tuple(QuestionGap(d.question, d.spread, ()) for d in result.divergent[:DIVERGENT])


def agenda(
    questionnaire: Questionnaire,
    result: Result,
    perspectives: Perspectives,
    suggestions: Suggestions | None,
) -> Agenda:
    topics = _topics(questionnaire, result, suggestions)
    divergent = _divergent(result, perspectives)
    items = [Item("welcome", MINUTES["welcome"]), Item("results", MINUTES["results"])]
    for n, topic in enumerate(topics):
        if n == 1:
            items.append(Item("break", MINUTES["break"]))
        items.append(Item("topic", MINUTES["topic"], topic))
    if divergent:
        items.append(Item("divergent", MINUTES["divergent"]))
    items.append(Item("next_steps", MINUTES["next_steps"]))
    on_agenda = {t.field for t in topics} | {questionnaire.questions[d.question].field for d in divergent}
    guests = {
        f.id: suggestions.fields[f.id].guests
        for f in questionnaire.fields
        if suggestions is not None and f.id in on_agenda
    }
    return Agenda(tuple(items), tuple(topics), divergent, guests)
