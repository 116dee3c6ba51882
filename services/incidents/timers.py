"""Timers of the incident workflow: unacknowledged cases escalate; missed safety check-ins too."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from events.contracts import CaseAction
from services.incidents.cases import chain_of, coordinators, kind_of, record, route_case
from services.incidents.messages import (
    notify_coordinator,
    page_unrouted,
    tell_change_of_hands,
    tell_checkin_missed,
)
from services.incidents.rules import incident_rules
from services.incidents.tables import Case, CaseStatus, Incident
from services.store.uow import Clock, UnitOfWork
from workflows.incidents.escalation import escalate
from workflows.incidents.triage import Severity

log = logging.getLogger(__name__)
ESCALATING = (CaseStatus.ASSIGNED, CaseStatus.QUEUED)
CHECKING_IN = (CaseStatus.QUEUED, CaseStatus.ASSIGNED, CaseStatus.ACKNOWLEDGED)


class CaseTimers:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def escalate_due(self) -> int:
        """Every case whose acknowledgement deadline passed goes one step up its chain."""
        return self._each_due(col(Case.next_escalation_at), ESCALATING, "unacknowledged")

    def checkins_due(self) -> int:
        """A missed safety check-in escalates like an unacknowledged case."""
        return self._each_due(col(Case.next_checkin_due), CHECKING_IN, "checkin_missed")

    def _each_due(self, due_column, statuses, reason: str) -> int:  # type: ignore[no-untyped-def]
        now = self._clock()
        with Session(self._engine) as session:
            ids = session.exec(
                select(Case.id).where(col(Case.status).in_(statuses), due_column <= now).limit(200)
            ).all()
        done = 0
        for case_id in ids:
            try:
                done += self._step(case_id, reason)
            except Exception:  # one broken case must not stop the others; it is retried next tick
                log.exception("escalating case %s failed", case_id)
        return done

    def _step(self, case_id: str, reason: str) -> int:
        with UnitOfWork(self._engine, self._clock) as uow:
            case = uow.session.get(
                Case, case_id, with_for_update=uow.session.get_bind().dialect.name == "postgresql"
            )
            if case is None:
                return 0
            now = uow.clock()
            if reason == "checkin_missed":
                if (
                    case.next_checkin_due is None
                    or case.next_checkin_due > now
                    or case.status not in CHECKING_IN
                ):
                    return 0
                case.next_checkin_due = now + timedelta(minutes=case.checkin_interval_minutes or 60)
            elif (
                case.next_escalation_at is None
                or case.next_escalation_at > now
                or case.status not in ESCALATING
            ):
                return 0  # acknowledged or escalated by another worker meanwhile
            window = incident_rules().routing.acknowledge_within[Severity(case.severity or "medium")]
            if case.status == CaseStatus.QUEUED and reason == "unacknowledged":
                _route_again_or_page(uow, case, window)
            else:
                _escalate(uow, case, window, reason)
            uow.commit()
            return 1


def _escalate(uow: UnitOfWork, case: Case, window: timedelta, reason: str) -> None:
    """One step up the chain: the next coordinator is paged, the previous one told; a missed check-in
    also reaches the region's team leads."""
    now = uow.clock()
    previous = case.assignee_id
    step = escalate(chain_of(case), case.escalation_level, now, window, reason)
    case.escalation_level = step.level
    if step.assignee is not None and case.status != CaseStatus.QUEUED:
        case.assignee_id = step.assignee
    if case.status == CaseStatus.ACKNOWLEDGED:  # a missed check-in needs a fresh acknowledgement
        case.status = CaseStatus.ASSIGNED
    case.acknowledge_by = case.next_escalation_at = step.next_at  # the deadline in force now
    action = CaseAction.CHECKIN_MISSED if reason == "checkin_missed" else CaseAction.ESCALATED
    record(uow, case, action, None, {"level": step.level, "to": step.assignee, "why": step.reason})
    if step.assignee is not None:
        kind = kind_of(uow.session, case)
        notify_coordinator(uow, case, step.assignee, kind, "case_escalated", True, reason=reason)
    tell_change_of_hands(uow, case, previous, "escalation")
    if reason == "checkin_missed":
        tell_checkin_missed(uow, case, team_leads(uow.session, case.region_ags, now))


def _route_again_or_page(uow: UnitOfWork, case: Case, window: timedelta) -> None:
    """An unrouted case: someone may have come on duty since; if not, page on-call and admins again."""
    now = uow.clock()
    incident = uow.session.get(Incident, case.incident_id)
    severity = Severity(case.severity or "medium")
    routing = route_case(uow.session, incident, severity, now) if incident is not None else None
    case.acknowledge_by = case.next_escalation_at = now + window
    if routing is not None and not routing.queued:
        case.status, case.assignee_id = CaseStatus.ASSIGNED, routing.chain[0]
        case.escalation_chain, case.escalation_level = json.dumps(routing.chain), 0
        record(uow, case, CaseAction.ASSIGNED, None, {"severity": case.severity, "rule": routing.rule})
        kind = kind_of(uow.session, case)
        urgent = severity is Severity.CRITICAL
        notify_coordinator(uow, case, routing.chain[0], kind, "case_assigned", urgent)
        return
    case.escalation_level += 1
    record(uow, case, CaseAction.PAGED, None, {"level": case.escalation_level})
    page_unrouted(uow, case)


def team_leads(session: Session, ags: str, now: datetime) -> list[str]:
    """The team leads whose regions include this municipality."""
    return [c.account_id for c in coordinators(session, now) if c.team_lead and c.covers(ags)]
