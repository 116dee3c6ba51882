"""The lottery, stated as the rules a resident would expect, checked for any mix of entrants, quotas
and seats (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.dialogues.lottery import Entrant, draw

GROUPS = ("first_time", "district:Nord", "youth")
entrants = st.lists(
    st.builds(Entrant, st.uuids().map(str), st.frozensets(st.sampled_from(GROUPS), max_size=2)),
    max_size=40,
    unique_by=lambda e: e.registration_id,
)
quotas = st.dictionaries(st.sampled_from(GROUPS), st.integers(min_value=0, max_value=30), max_size=3)


@settings(max_examples=300, deadline=None)
@given(entrants, st.integers(min_value=1, max_value=25), quotas, st.integers(min_value=0, max_value=2**31))
def test_a_draw_never_gives_more_seats_than_there_are_and_loses_nobody(
    people: list[Entrant], capacity: int, quota: dict[str, int], seed: int
) -> None:
    result = draw(people, capacity, quota, seed)
    everyone = {e.registration_id for e in people}
    assert len(result.confirmed) == min(capacity, len(people))  # no seat left empty while people wait
    assert set(result.confirmed) | set(result.waitlist) == everyone
    assert not set(result.confirmed) & set(result.waitlist)
    assert len(result.confirmed) == len(set(result.confirmed))
    for group, seats in quota.items():
        members = sum(1 for e in people if group in e.groups)
        assert result.quota_filled[group] <= seats  # a quota never confirms more than it holds
        assert result.quota_filled[group] <= members
    assert sum(result.quota_filled.values()) <= capacity  # quotas together never exceed the seats


@settings(max_examples=100, deadline=None)
@given(entrants, st.integers(min_value=1, max_value=25), quotas, st.integers(min_value=0, max_value=2**31))
def test_the_same_seed_draws_the_same_whatever_order_people_came_in(
    people: list[Entrant], capacity: int, quota: dict[str, int], seed: int
) -> None:
    assert draw(people, capacity, quota, seed) == draw(list(reversed(people)), capacity, quota, seed)


def test_a_quota_larger_than_the_seats_left_fills_only_the_seats() -> None:
    people = [Entrant(f"r{n}", frozenset({"first_time"})) for n in range(10)]
    result = draw(people, 4, {"first_time": 8}, seed=7)
    assert len(result.confirmed) == 4 and result.quota_filled == {"first_time": 4}


def test_quotas_are_served_before_everyone_else_when_members_apply() -> None:
    members = [Entrant(f"m{n}", frozenset({"youth"})) for n in range(3)]
    others = [Entrant(f"o{n}", frozenset()) for n in range(30)]
    for seed in range(20):
        result = draw([*others, *members], 5, {"youth": 3}, seed)
        assert {"m0", "m1", "m2"} <= set(result.confirmed)
