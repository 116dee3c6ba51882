"""Seats, lottery, schedule and logistics: pure functions with hand-computed expectations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workflows.dialogues.logistics import Needs, brief, childcare_staff
from workflows.dialogues.lottery import Entrant, draw
from workflows.dialogues.schedule import jobs_for
from workflows.dialogues.seating import RegistrationStatus, crossed_thresholds, decide_seat

STARTS = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)


def test_seats_then_waitlist_then_rejection() -> None:
    assert decide_seat(3, 2, True, 0).status is RegistrationStatus.CONFIRMED
    waiting = decide_seat(3, 3, True, 4)
    assert waiting.status is RegistrationStatus.WAITLISTED and waiting.waitlist_position == 5
    assert decide_seat(3, 3, False, 0).status is RegistrationStatus.REJECTED


@pytest.mark.parametrize(
    ("capacity", "before", "after", "crossed"),
    [
        (10, 7, 8, [80]),
        (10, 8, 9, []),
        (10, 9, 10, [100]),
        (3, 2, 3, [100]),  # full: the 80 % alert would say '3 of 3'
        (10, 7, 10, [100]),
        (500, 399, 400, [80]),
        (5, 0, 1, []),
    ],
)
def test_capacity_alert_thresholds(capacity: int, before: int, after: int, crossed: list[int]) -> None:
    assert crossed_thresholds(capacity, before, after) == crossed


def entrants(count: int, group_from: int = 99) -> list[Entrant]:
    return [
        Entrant(f"r{n:02d}", frozenset({"first_time"}) if n >= group_from else frozenset())
        for n in range(count)
    ]


def test_lottery_is_repeatable_with_the_recorded_seed_whatever_the_input_order() -> None:
    people = entrants(30)
    first = draw(people, 10, {}, seed=424242)
    again = draw(list(reversed(people)), 10, {}, seed=424242)
    assert first == again
    assert len(first.confirmed) == 10 and len(first.waitlist) == 20
    assert set(first.confirmed).isdisjoint(first.waitlist)
    assert draw(people, 10, {}, seed=1).confirmed != first.confirmed


def test_lottery_honours_quotas_first() -> None:
    people = entrants(30, group_from=27)  # only three first-timers among thirty
    for seed in range(50):
        result = draw(people, 5, {"first_time": 2}, seed)
        chosen = set(result.confirmed)
        assert len(chosen & {"r27", "r28", "r29"}) >= 2
        assert result.quota_filled == {"first_time": 2}


def test_lottery_with_fewer_entrants_than_seats_confirms_everyone() -> None:
    result = draw(entrants(3), 10, {"first_time": 5}, seed=7)
    assert sorted(result.confirmed) == ["r00", "r01", "r02"] and result.waitlist == ()


def test_schedule_of_jobs() -> None:
    jobs = jobs_for(
        STARTS, STARTS + timedelta(hours=2), STARTS - timedelta(days=1), (48, 2), (7, 2), 30, True, True
    )
    assert [(j.kind, j.due_at) for j in jobs] == [
        ("brief:7", STARTS - timedelta(days=7)),
        ("reminder:48", STARTS - timedelta(hours=48)),
        ("brief:2", STARTS - timedelta(days=2)),
        ("lottery", STARTS - timedelta(days=1)),
        ("reminder:2", STARTS - timedelta(hours=2)),
        ("survey", STARTS + timedelta(hours=4)),
        ("retention", STARTS + timedelta(hours=2, days=30)),
    ]


@pytest.mark.parametrize(
    ("ages", "staff"),
    [([], 0), ([5], 1), ([5, 6, 7, 8], 1), ([5, 6, 7, 8, 9], 2), ([1], 1), ([0, 1, 2, 4], 3)],
)
def test_childcare_staff(ages: list[int], staff: int) -> None:
    assert childcare_staff(ages) == staff


def test_brief_aggregates_needs_and_plans_tasks_with_deadlines() -> None:
    people = [
        Needs(interpreter_languages=("ar",), step_free=True),
        Needs(interpreter_languages=("ar", "tr")),
        Needs(interpreter_languages=("ar",), sign_language=True, children_ages=(2, 7)),
        Needs(simple_language=True, dietary="Vegan"),
        Needs(dietary="vegan "),
    ]
    result = brief(people, waitlisted=4, capacity=40, starts_at=STARTS, step_free_venue=False)
    assert (result.headcount, result.waitlisted, result.step_free, result.sign_language) == (5, 4, 1, 1)
    assert result.interpreter_languages == {"ar": 3, "tr": 1} and result.dietary == {"vegan": 2}
    assert result.children == 2 and result.childcare_staff == 2
    tasks = {t.key: t.deadline for t in result.tasks}
    assert tasks == {
        "dgs": STARTS - timedelta(days=14),
        "interpreter:ar": STARTS - timedelta(days=10),  # three need it; Turkish (one) does not get one
        "childcare": STARTS - timedelta(days=7),
        "step_free": STARTS - timedelta(days=7),
        "simple_language": STARTS - timedelta(days=5),
        "catering": STARTS - timedelta(days=3),
    }
    assert [t.deadline for t in result.tasks] == sorted(t.deadline for t in result.tasks)
    step_free = next(t for t in result.tasks if t.key == "step_free")
    assert "not step-free" in step_free.title_en


def test_an_empty_dialogue_needs_nothing() -> None:
    result = brief([], 0, 20, STARTS, True)
    assert result.tasks == () and result.headcount == 0


def test_a_task_whose_deadline_has_passed_when_the_brief_is_made_is_overdue_and_comes_first() -> None:
    from datetime import UTC, datetime, timedelta

    from workflows.dialogues.logistics import Needs, brief

    starts = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    made = starts - timedelta(days=7)  # the 7-day brief: the DGS interpreter was due 14 days before
    summary = brief([Needs(sign_language=True, dietary="vegan")], 0, 10, starts, True, now=made)
    assert [(t.key, t.overdue) for t in summary.tasks] == [("dgs", True), ("catering", False)]
    early = brief([Needs(sign_language=True)], 0, 10, starts, True, now=starts - timedelta(days=20))
    assert [t.overdue for t in early.tasks] == [False]


def test_the_brief_names_every_task_with_its_deadline_in_both_languages() -> None:
    from datetime import UTC, datetime, timedelta

    from workflows.dialogues.logistics import Needs, Task, brief

    starts = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    confirmed = [
        Needs(step_free=True, sign_language=True, interpreter_languages=("ar", "tr"), children_ages=(1, 4)),
        Needs(simple_language=True, interpreter_languages=("ar",), dietary=" Vegan "),
        Needs(interpreter_languages=("ar", "tr"), dietary="vegan", children_ages=(2,)),
    ]

    def by(days: int) -> datetime:
        return starts - timedelta(days=days)

    summary = brief(confirmed, 4, 50, starts, step_free_venue=False)
    assert (summary.headcount, summary.waitlisted, summary.capacity) == (3, 4, 50)
    assert (summary.step_free, summary.sign_language, summary.simple_language) == (1, 1, 1)
    assert summary.interpreter_languages == {"ar": 3, "tr": 2}
    assert (summary.children, summary.childcare_staff) == (3, 2)
    assert summary.dietary == {"vegan": 2}
    assert list(summary.tasks) == [
        Task("dgs", "DGS-Dolmetschung buchen", "Book a German Sign Language interpreter", by(14)),
        Task(
            "interpreter:ar",
            "Dolmetschung ar buchen (3 Personen)",
            "Book an interpreter for ar (3 people)",
            by(10),
        ),
        Task(
            "childcare",
            "Kinderbetreuung: 2 Betreuungskräfte für 3 Kinder",
            "Childcare: 2 carers for 3 children",
            by(7),
        ),
        Task(
            "step_free",
            "Stufenlosen Zugang herstellen (Ort ist nicht stufenlos)",
            "Arrange step-free access (the venue is not step-free)",
            by(7),
        ),
        Task(
            "simple_language",
            "Unterlagen in Leichter Sprache vorbereiten",
            "Prepare material in easy-to-read language",
            by(5),
        ),
        Task(
            "catering",
            "Verpflegung nach Ernährungswünschen bestellen",
            "Order catering for dietary needs",
            by(3),
        ),
    ]
    at_a_step_free_venue = brief(confirmed, 0, 50, starts, step_free_venue=True)
    [check] = [t for t in at_a_step_free_venue.tasks if t.key == "step_free"]
    assert (check.title_de, check.title_en) == ("Stufenlosen Zugang prüfen", "Check step-free access")
    assert brief([], 0, 10, starts, True).tasks == ()  # nothing needed: nothing to book
