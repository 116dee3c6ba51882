"""Triage, routing, escalation, offers and campaign detection: pure functions, plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from workflows.incidents.campaign import CampaignRules, RecentIncident, detect
from workflows.incidents.escalation import escalate
from workflows.incidents.offers import OfferRules, choose_offers
from workflows.incidents.routing import CaseFacts, Coordinator, RoutingRules, route
from workflows.incidents.triage import IncidentFacts, Severity, TriageRules, triage

RULES = Path(__file__).resolve().parents[2] / "workflows" / "incidents" / "rules"
TRIAGE = TriageRules.from_dict(yaml.safe_load((RULES / "triage.yaml").read_text()))
ROUTING = RoutingRules.from_dict(yaml.safe_load((RULES / "routing.yaml").read_text()))
OFFERS = OfferRules.from_dict(yaml.safe_load((RULES / "offers.yaml").read_text()))
NOW = datetime(2026, 11, 26, 22, 0, tzinfo=UTC)


def facts(kind: str = "insult", **changes: object) -> IncidentFacts:
    values: dict[str, object] = {
        "kind": kind,
        "immediate_danger": False,
        "family_targeted": False,
        "children_involved": False,
        "threat_of_violence": False,
        "earlier_reports_in_window": 0,
    }
    values.update(changes)
    return IncidentFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("incident", "severity"),
    [
        (facts("insult"), Severity.LOW),
        (facts("hate_speech_online"), Severity.MEDIUM),
        (facts("threat"), Severity.HIGH),
        (facts("insult", earlier_reports_in_window=2), Severity.MEDIUM),
        (facts("hate_speech_online", family_targeted=True), Severity.HIGH),
        (facts("hate_speech_online", family_targeted=True, children_involved=True), Severity.CRITICAL),
        (facts("threat", threat_of_violence=True), Severity.CRITICAL),
        (facts("family_targeted"), Severity.CRITICAL),  # the kind itself raises as family targeted
        (facts("insult", immediate_danger=True), Severity.CRITICAL),
        (facts("physical_attack", threat_of_violence=True, children_involved=True), Severity.CRITICAL),
    ],
)
def test_triage(incident: IncidentFacts, severity: Severity) -> None:
    decision = triage(incident, TRIAGE)
    assert decision.severity is severity
    assert decision.reasons[0].startswith(f"kind {incident.kind}")


def test_triage_keeps_its_reasons() -> None:
    decision = triage(facts("insult", earlier_reports_in_window=1, immediate_danger=True), TRIAGE)
    assert decision.reasons == ("kind insult: low", "repeated: +1 -> medium", "immediate danger -> critical")


def coordinator(account_id: str, region: str = "0324", **changes: object) -> Coordinator:
    values: dict[str, object] = {
        "account_id": account_id,
        "region": region,
        "expertise": frozenset({"security", "legal"}),
        "languages": frozenset({"de"}),
        "on_duty": True,
        "open_cases": 0,
        "capacity": 5,
    }
    values.update(changes)
    return Coordinator(**values)  # type: ignore[arg-type]


CRITICAL_THREAT = CaseFacts("03241001", "threat", Severity.CRITICAL, "de")


def test_first_matching_rule_wins_and_least_loaded_is_primary() -> None:
    team = [
        coordinator("a", open_cases=3),
        coordinator("b", open_cases=1),
        coordinator("c", open_cases=2),
        coordinator("lead", region="03", team_lead=True, expertise=frozenset({"legal"})),
        coordinator("on-call", region="", programme_on_call=True),
    ]
    decision = route(CRITICAL_THREAT, team, ROUTING)
    assert decision.rule == "emergency-security" and decision.expertise == "security"
    assert decision.chain == ("b", "c", "lead", "on-call")
    assert not decision.queued


def test_routing_filters_region_expertise_duty_capacity_and_prefers_language() -> None:
    team = [
        coordinator("elsewhere", region="09"),
        coordinator("no-skill", expertise=frozenset({"media"})),
        coordinator("off-duty", on_duty=False),
        coordinator("full", open_cases=5, capacity=5),
        coordinator("german", open_cases=0),
        coordinator("english", open_cases=4, languages=frozenset({"en", "de"})),
    ]
    english_case = CaseFacts("03241001", "threat", Severity.HIGH, "en")
    assert route(english_case, team, ROUTING).chain[0] == "english"
    assert route(CRITICAL_THREAT, team, ROUTING).chain == ("german", "english")


def test_routing_says_when_nobody_speaks_the_reporters_language() -> None:
    english_case = CaseFacts("03241001", "threat", Severity.HIGH, "en")
    decision = route(english_case, [coordinator("german", open_cases=0)], ROUTING)
    assert decision.chain[0] == "german"  # help in German rather than none
    assert "nobody available speaks en: routed without the language" in decision.reasons


def test_no_candidate_means_programme_queue() -> None:
    decision = route(
        CRITICAL_THREAT,
        [coordinator("x", region="09"), coordinator("oc", region="", programme_on_call=True)],
        ROUTING,
    )
    assert decision.queued and decision.chain == ("oc",)
    assert "programme queue" in decision.reasons[-1]


def test_kind_and_wishes_choose_the_rule() -> None:
    online = CaseFacts("03241001", "doxxing", Severity.HIGH, "de")
    assert route(online, [], ROUTING).rule == "online-take-down"
    counselling = CaseFacts("03241001", "insult", Severity.LOW, "de", support_wanted=("psychosocial",))
    assert route(counselling, [], ROUTING).rule == "psychosocial-first"
    assert route(CaseFacts("03241001", "other", Severity.LOW, "de"), [], ROUTING).rule == "default-legal"


def test_rules_round_trip_for_the_snapshot() -> None:
    assert RoutingRules.from_dict(ROUTING.to_dict()) == ROUTING
    assert ROUTING.acknowledge_within[Severity.CRITICAL] == timedelta(minutes=15)
    assert ROUTING.acknowledge_within[Severity.LOW] == timedelta(hours=72)


def test_escalation_walks_the_chain_and_starts_again() -> None:
    chain = ("primary", "backup", "lead", "on-call")
    window = timedelta(minutes=15)
    level, targets = 0, []
    for _ in range(5):
        step = escalate(chain, level, NOW, window, "unacknowledged")
        level = step.level
        targets.append(step.assignee)
        assert step.next_at == NOW + window
    assert targets == ["backup", "lead", "on-call", "primary", "backup"]
    assert "round 2" in escalate(chain, 3, NOW, window, "x").reason
    assert escalate((), 0, NOW, window, "x").assignee is None


def test_offers_follow_wishes_then_kind_and_respect_police_consent() -> None:
    assert choose_offers("threat", ("media",), False, OFFERS) == (
        "media_coaching",
        "security_consultation",
        "legal_advice",
        "psychosocial_counselling",
    )
    assert choose_offers("threat", (), True, OFFERS)[0] == "police_liaison"
    with pytest.raises(ValueError, match="not in the catalogue"):
        OfferRules.from_dict({"by_kind": {"threat": ["hug"]}, "by_request": {}})


def incident(
    case_id: str, official: str | None, district: str = "03241", hours_ago: float = 1, marks: str = ""
) -> RecentIncident:
    return RecentIncident(
        case_id, official, district, NOW - timedelta(hours=hours_ago), frozenset(marks.split())
    )


def test_three_incidents_against_two_officials_in_a_day_is_a_campaign() -> None:
    new = incident("c3", "anna", hours_ago=0)
    found = detect(
        new, [incident("c1", "anna", hours_ago=5), incident("c2", "ben", hours_ago=20)], CampaignRules()
    )
    assert found is not None and found.case_ids == ("c1", "c2", "c3")
    assert (found.basis, found.officials, found.anonymous, found.window_hours) == ("district", 2, 0, 24)
    assert "3 incidents against 2 known official(s)" in found.reason


def test_anonymous_reports_are_unknown_people_not_distinct_officials() -> None:
    anonymous = [incident(f"a{n}", None, hours_ago=n) for n in range(1, 3)]
    assert detect(incident("a0", None, hours_ago=0), anonymous, CampaignRules()) is None  # maybe one person
    found = detect(incident("c3", "anna", hours_ago=0), anonymous, CampaignRules())
    assert found is not None and (found.officials, found.anonymous) == (1, 2)  # anna and someone unknown
    assert "1 known official(s) and 2 anonymous report(s)" in found.reason


@pytest.mark.parametrize(
    "others",
    [
        [incident("c1", "anna"), incident("c2", "anna")],  # one official only
        [incident("c1", "anna"), incident("c2", "ben", hours_ago=25)],  # outside the window
        [incident("c1", "anna"), incident("c2", "ben", district="09162")],  # another district
        [incident("c1", "ben")],  # too few
    ],
)
def test_not_a_campaign(others: list[RecentIncident]) -> None:
    assert detect(incident("c3", "anna", hours_ago=0), others, CampaignRules()) is None


def test_a_shared_handle_links_across_districts_and_joins_an_existing_campaign() -> None:
    earlier = RecentIncident(
        "c1", "ben", "09162", NOW - timedelta(hours=3), frozenset({"h1"}), campaign_id="k1"
    )
    found = detect(incident("c2", "anna", hours_ago=0, marks="h1 h2"), [earlier], CampaignRules())
    assert found is not None and found.case_ids == ("c1", "c2") and found.existing_campaign_id == "k1"
    assert "share a perpetrator handle" in found.reason
