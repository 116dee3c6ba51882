"""The on-call rota as intervals: who is on call at a moment, and the stretches nobody covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workflows.incidents.rota import Turn, gaps, on_call_at

T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_who_is_on_call_includes_the_start_and_excludes_the_end() -> None:
    turns = [Turn("day", h(0), h(12)), Turn("night", h(12), h(24))]
    assert on_call_at(turns, h(0)) == ["day"]
    assert on_call_at(turns, h(11.99)) == ["day"]
    assert on_call_at(turns, h(12)) == ["night"]
    assert on_call_at(turns, h(24)) == []
    assert on_call_at(turns, h(-0.01)) == []


def test_an_overlapping_hand_over_names_both_earliest_first() -> None:
    turns = [Turn("late", h(11), h(20)), Turn("early", h(0), h(12))]
    assert on_call_at(turns, h(11.5)) == ["early", "late"]


def test_gaps_between_turns_at_the_edges_and_none_where_turns_overlap() -> None:
    turns = [Turn("a", h(2), h(6)), Turn("b", h(5), h(8)), Turn("c", h(10), h(12))]
    assert gaps(turns, h(0), h(14)) == [(h(0), h(2)), (h(8), h(10)), (h(12), h(14))]
    assert gaps(turns, h(3), h(7)) == []
    assert gaps([], h(0), h(1)) == [(h(0), h(1))]


def test_a_turn_inside_another_does_not_shorten_the_cover() -> None:
    turns = [Turn("long", h(0), h(10)), Turn("short", h(2), h(3))]
    assert gaps(turns, h(0), h(11)) == [(h(10), h(11))]
