"""Handler of IncidentReported: triage, route, set the deadline, offer support, look for campaigns."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from events import Envelope
from events.contracts import CaseAction, IncidentReported, SupportOfferIssued, SupportSubject
from services.incidents.campaigns import look_for_campaign
from services.incidents.cases import chain_of, coordinators, record
from services.incidents.rules import incident_rules
from services.incidents.tables import Case, CaseStatus, Incident, SupportOffer
from services.notify.requests import request_notification
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork
from workflows.incidents.escalation import acknowledge_by
from workflows.incidents.offers import choose_offers
from workflows.incidents.routing import CaseFacts, route
from workflows.incidents.triage import IncidentFacts, Severity, triage


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

    earlier = 0
    if incident.reporter_id is not None:
        since = now - timedelta(days=rules.triage.repeat_window_days)
        earlier = session.exec(
            select(func.count())
            .select_from(Incident)
            .where(Incident.reporter_id == incident.reporter_id, Incident.id != incident.id)
            .where(col(Incident.reported_at) >= since)
        ).one()
    targets = set(incident.targets.split(","))
    decision = triage(
        IncidentFacts(
            kind=incident.kind,
            immediate_danger=incident.immediate_danger,
            family_targeted="family" in targets,
            children_involved=incident.children_involved,
            threat_of_violence=incident.threat_of_violence,
            earlier_reports_in_window=earlier,
        ),
        rules.triage,
    )
    wanted = tuple(w for w in incident.support_wanted.split(",") if w)
    routing = route(
        CaseFacts(incident.municipality_ags, incident.kind, decision.severity, incident.language, wanted),
        coordinators(session, now),
        rules.routing,
    )
    window = rules.routing.acknowledge_within[decision.severity]
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
    case.acknowledge_by = acknowledge_by(now, window)
    case.next_escalation_at = case.acknowledge_by
    urgent = decision.severity is Severity.CRITICAL
    if routing.queued:
        case.status = CaseStatus.QUEUED
        record(uow, case, CaseAction.QUEUED, None, {"severity": case.severity, "reasons": routing.reasons})
        _alert_admins(uow, case, urgent, envelope)
    else:
        case.status = CaseStatus.ASSIGNED
        case.assignee_id = routing.chain[0]
        record(uow, case, CaseAction.ASSIGNED, None, {"severity": case.severity, "rule": routing.rule})
        notify_coordinator(uow, case, routing.chain[0], incident.kind, "case_assigned", urgent, envelope)
    offers = _offer_support(uow, case, incident, wanted, envelope)
    if case.reporter_id is not None:
        request_notification(
            uow,
            recipient_id=case.reporter_id,
            template="case_received",
            context={"case_ref": case.ref, "offers": len(offers), "case_path": f"/cases/{case.id}"},
            subject_id=case.id,
            cause=envelope,
        )
    look_for_campaign(uow, case, incident, envelope)


def notify_coordinator(
    uow: UnitOfWork,
    case: Case,
    recipient_id: str,
    kind: str,
    template: str,
    urgent: bool,
    cause: Envelope | None = None,
    reason: str = "",
) -> None:
    context: dict[str, object] = {
        "case_ref": case.ref,
        "severity": case.severity or "medium",
        "kind": kind,
        "region": case.region_ags,
        "acknowledge_by": case.next_escalation_at or uow.clock(),
        "case_path": f"/cases/{case.id}",
    }
    if template == "case_escalated":
        context.update(level=case.escalation_level, reason=reason)
    request_notification(
        uow,
        recipient_id=recipient_id,
        template=template,
        context=context,
        urgent=urgent,
        subject_id=case.id,
        cause=cause,
    )


def _alert_admins(uow: UnitOfWork, case: Case, urgent: bool, cause: Envelope) -> None:
    admins = uow.session.exec(
        select(Account.id).where(Account.role == Role.ADMIN, col(Account.is_active))
    ).all()
    targets = [*admins, *chain_of(case)]  # programme on-call too, if routing named one
    for account_id in dict.fromkeys(targets):
        request_notification(
            uow,
            recipient_id=account_id,
            template="case_queued",
            context={
                "case_ref": case.ref,
                "severity": case.severity,
                "region": case.region_ags,
                "case_path": f"/cases/{case.id}",
            },
            urgent=urgent,
            subject_id=case.id,
            cause=cause,
        )


def _offer_support(
    uow: UnitOfWork, case: Case, incident: Incident, wanted: tuple[str, ...], cause: Envelope
) -> list[SupportOffer]:
    kinds = choose_offers(incident.kind, wanted, incident.consent_police, incident_rules().offers)
    offers = [
        SupportOffer(id=str(uuid.uuid4()), case_id=case.id, kind=kind, offered_at=uow.clock())
        for kind in kinds
    ]
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
