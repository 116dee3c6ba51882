"""The rules kept as data are read exactly as written: a rule file is what decides who is helped first,
so reading it is tested value by value (inside the tests, not at import)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from workflows.dialogues.schedule import ImpossibleDate, check_dates
from workflows.incidents.routing import RoutingRules
from workflows.incidents.triage import Severity, TriageRules
from workflows.selfchecks.comparison import MIN_PEERS, peers

RULES = Path(__file__).resolve().parents[2] / "workflows" / "incidents" / "rules"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PAST = "starts_at lies in the past: a dialogue can only be planned for the future"
AHEAD = "starts_at lies more than three years ahead; please check the year"


def test_the_triage_file_is_read_value_by_value() -> None:
    rules = TriageRules.from_dict(yaml.safe_load((RULES / "triage.yaml").read_text()))
    assert rules.base == {
        "hate_speech_online": Severity.MEDIUM,
        "insult": Severity.LOW,
        "threat": Severity.HIGH,
        "stalking": Severity.HIGH,
        "doxxing": Severity.HIGH,
        "property_damage": Severity.MEDIUM,
        "physical_attack": Severity.HIGH,
        "family_targeted": Severity.HIGH,
        "other": Severity.LOW,
    }
    assert rules.raises == {
        "family_targeted": 1,
        "children_involved": 1,
        "threat_of_violence": 1,
        "repeated": 1,
    }
    assert rules.repeat_window_days == 30 and rules.immediate_danger is Severity.CRITICAL


def test_the_routing_file_is_read_in_order_with_its_deadlines() -> None:
    rules = RoutingRules.from_dict(yaml.safe_load((RULES / "routing.yaml").read_text()))
    assert [(r.name, r.expertise) for r in rules.rules] == [
        ("emergency-security", "security"),
        ("online-take-down", "takedown"),
        ("physical-security", "security"),
        ("psychosocial-first", "psychosocial"),
        ("default-legal", "legal"),
    ]
    assert rules.acknowledge_within == {
        Severity.CRITICAL: timedelta(minutes=15),
        Severity.HIGH: timedelta(minutes=120),
        Severity.MEDIUM: timedelta(minutes=1440),
        Severity.LOW: timedelta(minutes=4320),
    }
    assert rules.to_dict() == RoutingRules.from_dict(rules.to_dict()).to_dict()  # the snapshot reads back


@pytest.mark.parametrize(
    ("starts", "hours", "problem"),
    [
        (NOW, 2, PAST),
        (NOW - timedelta(days=1), 2, PAST),
        (
            NOW + timedelta(days=3 * 365, seconds=1),
            2,
            "starts_at lies more than three years ahead; please check the year",
        ),
        (NOW + timedelta(days=1), 7 * 24 + 1, "a dialogue lasts at most seven days"),
    ],
)
def test_a_dialogue_date_that_cannot_work_is_named(starts: datetime, hours: int, problem: str) -> None:
    with pytest.raises(ImpossibleDate) as caught:
        check_dates(NOW, starts, starts + timedelta(hours=hours))
    assert str(caught.value) == problem


@pytest.mark.parametrize(
    ("starts", "hours"),
    [
        (NOW + timedelta(seconds=1), 2),
        (NOW + timedelta(days=3 * 365), 2),  # exactly three years ahead
        (NOW + timedelta(days=1), 7 * 24),  # exactly a week long
    ],
)
def test_dates_at_the_edge_are_fine(starts: datetime, hours: int) -> None:
    check_dates(NOW, starts, starts + timedelta(hours=hours))


def test_peers_are_shown_from_five_and_only_for_fields_five_of_them_scored() -> None:
    assert MIN_PEERS == 5
    four = [{"a": 10.0, "b": 20.0}] * 4
    assert peers(["a", "b"], four).shown is False and peers(["a"], four).peers == 4
    five = [
        {"a": 10.0, "b": 20.0},
        {"a": 20.0, "b": None},
        {"a": 30.0, "b": 40.0},
        {"a": 40.0, "b": 60.0},
        {"a": 50.0, "b": 80.0},
    ]
    view = peers(["a", "b"], five)
    assert view.shown and view.peers == 5
    assert (view.median, view.lower_quartile, view.upper_quartile) == (
        {"a": 30.0},
        {"a": 20.0},
        {"a": 40.0},
    )  # b: only four peers scored it, so nobody can be recognised by it
    six = [*five, {"a": 60.0, "b": 100.0}]
    full = peers(["a", "b"], six)
    assert full.median == {"a": 35.0, "b": 60.0}
    assert (full.lower_quartile["a"], full.upper_quartile["a"]) == (22.5, 47.5)
