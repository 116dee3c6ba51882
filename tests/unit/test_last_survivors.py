"""What the mutation run found untested after the rest: each a rule a person can state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from events.catalog import DIALOGUES, TOPIC_MAX_MESSAGE_BYTES, spec_named
from events.envelope import new_envelope
from tests.unit.test_codec import REGISTRATION
from tests.unit.test_incident_workflows import NOW, ROUTING, coordinator
from tests.unit.test_selfcheck_workflows import Q
from workflows.dialogues.logistics import Needs, brief
from workflows.dialogues.lottery import Entrant, draw
from workflows.dialogues.seating import crossed_thresholds
from workflows.incidents.case_rules import NotYoursToHandOver
from workflows.incidents.escalation import escalate
from workflows.incidents.offers import OfferRules, choose_offers
from workflows.incidents.routing import CaseFacts, route
from workflows.incidents.triage import Severity
from workflows.selfchecks.comparison import trend
from workflows.selfchecks.recommendations import recommend
from workflows.selfchecks.scoring import FieldScore, Result, score


def test_routing_says_the_language_decided_when_it_did() -> None:
    english = CaseFacts("03241001", "threat", Severity.CRITICAL, "en")
    team = [coordinator("de-only"), coordinator("both", languages=frozenset({"de", "en"}))]
    decision = route(english, team, ROUTING)
    assert decision.chain[0] == "both" and "language en preferred" in decision.reasons


def test_offers_for_wishes_and_kinds_the_rules_do_not_know_are_none_not_a_crash() -> None:
    rules = OfferRules.from_dict(
        {"by_kind": {"threat": ["legal_advice"]}, "by_request": {"legal": ["legal_advice"]}}
    )
    assert rules.by_request == {"legal": ("legal_advice",)} and rules.by_kind == {"threat": ("legal_advice",)}
    assert choose_offers("unheard-of", ("telepathy",), False, rules) == ()
    assert choose_offers("threat", ("legal",), False, rules) == ("legal_advice",)  # once, not twice


def test_escalation_with_nobody_left_still_sets_the_next_try_and_round_one_says_no_round() -> None:
    window = timedelta(minutes=15)
    nobody = escalate((), 2, NOW, window, "late")
    assert nobody.next_at == NOW + window and nobody.reason == "late; nobody to escalate to"
    first = escalate(("p", "b"), 0, NOW, window, "late")
    assert first.reason == "late; level 1 -> b"


def test_a_colleague_is_told_why_the_case_is_not_theirs_to_hand_over() -> None:
    assert str(NotYoursToHandOver()) == (
        "this case is assigned to a colleague: only they, the team lead or an admin can hand it over"
    )


def test_a_number_question_without_a_minimum_starts_at_zero() -> None:
    import copy

    from tests.unit.test_selfcheck_workflows import SMALL
    from workflows.selfchecks.questionnaire import Questionnaire

    definition = copy.deepcopy(SMALL)
    definition["fields"][1]["questions"][1].pop("min")
    assert Questionnaire.from_dict(definition, "ok.yaml").questions["q4"].minimum == 0.0


def result_of(a: float, b: float) -> Result:
    return Result((FieldScore("a", a, 1.0), FieldScore("b", b, 1.0)), None, None, (), 1)


def test_the_weakest_field_comes_first_and_equal_peers_are_taken_by_their_key() -> None:
    assert [a.field for a in recommend(Q, result_of(30.0, 10.0), {})] == ["b", "a"]
    [advice, _] = recommend(Q, result_of(10.0, 30.0), {"a": [("09000000", 80.0), ("01000000", 80.0)]})
    assert advice.peer == "01000000"


def test_spreads_and_trends_are_rounded_to_one_decimal() -> None:
    same = {"q1": 0, "q2": True, "q3": "y"}
    spread = score(Q, [{**same, "q4": 0}, {**same, "q4": 2.6}])
    assert [(d.question, d.spread) for d in spread.divergent] == [("q4", 52.0)]
    finer = score(Q, [{**same, "q4": 0}, {**same, "q4": 2.5555}])
    assert [(d.question, d.spread) for d in finer.divergent] == [("q4", 51.1)]  # not 51.11
    assert trend({"a": 70.25}, {"a": 50.0}) == {"a": 20.2}


def test_a_draw_records_its_seed() -> None:
    assert draw([Entrant("r1", frozenset())], 1, {}, seed=1234).seed == 1234


def test_a_task_due_this_very_moment_is_overdue() -> None:
    starts = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    [dgs] = brief([Needs(sign_language=True)], 0, 10, starts, True, now=starts - timedelta(days=14)).tasks
    assert dgs.overdue


def test_checking_step_free_access_is_due_a_week_before() -> None:
    starts = datetime(2027, 3, 10, 17, 0, tzinfo=UTC)
    [check] = brief([Needs(step_free=True)], 0, 10, starts, True).tasks
    assert check.deadline == starts - timedelta(days=7)


def test_a_hundred_of_a_hundred_and_one_seats_is_not_full() -> None:
    assert crossed_thresholds(101, 99, 100) == []
    assert crossed_thresholds(101, 100, 101) == [100]


def test_an_event_made_now_carries_an_aware_utc_time() -> None:
    before = datetime.now(UTC)
    made = new_envelope(REGISTRATION)
    caused = made.caused(REGISTRATION)
    for envelope in (made, caused):
        assert envelope.occurred_at.tzinfo is UTC and before <= envelope.occurred_at <= datetime.now(UTC)


def test_a_topic_is_created_with_its_retention_policy_and_size_limit() -> None:
    assert DIALOGUES.config() == {
        "retention.ms": str(DIALOGUES.retention_ms),
        "cleanup.policy": DIALOGUES.cleanup_policy,
        "max.message.bytes": str(TOPIC_MAX_MESSAGE_BYTES),
    }
    assert spec_named("weltoffen.dialogues") is DIALOGUES
    with pytest.raises(KeyError, match="topic 'nope' is not in the catalogue"):
        spec_named("nope")


def test_a_payload_with_several_faults_names_each_at_its_place() -> None:
    import json

    from events import DecodeError, decode, encode

    body = json.loads(encode(new_envelope(REGISTRATION, NOW)))
    body["payload"] = {"registration_id": "r", "dialogue_id": "d-1", "requested_at": "soon", "x": 1}
    body["key"] = "d-1"
    with pytest.raises(DecodeError) as caught:
        decode(json.dumps(body).encode())
    reason = str(caught.value)
    assert reason.startswith("RegistrationRequested payload invalid: requested_at: ")
    assert "; x: Extra inputs are not permitted" in reason
