"""The case lifecycle driven through its operations, without HTTP: the same functions the API calls
(and the pages, the CLI and the messenger will). Failures are named domain errors. Both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from services.access import Principal
from services.bootstrap import Container
from services.incidents import case_actions
from services.incidents.intake import IncidentCreate, report_incident
from services.incidents.tables import Case
from services.store.tables import Role
from tests.support.clock import Clock
from tests.support.operations import act
from tests.support.people import person
from tests.support.places import own_district
from workflows.errors import NotFound
from workflows.incidents.case_rules import (
    CaseAlreadyClosed,
    CaseNotAssigned,
    CaseNotOpen,
    CaseStatus,
    CheckinsOff,
    NotAssignee,
    NotReporter,
    OfferNotFound,
    UnsuitableAssignee,
)

pytestmark = pytest.mark.integration


def reported_case(
    container: Container, official: Principal, region: str, kind: str = "threat", opened: bool = True
) -> str:
    """An incident reported by the official in the region (opened by the handlers); its case id."""
    report = IncidentCreate(
        kind=kind,  # type: ignore[arg-type]
        channel="letter",
        occurred_at=datetime.now(UTC),
        municipality_ags=f"{region}000",
        targets=["self"],
        immediate_danger=False,
        narrative="A letter threatening the mayor arrived at the town hall.",
    )
    secret = container.settings.secret_key.get_secret_value()
    reported = act(
        container, lambda uow: report_incident(uow, report, official.account_id, container.cipher, secret)
    )
    if opened:
        container.dispatcher().drain()
    return reported.case_id


def test_a_case_from_report_to_closing_through_its_operations(container: Container) -> None:
    region = own_district(16)  # a district of its own on the shared database
    official = Principal(person(container, Role.OFFICIAL).id, Role.OFFICIAL)
    coordinator_id = person(container, Role.COORDINATOR, region=region, expertise="security").id
    coordinator = Principal(coordinator_id, Role.COORDINATOR, region=region)
    stranger = Principal(person(container, Role.COORDINATOR, region="09").id, Role.COORDINATOR, region="09")
    case_id = reported_case(container, official, region)

    with pytest.raises(NotFound):  # another region's coordinator cannot even learn that it exists
        act(container, lambda uow: case_actions.acknowledge(uow, stranger, case_id))
    with pytest.raises(NotAssignee):
        act(container, lambda uow: case_actions.acknowledge(uow, official, case_id))
    case = act(container, lambda uow: case_actions.acknowledge(uow, coordinator, case_id))
    assert case.status == CaseStatus.ACKNOWLEDGED and case.next_escalation_at is None
    with pytest.raises(CaseNotAssigned):
        act(container, lambda uow: case_actions.acknowledge(uow, coordinator, case_id))
    with pytest.raises(UnsuitableAssignee, match="does not cover the case's region"):
        act(container, lambda uow: case_actions.reassign(uow, coordinator, case_id, stranger.account_id))

    with pytest.raises(CheckinsOff):
        act(container, lambda uow: case_actions.check_in(uow, official, case_id))
    with pytest.raises(NotReporter):
        act(container, lambda uow: case_actions.enable_checkin(uow, coordinator, case_id, 60))
    case = act(container, lambda uow: case_actions.enable_checkin(uow, official, case_id, 60))
    assert case.checkin_interval_minutes == 60 and case.next_checkin_due is not None
    with pytest.raises(OfferNotFound):
        act(
            container,
            lambda uow: case_actions.answer_offer(uow, official, case_id, "no-such-offer", "accept"),
        )

    case = act(container, lambda uow: case_actions.resolve(uow, coordinator, case_id))
    assert case.status == CaseStatus.RESOLVED and case.next_checkin_due is None
    with pytest.raises(CaseNotOpen, match="the case is resolved"):
        act(container, lambda uow: case_actions.resolve(uow, coordinator, case_id))
    act(container, lambda uow: case_actions.close(uow, coordinator, case_id))
    with pytest.raises(CaseAlreadyClosed):
        act(container, lambda uow: case_actions.close(uow, coordinator, case_id))


def test_only_the_assignee_the_team_lead_or_an_admin_hand_a_case_over_and_everyone_is_told(
    container: Container,
) -> None:
    from sqlmodel import col, select

    from services.incidents.case_views import may_read_content
    from services.incidents.tables import Case, CaseHistory
    from services.notify.tables import Notification
    from workflows.incidents.case_rules import NotYoursToHandOver

    region = own_district(15)
    official = Principal(person(container, Role.OFFICIAL).id, Role.OFFICIAL)
    people = [person(container, Role.COORDINATOR, region=region, expertise="security") for _ in range(2)]
    lead = Principal(
        person(container, Role.COORDINATOR, region=region, team_lead=True).id, Role.COORDINATOR, region=region
    )
    case_id = reported_case(container, official, region)
    with container.uow() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and case.assignee_id in {p.id for p in people}
        holder_id = case.assignee_id
    colleague_id = next(p.id for p in people if p.id != holder_id)
    colleague = Principal(colleague_id, Role.COORDINATOR, region=region)

    # a colleague of the region can neither take the case nor read what it says
    with pytest.raises(NotYoursToHandOver):
        act(container, lambda uow: case_actions.reassign(uow, colleague, case_id, colleague_id))
    with container.uow() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and case.assignee_id == holder_id
        assert not may_read_content(colleague, case)

    # the team lead passes it on; the previous assignee and the reporting official are told
    act(container, lambda uow: case_actions.reassign(uow, lead, case_id, colleague_id))
    # the new assignee hands it back
    act(container, lambda uow: case_actions.reassign(uow, colleague, case_id, holder_id))
    with container.uow() as uow:
        history = uow.session.exec(
            select(CaseHistory.actor_id, CaseHistory.detail)
            .where(CaseHistory.case_id == case_id, CaseHistory.action == "reassigned")
            .order_by(col(CaseHistory.id))
        ).all()
        told = uow.session.exec(
            select(Notification.recipient_id, Notification.template, Notification.context).where(
                Notification.subject_id == case_id,
                col(Notification.template).in_(["case_taken_over", "case_new_coordinator"]),
            )
        ).all()
    assert [(actor, json.loads(detail)) for actor, detail in history] == [
        (lead.account_id, {"from": holder_id, "to": colleague_id, "by": "team_lead"}),
        (colleague_id, {"from": colleague_id, "to": holder_id, "by": "assignee"}),
    ]
    assert sorted((r, t) for r, t, _ in told) == sorted(
        [
            (holder_id, "case_taken_over"),
            (official.account_id, "case_new_coordinator"),
            (colleague_id, "case_taken_over"),
            (official.account_id, "case_new_coordinator"),
        ]
    )


def test_repeated_counts_only_reports_made_before_this_one(container: Container, clock: Clock) -> None:
    """Three reports within a second, handled only after all three are stored: the first is not a
    repeat of the two that came after it."""
    region = own_district(14)
    official = Principal(person(container, Role.OFFICIAL).id, Role.OFFICIAL)
    person(container, Role.COORDINATOR, region=region, expertise="security")
    cases = []
    for _ in range(3):
        cases.append(reported_case(container, official, region, kind="hate_speech_online", opened=False))
        clock.now += timedelta(milliseconds=300)
    container.dispatcher().drain()
    with container.uow() as uow:
        reasons = [json.loads(uow.session.get(Case, c).triage_reasons or "[]") for c in cases]  # type: ignore[union-attr]
    assert [any(line.startswith("repeated") for line in r) for r in reasons] == [False, True, True]
