"""Handler of IncidentReported: triage, route, set the deadline, offer support, look for campaigns."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from events import Envelope
from events.contracts import CaseAction, IncidentReported, SupportOfferIssued, SupportSubject
from events.ids import new_id
from services.incidents.campaigns import look_for_campaign
from services.incidents.cases import record, route_case
from services.incidents.messages import notify_coordinator, page_unrouted, tell_reporter_received
from services.incidents.rules import incident_rules
from services.incidents.tables import Case, CaseStatus, Incident, SupportOffer
from services.pipeline.handler_types import handles
from services.store.uow import UnitOfWork
from workflows.incidents.escalation import acknowledge_by
from workflows.incidents.offers import choose_offers
from workflows.incidents.routing import RoutingDecision
from workflows.incidents.triage import IncidentFacts, Severity, triage


@handles("incidents.open_case")
def open_case(envelope: Envelope, uow: UnitOfWork) -> None:
    report = envelope.event
    assert isinstance(report, IncidentReported)
    session, now, rules = uow.session, uow.clock(), incident_rules()
    case = session.get(Case, report.case_id)
    incident = session.get(Incident, report.incident_id)
    if case is None or incident is None:
        raise LookupError(f"case {report.case_id} or incident {report.incident_id} is missing")
    if case.status != CaseStatus.NEW:
        return  # already opened (an event replayed from the dead-letter topic, say)

    decision = triage(_facts(session, incident, now), rules.triage)
    wanted = tuple(w for w in incident.support_wanted.split(",") if w)
    routing = route_case(session, incident, decision.severity, now)
    case.severity = decision.severity.value
    case.triage_reasons = json.dumps(decision.reasons)
    case.routing_snapshot = json.dumps(
        {
            "rule": routing.rule,
            "expertise": routing.expertise,
            "reasons": routing.reasons,
            "rules": rules.routing.to_dict(),
        }
    )
    case.escalation_chain = json.dumps(routing.chain)
    case.acknowledge_by = acknowledge_by(now, rules.routing.acknowledge_within[decision.severity])
    case.next_escalation_at = case.acknowledge_by
    _hand_over(uow, case, incident.kind, routing, decision.severity is Severity.CRITICAL, envelope)
    offers = _offer_support(uow, case, incident, wanted, envelope)
    tell_reporter_received(uow, case, len(offers), envelope)
    look_for_campaign(uow, case, incident, envelope)


def _facts(session: Session, incident: Incident, now: datetime) -> IncidentFacts:
    """What triage looks at, including how often this official reported in the repeat window."""
    earlier = 0
    if incident.reporter_id is not None:
        since = now - timedelta(days=incident_rules().triage.repeat_window_days)
        earlier = session.exec(
            select(func.count())
            .select_from(Incident)
            .where(Incident.reporter_id == incident.reporter_id, Incident.id != incident.id)
            .where(col(Incident.reported_at) >= since)
            .where(col(Incident.reported_at) < incident.reported_at)  # only what came before this one
        ).one()
    targets = set(incident.targets.split(","))
    return IncidentFacts(
        kind=incident.kind,
        immediate_danger=incident.immediate_danger,
        family_targeted="family" in targets,
        children_involved=incident.children_involved,
        threat_of_violence=incident.threat_of_violence,
        earlier_reports_in_window=earlier,
    )


def _hand_over(
    uow: UnitOfWork, case: Case, kind: str, routing: RoutingDecision, urgent: bool, cause: Envelope
) -> None:
    """To the first coordinator of the chain, or into the region's queue with the admins alerted."""
    if routing.queued:
        case.status = CaseStatus.QUEUED
        record(uow, case, CaseAction.QUEUED, None, {"severity": case.severity, "reasons": routing.reasons})
        page_unrouted(uow, case, cause)
        return
    case.status = CaseStatus.ASSIGNED
    case.assignee_id = routing.chain[0]
    record(uow, case, CaseAction.ASSIGNED, None, {"severity": case.severity, "rule": routing.rule})
    notify_coordinator(uow, case, routing.chain[0], kind, "case_assigned", urgent, cause)


def _offer_support(
    uow: UnitOfWork, case: Case, incident: Incident, wanted: tuple[str, ...], cause: Envelope
) -> list[SupportOffer]:
    kinds = choose_offers(incident.kind, wanted, incident.consent_police, incident_rules().offers)
    offers = [SupportOffer(id=new_id(), case_id=case.id, kind=kind, offered_at=uow.clock()) for kind in kinds]
    for offer in offers:
        uow.session.add(offer)
        uow.emit(
            cause.caused(
                SupportOfferIssued(
                    offer_id=offer.id, subject=SupportSubject.CASE, subject_id=case.id, offer_kind=offer.kind
                ),
                uow.clock(),
            )
        )
    return offers
