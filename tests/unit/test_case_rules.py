"""Who may hand a case over: pure rules, no database."""

from __future__ import annotations

import pytest

from workflows.incidents.case_rules import HandoverBy, NotYoursToHandOver, check_handover


def test_a_case_changes_hands_only_by_its_assignee_the_team_lead_or_an_admin() -> None:
    assert check_handover("anna", False, False, None) is HandoverBy.QUEUE  # claiming from the queue
    assert check_handover("anna", False, False, "anna") is HandoverBy.ASSIGNEE
    assert check_handover("lead", False, True, "anna") is HandoverBy.TEAM_LEAD
    assert check_handover("root", True, False, "anna") is HandoverBy.ADMIN
    with pytest.raises(NotYoursToHandOver):
        check_handover("ben", False, False, "anna")  # a colleague of the same region
