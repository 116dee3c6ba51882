"""Who may act on a case, an offer and a self-check round: pure rules, no database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from workflows.errors import DomainError
from workflows.incidents.case_rules import HandoverBy, NotYoursToHandOver, check_handover


def test_a_case_changes_hands_only_by_its_assignee_the_team_lead_or_an_admin() -> None:
    assert check_handover("anna", False, False, None) is HandoverBy.QUEUE  # claiming from the queue
    assert check_handover("anna", False, False, "anna") is HandoverBy.ASSIGNEE
    assert check_handover("lead", False, True, "anna") is HandoverBy.TEAM_LEAD
    assert check_handover("root", True, False, "anna") is HandoverBy.ADMIN
    with pytest.raises(NotYoursToHandOver):
        check_handover("ben", False, False, "anna")  # a colleague of the same region


def refusal(call: Callable[[], object]) -> tuple[type[Exception], str]:
    """The domain error a call raises, and its message (what a person reads)."""
    try:
        call()
    except DomainError as error:
        return type(error), str(error)
    raise AssertionError("the call was not refused")


def test_who_may_act_on_a_case_and_in_which_state() -> None:
    from workflows.incidents import case_rules as rules

    rules.check_handler("anna", False, "anna")
    rules.check_handler("root", True, "anna")
    assert refusal(lambda: rules.check_handler("ben", False, "anna")) == (
        rules.NotAssignee,
        "only the assigned coordinator or an admin may do this",
    )
    rules.check_reporter("olga", "olga")
    assert refusal(lambda: rules.check_reporter("ben", "olga")) == (
        rules.NotReporter,
        "only the person who reported the case may do this",
    )
    assert refusal(lambda: rules.check_reporter("ben", None))[0] is rules.NotReporter  # anonymous case
    for open_status in rules.OPEN:
        rules.check_open(open_status)
    assert refusal(lambda: rules.check_open(rules.CaseStatus.RESOLVED)) == (
        rules.CaseNotOpen,
        "the case is resolved",
    )
    assert refusal(lambda: rules.check_open(rules.CaseStatus.CLOSED))[1] == "the case is closed"
    rules.check_acknowledgeable(rules.CaseStatus.ASSIGNED)
    assert refusal(lambda: rules.check_acknowledgeable(rules.CaseStatus.QUEUED)) == (
        rules.CaseNotAssigned,
        "only an assigned case can be acknowledged; it is queued",
    )
    rules.check_closable(rules.CaseStatus.RESOLVED)
    assert refusal(lambda: rules.check_closable(rules.CaseStatus.CLOSED)) == (
        rules.CaseAlreadyClosed,
        "the case is closed already",
    )
    rules.check_takes_information(rules.CaseStatus.RESOLVED)
    kind, message = refusal(lambda: rules.check_takes_information(rules.CaseStatus.CLOSED))
    assert kind is rules.ClosedToInformation and message == (
        "this case is closed, so nothing can be added to it; if something new has happened, "
        "please report it as a new incident"
    )


def test_an_offer_is_answered_once_and_a_declined_one_is_never_delivered() -> None:
    from workflows.incidents import case_rules as rules

    rules.check_offer_answerable(rules.OfferStatus.OFFERED)
    assert refusal(lambda: rules.check_offer_answerable(rules.OfferStatus.ACCEPTED)) == (
        rules.OfferAlreadyAnswered,
        "the offer is accepted already",
    )
    rules.check_offer_deliverable(rules.OfferStatus.ACCEPTED)
    rules.check_offer_deliverable(rules.OfferStatus.OFFERED)
    assert refusal(lambda: rules.check_offer_deliverable(rules.OfferStatus.DECLINED)) == (
        rules.DeclinedOfferNotDeliverable,
        "a declined offer cannot be delivered",
    )
    assert str(rules.CaseNotFound()) == "case not found" and str(rules.OfferNotFound()) == "offer not found"
    assert str(rules.CheckinsOff()) == "check-ins are not switched on for this case"


def test_a_self_check_round_is_changed_by_its_municipality_while_open() -> None:
    from workflows.selfchecks import round_rules as rules

    rules.check_owner("town", False, "town")
    rules.check_owner("root", True, "town")
    assert refusal(lambda: rules.check_owner("other", False, "town")) == (
        rules.NotRoundOwner,
        "only the municipality that opened the self-check may do this",
    )
    rules.check_open(rules.RoundStatus.OPEN)
    for done in (rules.RoundStatus.SUBMITTED, rules.RoundStatus.SCORED):
        assert refusal(lambda done=done: rules.check_open(done)) == (  # type: ignore[misc]
            rules.RoundAlreadySubmitted,
            "the self-check is submitted already",
        )
    assert str(rules.SelfCheckNotFound()) == "self-check not found"
    assert str(rules.RespondentNotFound()) == "respondent not found"
    assert str(rules.NoRespondents()) == "invite at least one respondent first"
    assert str(rules.UnknownQuestionnaire("9.9")) == "no questionnaire version 9.9"
    errors = rules.FieldErrors("answers do not fit", [{"loc": ["body", "q1"], "msg": "no"}])
    assert str(errors) == "answers do not fit" and errors.detail == [{"loc": ["body", "q1"], "msg": "no"}]


def test_waiting_before_trying_again_says_how_long() -> None:
    from workflows.errors import TooManyAttempts

    error = TooManyAttempts("slow down", 42)
    assert str(error) == "slow down" and error.retry_after == 42
