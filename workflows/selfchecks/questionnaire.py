"""A questionnaire definition, validated as it is read: a broken file is refused by name.

A field of action holds its questions directly (version 2026.1), or goals, each with criteria, each
with indicator questions (from 2026.2 on): field -> goal -> criterion -> indicator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LANGUAGES = ("de", "en")
TYPES = ("maturity", "yes_no", "choice", "number")


class QuestionnaireError(ValueError):
    pass


@dataclass(frozen=True)
class Question:
    id: str
    field: str
    type: str
    weight: float
    text: dict[str, str]
    help: dict[str, str]
    skippable: bool = False
    options: dict[str, float] | None = None  # choice: value -> points (0-100)
    option_texts: dict[str, dict[str, str]] | None = None  # choice: value -> what a person reads
    minimum: float = 0
    maximum: float = 0
    full_score_at: float = 0  # number: the value that scores 100
    goal: str | None = None  # the goal and criterion the question is an indicator of, if structured
    criterion: str | None = None

    def score(self, answer: object) -> float:
        """0-100 for one answer (already validated)."""
        if self.type == "maturity":
            return float(answer) / 4 * 100  # type: ignore[arg-type]
        if self.type == "yes_no":
            return 100.0 if answer else 0.0
        if self.type == "choice":
            assert self.options is not None
            return self.options[str(answer)]
        return min(100.0, float(answer) / self.full_score_at * 100)  # type: ignore[arg-type]

    def check(self, answer: object) -> str | None:
        """Why an answer is not acceptable, or None."""
        if answer is None:
            return None if self.skippable else "this question cannot be skipped"
        if self.type == "maturity" and (type(answer) is not int or not 0 <= answer <= 4):
            return "answer with a maturity level from 0 (not planned) to 4 (established and evaluated)"
        if self.type == "yes_no" and type(answer) is not bool:
            return "answer true or false"
        if self.type == "choice" and (not isinstance(answer, str) or answer not in (self.options or {})):
            return f"choose one of: {', '.join(self.options or {})}"
        in_range = type(answer) in (int, float) and self.minimum <= float(answer) <= self.maximum  # type: ignore[arg-type]
        if self.type == "number" and not in_range:
            return f"answer with a number from {self.minimum:g} to {self.maximum:g}"
        return None


@dataclass(frozen=True)
class Criterion:
    id: str
    title: dict[str, str]
    weight: float
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Goal:
    id: str
    field: str
    title: dict[str, str]
    weight: float
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Field:
    id: str
    title: dict[str, str]
    questions: tuple[Question, ...]  # every question of the field, in order (the indicators, if structured)
    goals: tuple[Goal, ...] = ()  # empty: the questions roll up to the field directly


@dataclass(frozen=True)
class Level:
    minimum: float
    name: dict[str, str]


@dataclass(frozen=True)
class Recommendation:
    offers: tuple[str, ...]
    dialogue_format: str


@dataclass(frozen=True)
class Questionnaire:
    version: str
    title: dict[str, str]
    fields: tuple[Field, ...]
    levels: tuple[Level, ...]
    recommendations: dict[str, Recommendation]
    maturity_scale: tuple[tuple[int, dict[str, str]], ...] = ()  # 0-4 and what each step means
    perspectives: tuple[tuple[str, dict[str, str]], ...] = ()  # the parts of the administration, "other" last

    @property
    def fields_by_id(self) -> dict[str, Field]:
        return {f.id: f for f in self.fields}

    @property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for f in self.fields for q in f.questions}

    @property
    def goals(self) -> dict[str, Goal]:
        return {g.id: g for f in self.fields for g in f.goals}

    @property
    def perspective_ids(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.perspectives)

    def level(self, score: float) -> Level:
        return [lvl for lvl in self.levels if score >= lvl.minimum][-1]

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> Questionnaire:
        reader = _Reader(source)
        try:
            fields = tuple(reader.field(f) for f in data["fields"])
            levels = tuple(
                Level(float(lvl["min"]), reader.texts(lvl, f"level {lvl['min']}"))
                for lvl in sorted(data["levels"], key=lambda x: x["min"])
            )
            if not levels or levels[0].minimum != 0:
                raise reader.fail("levels must start at 0")
            recommendations = {
                field_id: Recommendation(tuple(r["offers"]), r["dialogue_format"])
                for field_id, r in data["recommendations"].items()
            }
            missing = {f.id for f in fields} - recommendations.keys()
            if missing:
                raise reader.fail(f"no recommendations for field(s) {sorted(missing)}")
            title = reader.texts(data["title"], "title")
            scale = tuple(
                (int(step["value"]), reader.texts(step, f"maturity step {step['value']}"))
                for step in data.get("maturity_scale", ())
            )
            if scale and [value for value, _ in scale] != [0, 1, 2, 3, 4]:
                raise reader.fail("maturity_scale must name the steps 0 to 4 in order")
            return cls(
                str(data["version"]), title, fields, levels, recommendations, scale, reader.perspectives(data)
            )
        except (KeyError, TypeError) as exc:
            raise reader.fail(f"missing or malformed entry: {exc}") from None


class _Reader:
    """Reads the parts of one questionnaire file, naming the file and the place of each problem."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.seen: set[str] = set()

    def fail(self, problem: str) -> QuestionnaireError:
        return QuestionnaireError(f"{self.source}: {problem}")

    def texts(self, value: Any, where: str, allow_empty: bool = False) -> dict[str, str]:
        if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) for lang in LANGUAGES):
            raise self.fail(f"{where} needs a text in {' and '.join(LANGUAGES)}")
        if not allow_empty and any(not value[lang].strip() for lang in LANGUAGES):
            raise self.fail(f"{where} has an empty text")
        return {lang: value[lang] for lang in LANGUAGES}

    def unique(self, identifier: str) -> str:
        if identifier in self.seen:
            raise self.fail(f"duplicate id {identifier!r}")
        self.seen.add(identifier)
        return identifier

    def perspectives(self, data: dict[str, Any]) -> tuple[tuple[str, dict[str, str]], ...]:
        listed = tuple(
            (self.unique(str(p["id"])), self.texts(p, f"perspective {p['id']!r}"))
            for p in data.get("perspectives", ())
        )
        if listed and listed[-1][0] != "other":
            raise self.fail("the list of perspectives must end with 'other'")
        return listed

    def field(self, f: dict[str, Any]) -> Field:
        field_id = self.unique(f["id"])
        title = self.texts(f["title"], f"field {field_id!r}")
        if ("goals" in f) == ("questions" in f):
            raise self.fail(f"field {field_id!r} needs either goals or questions")
        if "questions" in f:
            questions = tuple(self.question(q, field_id) for q in f["questions"])
            if not questions:
                raise self.fail(f"field {field_id!r} has no questions")
            return Field(field_id, title, questions)
        goals = tuple(self.goal(g, field_id) for g in f["goals"])
        if not goals:
            raise self.fail(f"field {field_id!r} has no goals")
        questions = tuple(q for g in goals for c in g.criteria for q in c.questions)
        return Field(field_id, title, questions, goals)

    def goal(self, g: dict[str, Any], field_id: str) -> Goal:
        goal_id = self.unique(g["id"])
        criteria = tuple(self.criterion(c, field_id, goal_id) for c in g["criteria"])
        if not criteria:
            raise self.fail(f"goal {goal_id!r} has no criteria")
        title = self.texts(g["title"], f"goal {goal_id!r}")
        return Goal(goal_id, field_id, title, self.weight(g, f"goal {goal_id!r}"), criteria)

    def criterion(self, c: dict[str, Any], field_id: str, goal_id: str) -> Criterion:
        criterion_id = self.unique(c["id"])
        questions = tuple(self.question(q, field_id, goal_id, criterion_id) for q in c["indicators"])
        if not questions:
            raise self.fail(f"criterion {criterion_id!r} has no indicators")
        title = self.texts(c["title"], f"criterion {criterion_id!r}")
        return Criterion(criterion_id, title, self.weight(c, f"criterion {criterion_id!r}"), questions)

    def weight(self, part: dict[str, Any], where: str) -> float:
        weight = part.get("weight", 1)
        if not (isinstance(weight, int | float) and weight > 0):
            raise self.fail(f"{where} needs a positive weight")
        return float(weight)

    def question(
        self, q: dict[str, Any], field_id: str, goal_id: str | None = None, criterion_id: str | None = None
    ) -> Question:
        where = f"question {q.get('id')!r}"
        self.unique(q["id"])
        if q["type"] not in TYPES:
            raise self.fail(f"{where} has an unknown type {q['type']!r}")
        if not (isinstance(q["weight"], int | float) and q["weight"] > 0):
            raise self.fail(f"{where} needs a positive weight")
        options = option_texts = None
        if q["type"] == "choice":
            options = {str(o["value"]): float(o["points"]) for o in q["options"]}
            option_texts = {
                str(o["value"]): self.texts(o, f"{where} option {o['value']!r}") for o in q["options"]
            }
            for o in q["options"]:
                if not 0 <= float(o["points"]) <= 100:
                    raise self.fail(f"{where} option points must be 0-100")
        if q["type"] == "number" and not 0 < float(q["full_score_at"]) <= float(q["max"]):
            raise self.fail(f"{where} needs full_score_at between 0 and max")
        return Question(
            id=q["id"],
            field=field_id,
            type=q["type"],
            weight=float(q["weight"]),
            text=self.texts(q["text"], where),
            help=self.texts(q.get("help") or {"de": "", "en": ""}, f"{where} help", True),
            skippable=bool(q.get("skippable", False)),
            options=options,
            option_texts=option_texts,
            minimum=float(q.get("min", 0)),
            maximum=float(q.get("max", 0)),
            full_score_at=float(q.get("full_score_at", 0)),
            goal=goal_id,
            criterion=criterion_id,
        )
