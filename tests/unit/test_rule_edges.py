"""Every threshold tested at its edge, with data that exposes the rule: what a person would state
("a coordinator at capacity takes no more cases", "a 3-year-old is no longer a toddler")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.test_incident_workflows import (
    CRITICAL_THREAT,
    NOW,
    ROUTING,
    coordinator,
    incident,
)
from tests.unit.test_selfcheck_workflows import Q
from workflows.dialogues.logistics import CHILDREN_PER_CARER, TODDLERS_PER_CARER, childcare_staff
from workflows.incidents.campaign import CampaignRules, detect
from workflows.incidents.escalation import acknowledge_by, escalate, next_checkin
from workflows.incidents.routing import CaseFacts, RoutingRules, route
from workflows.incidents.triage import Severity
from workflows.selfchecks.recommendations import STRONG_FROM, WEAK_BELOW, recommend
from workflows.selfchecks.scoring import FieldScore, Result, score


def test_a_coordinator_exactly_at_capacity_takes_no_more_cases() -> None:
    full = coordinator("full", open_cases=5, capacity=5)
    almost = coordinator("almost", open_cases=4, capacity=5)
    assert route(CRITICAL_THREAT, [full], ROUTING).queued
    assert route(CRITICAL_THREAT, [full, almost], ROUTING).chain[0] == "almost"


def test_the_least_loaded_relative_to_capacity_comes_first() -> None:
    big = coordinator("big", open_cases=4, capacity=10)  # 40 %
    small = coordinator("small", open_cases=1, capacity=2)  # 50 %
    tie_more_room = coordinator("roomy", open_cases=2, capacity=5)  # 40 %, fewer open cases
    assert route(CRITICAL_THREAT, [small, big], ROUTING).chain == ("big", "small")
    assert route(CRITICAL_THREAT, [big, tie_more_room], ROUTING).chain[0] == "roomy"


def test_no_rule_matched_goes_to_the_queue_and_says_so() -> None:
    only_emergencies = RoutingRules.from_dict(
        {
            "rules": [{"name": "emergency", "when": {"severity": ["critical"]}, "expertise": "security"}],
            "acknowledge_within_minutes": {"critical": 15, "high": 120, "medium": 1440, "low": 4320},
        }
    )
    low = CaseFacts("03241001", "insult", Severity.LOW, "de")
    decision = route(low, [coordinator("anyone")], only_emergencies)
    assert decision.queued and decision.chain == () and decision.reasons == ("no routing rule matched",)
    assert decision.rule == "none" and decision.expertise == ""
    assert not route(CRITICAL_THREAT, [coordinator("anyone")], only_emergencies).queued


def test_an_incident_exactly_a_day_old_still_counts_and_a_second_more_does_not() -> None:
    rules = CampaignRules()
    new = incident("c3", "anna", hours_ago=0)
    edge = [incident("c1", "ben", hours_ago=24), incident("c2", "cem", hours_ago=1)]
    found = detect(new, edge, rules)
    assert found is not None and "c1" in found.case_ids
    past = [incident("c1", "ben", hours_ago=24 + 1 / 3600), incident("c2", "cem", hours_ago=1)]
    assert detect(new, past, rules) is None


def test_campaign_marks_must_overlap() -> None:
    new = incident("c2", "anna", district="01001", marks="m1 m2")
    assert detect(new, [incident("c1", "ben", district="09162", marks="m3")], CampaignRules()) is None
    found = detect(new, [incident("c1", "ben", district="09162", marks="m2 m9")], CampaignRules())
    assert found is not None and found.basis == "shared_marks" and found.case_ids == ("c1", "c2")


@pytest.mark.parametrize(
    ("ages", "staff"),
    [([2], 1), ([3], 1), ([2, 2], 1), ([2, 2, 2], 2), ([3, 3, 3, 3], 1), ([3] * 5, 2), ([2, 3], 2), ([], 0)],
)
def test_childcare_ratio_at_its_edges(ages: list[int], staff: int) -> None:
    assert (TODDLERS_PER_CARER, CHILDREN_PER_CARER) == (2, 4)  # under three: two per carer, else four
    assert childcare_staff(ages) == staff


def result_with(*scores: float | None) -> Result:
    fields = tuple(FieldScore(name, value, 1.0) for name, value in zip(("a", "b"), scores, strict=False))
    return Result(fields, None, None, (), 1)


def test_a_field_exactly_at_50_is_not_weak_and_a_peer_exactly_at_75_is_strong() -> None:
    assert (WEAK_BELOW, STRONG_FROM) == (50.0, 75.0)
    assert [a.field for a in recommend(Q, result_with(50.0, 49.9), {})] == ["b"]  # 50 is not weak
    [advice] = recommend(Q, result_with(50.0, 49.9), {"b": [("07000000", 75.0), ("08000000", 74.9)]})
    assert advice.field == "b" and advice.peer == "07000000"
    [no_peer] = recommend(Q, result_with(60.0, 10.0), {"b": [("08000000", 74.9)]})
    assert no_peer.peer is None


def test_a_skipped_field_is_neither_weak_nor_a_crash() -> None:
    assert recommend(Q, result_with(None, 90.0), {}) == []
    skipped = score(Q, [{"q1": None, "q2": None, "q3": "z", "q4": 5}])
    assert skipped.fields[0].score is None or skipped.fields[0].coverage < 1


def test_a_score_exactly_on_a_levels_floor_reaches_that_level() -> None:
    assert Q.level(75.0).name["de"] == "Vorreiter"
    assert Q.level(74.99).name["de"] == "Einstieg"
    assert Q.level(0.0).name["de"] == "Einstieg"


def test_respondents_who_agree_are_not_divergent() -> None:
    same = {"q1": 3, "q2": True, "q3": "y", "q4": 5}
    assert score(Q, [same, dict(same)]).divergent == ()


def test_deadlines_are_the_window_after_the_moment() -> None:
    assert acknowledge_by(NOW, timedelta(minutes=15)) == NOW + timedelta(minutes=15)
    assert next_checkin(NOW, timedelta(hours=6)) == NOW + timedelta(hours=6)


def test_escalation_walks_the_chain_round_after_round_and_says_when_nobody_is_left() -> None:
    window = timedelta(minutes=15)
    steps = [escalate(("p", "b", "lead"), level, NOW, window, "late") for level in range(0, 4)]
    assert [s.assignee for s in steps] == ["b", "lead", "p", "b"]
    assert [s.level for s in steps] == [1, 2, 3, 4]
    assert all(s.next_at == NOW + window for s in steps)
    assert "(round 2)" in steps[2].reason and "(round" not in steps[0].reason
    nobody = escalate((), 0, NOW, window, "late")
    assert nobody.assignee is None and nobody.level == 1 and "nobody to escalate to" in nobody.reason


def test_peer_figures_are_rounded_to_one_decimal_and_absent_when_hidden() -> None:
    from workflows.selfchecks.comparison import PeerView, peers

    assert peers(["a"], [{"a": 1.0}] * 4) == PeerView(4, False, {}, {}, {})
    view = peers(["a"], [{"a": v} for v in (10.0, 20.0, 25.0, 33.33, 40.0, 41.0)])
    assert view.median == {"a": 29.2}  # (25 + 33.33) / 2 = 29.165
    assert view.lower_quartile == {"a": 21.2} and view.upper_quartile == {"a": 38.3}  # 21.25, 38.3325


def test_scores_are_rounded_to_one_decimal_and_a_round_with_nothing_scored_has_no_level() -> None:
    skipped_all = score(Q, [{"q1": None, "q2": None, "q3": None, "q4": None}])
    assert skipped_all.overall is None and skipped_all.level is None
    thirds = score(Q, [{"q1": 1, "q2": True, "q3": "x", "q4": 0}, {"q1": 2, "q2": True, "q3": "z", "q4": 0}])
    assert thirds.overall is not None and thirds.overall == round(thirds.overall, 1)
    assert [(d.question, d.spread) for d in thirds.divergent] == [("q3", 100.0)]
    one = score(Q, [{"q1": 0, "q2": True, "q3": "z", "q4": 5}])
    assert one.divergent == ()  # one respondent cannot disagree with themselves


def test_triage_of_an_unknown_kind_starts_at_medium_and_names_immediate_danger() -> None:
    from tests.unit.test_incident_workflows import TRIAGE
    from workflows.incidents.triage import IncidentFacts, triage

    def facts(kind: str, danger: bool) -> IncidentFacts:
        return IncidentFacts(kind, danger, False, False, False, 0)

    unknown = triage(facts("something-new", False), TRIAGE)
    assert unknown.severity is Severity.MEDIUM and unknown.reasons == ("kind something-new: medium",)
    raised = triage(facts("insult", True), TRIAGE)
    assert raised.severity is Severity.CRITICAL and raised.reasons[-1] == "immediate danger -> critical"
    already = triage(IncidentFacts("threat", True, True, True, True, 0), TRIAGE)  # high +3 -> critical
    assert already.severity is Severity.CRITICAL and already.reasons[-1] == "immediate danger"


def test_routing_reasons_say_what_decided() -> None:
    everyone_speaks = [coordinator("a"), coordinator("b")]
    decision = route(CRITICAL_THREAT, everyone_speaks, ROUTING)
    assert not any("preferred" in r for r in decision.reasons)  # nobody was left out for the language
    queued = route(CRITICAL_THREAT, [coordinator("off", on_duty=False)], ROUTING)
    assert queued.reasons[-1] == "nobody on duty with capacity: programme queue"
    no_capacity_set = coordinator("zero", open_cases=0, capacity=0)
    assert route(CRITICAL_THREAT, [no_capacity_set], ROUTING).queued  # capacity 0 takes nothing
    roomy, tight = (
        coordinator("roomy", open_cases=0, capacity=9),
        coordinator("tight", open_cases=0, capacity=1),
    )
    assert route(CRITICAL_THREAT, [tight, roomy], ROUTING).chain[:2] == ("roomy", "tight")  # more room first
