"""The organiser's logistics brief: headcount, aggregated needs, procurement tasks with deadlines."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Needs:
    step_free: bool = False
    sign_language: bool = False  # German Sign Language (DGS)
    simple_language: bool = False  # Leichte Sprache
    interpreter_languages: tuple[str, ...] = ()
    children_ages: tuple[int, ...] = ()
    dietary: str = ""


@dataclass(frozen=True)
class Task:
    key: str  # stable id, e.g. "interpreter:ar"
    title_de: str
    title_en: str
    deadline: datetime
    overdue: bool = False  # the deadline had passed when the brief was made: act now


@dataclass(frozen=True)
class Brief:
    headcount: int
    waitlisted: int
    capacity: int
    step_free: int
    sign_language: int
    simple_language: int
    interpreter_languages: dict[str, int]
    children: int
    childcare_staff: int
    dietary: dict[str, int]
    tasks: tuple[Task, ...] = field(default=())


INTERPRETER_THRESHOLD = 3  # book an interpreter for a language when this many need it
CHILDREN_PER_CARER = 4
TODDLERS_PER_CARER = 2  # under three years


def childcare_staff(ages: list[int]) -> int:
    toddlers = sum(1 for age in ages if age < 3)
    older = len(ages) - toddlers
    return math.ceil(toddlers / TODDLERS_PER_CARER) + math.ceil(older / CHILDREN_PER_CARER)


def brief(
    confirmed: list[Needs],
    waitlisted: int,
    capacity: int,
    starts_at: datetime,
    step_free_venue: bool,
    now: datetime | None = None,
) -> Brief:
    languages = Counter(lang for needs in confirmed for lang in needs.interpreter_languages)
    ages = [age for needs in confirmed for age in needs.children_ages]
    dietary = Counter(needs.dietary.strip().lower() for needs in confirmed if needs.dietary.strip())
    summary = Brief(
        headcount=len(confirmed),
        waitlisted=waitlisted,
        capacity=capacity,
        step_free=sum(n.step_free for n in confirmed),
        sign_language=sum(n.sign_language for n in confirmed),
        simple_language=sum(n.simple_language for n in confirmed),
        interpreter_languages=dict(sorted(languages.items())),
        children=len(ages),
        childcare_staff=childcare_staff(ages),
        dietary=dict(sorted(dietary.items())),
    )
    tasks = [
        replace(t, overdue=now is not None and t.deadline <= now)
        for t in procurement(summary, starts_at, step_free_venue)
    ]
    tasks.sort(key=lambda t: (not t.overdue, t.deadline))  # what is overdue first
    return Brief(**{**summary.__dict__, "tasks": tuple(tasks)})


def procurement(summary: Brief, starts_at: datetime, step_free_venue: bool) -> list[Task]:
    """What must be booked or prepared for these needs, each by a number of days before the start."""

    def by(days: int) -> datetime:
        return starts_at - timedelta(days=days)

    tasks: list[Task] = []
    if summary.sign_language:
        tasks.append(
            Task("dgs", "DGS-Dolmetschung buchen", "Book a German Sign Language interpreter", by(14))
        )
    for language, count in summary.interpreter_languages.items():
        if count >= INTERPRETER_THRESHOLD:
            tasks.append(
                Task(
                    f"interpreter:{language}",
                    f"Dolmetschung {language} buchen ({count} Personen)",
                    f"Book an interpreter for {language} ({count} people)",
                    by(10),
                )
            )
    if summary.childcare_staff:
        staff, children = summary.childcare_staff, summary.children
        tasks.append(
            Task(
                "childcare",
                f"Kinderbetreuung: {staff} Betreuungskräfte für {children} Kinder",
                f"Childcare: {staff} carers for {children} children",
                by(7),
            )
        )
    if summary.step_free and step_free_venue:
        tasks.append(Task("step_free", "Stufenlosen Zugang prüfen", "Check step-free access", by(7)))
    elif summary.step_free:
        tasks.append(
            Task(
                "step_free",
                "Stufenlosen Zugang herstellen (Ort ist nicht stufenlos)",
                "Arrange step-free access (the venue is not step-free)",
                by(7),
            )
        )
    if summary.simple_language:
        tasks.append(
            Task(
                "simple_language",
                "Unterlagen in Leichter Sprache vorbereiten",
                "Prepare material in easy-to-read language",
                by(5),
            )
        )
    if summary.dietary:
        tasks.append(
            Task(
                "catering",
                "Verpflegung nach Ernährungswünschen bestellen",
                "Order catering for dietary needs",
                by(3),
            )
        )
    return tasks
