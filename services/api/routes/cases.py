"""Cases: the coordinators' queue and actions, the reporting official's view and answers."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, or_, select

from events.contracts import CaseAction
from services.api.authz import Principal, Scope, can_access, require_access, require_role
from services.api.deps import ContainerDep, CurrentPrincipal, SessionDep
from services.api.routes.incidents import Information, add_information, evidence_files, evidence_links
from services.bootstrap import Container
from services.incidents.cases import OPEN, record
from services.incidents.handlers import notify_coordinator
from services.incidents.rules import incident_rules
from services.incidents.tables import (
    Campaign,
    Case,
    CaseHistory,
    CaseNote,
    CaseStatus,
    Incident,
    OfferStatus,
    SupportOffer,
)
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork
from workflows.incidents.triage import LADDER, Severity

router = APIRouter(tags=["cases"])


def case_scope(case: Case) -> Scope:
    """Reporter, assignee and the coordinators of the region; never the municipality."""
    return Scope(owner_id=case.reporter_id, assignee_id=case.assignee_id, region_ags=case.region_ags)


def may_read_content(principal: Principal, case: Case) -> bool:
    """Narrative, evidence and notes: only the reporter, the assignee and admins."""
    return principal.role is Role.ADMIN or principal.account_id in (case.reporter_id, case.assignee_id)


class CaseSummary(BaseModel):
    id: str
    ref: str
    status: str
    severity: str | None
    region_ags: str
    assignee_id: str | None
    escalation_level: int
    acknowledge_by: datetime | None
    campaign_id: str | None
    created_at: datetime


class HistoryLine(BaseModel):
    at: datetime
    actor_id: str | None
    action: str
    detail: dict[str, object]


class OfferPublic(BaseModel):
    id: str
    kind: str
    status: str
    offered_at: datetime
    responded_at: datetime | None
    delivered_at: datetime | None


class NotePublic(BaseModel):
    author_id: str | None
    from_reporter: bool
    text: str
    created_at: datetime


class CaseDetail(CaseSummary):
    kind: str
    channel: str
    occurred_at: datetime
    targets: list[str]
    immediate_danger: bool
    triage_reasons: list[str]
    routing_rule: str | None
    checkin_interval_minutes: int | None
    next_checkin_due: datetime | None
    offers: list[OfferPublic]
    history: list[HistoryLine]
    narrative: str | None = Field(description="only for the reporter, the assignee and admins")
    evidence_links: list[str] | None
    evidence_files: list[dict[str, object]] | None
    notes: list[NotePublic] | None


SEVERITY_ORDER = {s.value: -s.rank for s in LADDER}


def _summary(case: Case) -> CaseSummary:
    return CaseSummary.model_validate(case, from_attributes=True)


@router.get("/cases", response_model=list[CaseSummary])
def queue(
    principal: CurrentPrincipal,
    session: SessionDep,
    scope: Annotated[Literal["mine", "region", "all"], Query()] = "region",
    include_closed: bool = False,
) -> list[CaseSummary]:
    """The coordinator's queue: most severe first, then the nearest deadline."""
    require_role(principal, Role.COORDINATOR, Role.ADMIN)
    query = select(Case)
    if not include_closed:
        query = query.where(col(Case.status).in_(OPEN))
    if scope == "mine" or (principal.role is Role.COORDINATOR and not principal.region):
        query = query.where(Case.assignee_id == principal.account_id)
    elif principal.role is Role.COORDINATOR:
        query = query.where(
            or_(
                Case.assignee_id == principal.account_id,
                col(Case.region_ags).startswith(principal.region or "-"),
            )
        )
    cases = session.exec(query.limit(500)).all()
    far = datetime.max.replace(tzinfo=None)
    ordered = sorted(
        cases,
        key=lambda c: (
            SEVERITY_ORDER.get(c.severity or "", 1),
            (c.acknowledge_by or far).replace(tzinfo=None),
        ),
    )
    return [_summary(c) for c in ordered]


@router.get("/me/cases", response_model=list[CaseSummary])
def my_cases(principal: CurrentPrincipal, session: SessionDep) -> list[CaseSummary]:
    """The cases the caller reported."""
    cases = session.exec(
        select(Case).where(Case.reporter_id == principal.account_id).order_by(col(Case.created_at).desc())
    ).all()
    return [_summary(c) for c in cases]


def _load(session: SessionDep, principal: Principal, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "case not found")
    require_access(principal, case_scope(case), "case")
    return case


@router.get("/cases/{case_id}", response_model=CaseDetail)
def read_case(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> CaseDetail:
    case = _load(session, principal, case_id)
    incident = session.get(Incident, case.incident_id)
    assert incident is not None
    content = may_read_content(principal, case)
    internal = principal.role in (Role.COORDINATOR, Role.ADMIN)
    notes = None
    if content:
        rows = session.exec(
            select(CaseNote).where(CaseNote.case_id == case.id).order_by(col(CaseNote.created_at))
        )
        notes = [
            NotePublic(
                author_id=n.author_id,
                from_reporter=n.from_reporter,
                text=container.cipher.decrypt(n.body_enc),
                created_at=n.created_at,
            )
            for n in rows
            if internal or n.from_reporter
        ]
    history = session.exec(
        select(CaseHistory).where(CaseHistory.case_id == case.id).order_by(col(CaseHistory.id))
    )
    offers = session.exec(select(SupportOffer).where(SupportOffer.case_id == case.id))
    return CaseDetail(
        **_summary(case).model_dump(),
        kind=incident.kind,
        channel=incident.channel,
        occurred_at=incident.occurred_at,
        targets=incident.targets.split(","),
        immediate_danger=incident.immediate_danger,
        triage_reasons=json.loads(case.triage_reasons),
        routing_rule=json.loads(case.routing_snapshot).get("rule"),
        checkin_interval_minutes=case.checkin_interval_minutes,
        next_checkin_due=case.next_checkin_due,
        offers=[OfferPublic.model_validate(o, from_attributes=True) for o in offers],
        history=[
            HistoryLine(at=h.at, actor_id=h.actor_id, action=h.action, detail=json.loads(h.detail))
            for h in history
        ],
        narrative=container.cipher.decrypt(incident.narrative_enc) if content else None,
        evidence_links=evidence_links(container, incident) if content else None,
        evidence_files=[
            {"id": f.id, "filename": f.filename, "content_type": f.content_type, "size": f.size}
            for f in evidence_files(session, incident.id)
        ]
        if content
        else None,
        notes=notes,
    )


@contextmanager
def acting_on(container: Container, principal: Principal, case_id: str) -> Iterator[tuple[UnitOfWork, Case]]:
    """Load the case for a change, check access, and commit what the block recorded."""
    with container.uow() as uow:
        case = uow.session.get(
            Case, case_id, with_for_update=uow.session.get_bind().dialect.name == "postgresql"
        )
        if case is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "case not found")
        require_access(principal, case_scope(case), "case")
        yield uow, case
        uow.commit()


def _must_handle(principal: Principal, case: Case) -> None:
    if principal.role is not Role.ADMIN and principal.account_id != case.assignee_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only the assigned coordinator or an admin may do this"
        )


def _must_be_reporter(principal: Principal, case: Case) -> None:
    if principal.account_id != case.reporter_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only the person who reported the case may do this")


def _must_be_open(case: Case) -> None:
    if case.status not in OPEN:
        raise HTTPException(status.HTTP_409_CONFLICT, f"the case is {case.status}")


@router.post("/cases/{case_id}/acknowledge", response_model=CaseSummary)
def acknowledge(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    """The assignee takes the case: escalation stops."""
    with acting_on(container, principal, case_id) as (uow, case):
        _must_handle(principal, case)
        if case.status != CaseStatus.ASSIGNED:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"only an assigned case can be acknowledged; it is {case.status}"
            )
        case.status = CaseStatus.ACKNOWLEDGED
        case.acknowledged_at = uow.clock()
        case.next_escalation_at = None
        record(uow, case, CaseAction.ACKNOWLEDGED, principal.account_id)
    return _summary(case)


class Reassignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: str


@router.post("/cases/{case_id}/reassign", response_model=CaseSummary)
def reassign(
    case_id: str, body: Reassignment, principal: CurrentPrincipal, container: ContainerDep
) -> CaseSummary:
    require_role(principal, Role.COORDINATOR, Role.ADMIN)
    with acting_on(container, principal, case_id) as (uow, case):
        _must_be_open(case)
        target = uow.session.get(Account, body.assignee_id)
        if target is None or not target.is_active or target.role != Role.COORDINATOR:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, "assignee_id must be an active coordinator"
            )
        if not case.region_ags.startswith(target.region or "-"):
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, "this coordinator does not cover the case's region"
            )
        now = uow.clock()
        window = incident_rules().routing.acknowledge_within[Severity(case.severity or "medium")]
        case.assignee_id = target.id
        case.status = CaseStatus.ASSIGNED
        case.acknowledge_by = case.next_escalation_at = now + window
        record(uow, case, CaseAction.REASSIGNED, principal.account_id, {"to": target.id})
        incident = uow.session.get(Incident, case.incident_id)
        notify_coordinator(
            uow,
            case,
            target.id,
            incident.kind if incident else "other",
            "case_assigned",
            urgent=case.severity == Severity.CRITICAL,
        )
    return _summary(case)


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10000)


@router.post("/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED)
def add_note(
    case_id: str, body: NoteCreate, principal: CurrentPrincipal, container: ContainerDep
) -> dict[str, str]:
    """An internal note by coordinators (stored encrypted; the reporter does not see it)."""
    require_role(principal, Role.COORDINATOR, Role.ADMIN)

    with acting_on(container, principal, case_id) as (uow, case):
        uow.session.add(
            CaseNote(
                id=str(uuid.uuid4()),
                case_id=case.id,
                author_id=principal.account_id,
                body_enc=container.cipher.encrypt(body.text),
                created_at=uow.clock(),
            )
        )
        record(uow, case, CaseAction.NOTE_ADDED, principal.account_id)
    return {"status": "added"}


@router.post("/cases/{case_id}/information", status_code=status.HTTP_201_CREATED)
def reporter_information(
    case_id: str, body: Information, principal: CurrentPrincipal, container: ContainerDep
) -> dict[str, str]:
    """The reporting official adds information to their case."""
    with acting_on(container, principal, case_id) as (uow, case):
        _must_be_reporter(principal, case)
        add_information(uow, container, case, principal.account_id, body.text)
    return {"status": "added"}


@router.post("/cases/{case_id}/resolve", response_model=CaseSummary)
def resolve(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with acting_on(container, principal, case_id) as (uow, case):
        _must_handle(principal, case)
        _must_be_open(case)
        case.status = CaseStatus.RESOLVED
        case.next_escalation_at = case.next_checkin_due = None
        record(uow, case, CaseAction.RESOLVED, principal.account_id)
    return _summary(case)


@router.post("/cases/{case_id}/close", response_model=CaseSummary)
def close(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with acting_on(container, principal, case_id) as (uow, case):
        _must_handle(principal, case)
        if case.status == CaseStatus.CLOSED:
            raise HTTPException(status.HTTP_409_CONFLICT, "the case is closed already")
        case.status = CaseStatus.CLOSED
        case.next_escalation_at = case.next_checkin_due = None
        record(uow, case, CaseAction.CLOSED, principal.account_id)
    return _summary(case)


def _offer(uow: UnitOfWork, case: Case, offer_id: str) -> SupportOffer:
    offer = uow.session.get(SupportOffer, offer_id)
    if offer is None or offer.case_id != case.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "offer not found")
    return offer


@router.post("/cases/{case_id}/offers/{offer_id}/{answer}", response_model=OfferPublic)
def answer_offer(
    case_id: str,
    offer_id: str,
    answer: Literal["accept", "decline", "delivered"],
    principal: CurrentPrincipal,
    container: ContainerDep,
) -> OfferPublic:
    """The official accepts or declines an offer; the coordinator marks it delivered."""
    with acting_on(container, principal, case_id) as (uow, case):
        offer = _offer(uow, case, offer_id)
        now = uow.clock()
        if answer == "delivered":
            _must_handle(principal, case)
            if offer.status == OfferStatus.DECLINED:
                raise HTTPException(status.HTTP_409_CONFLICT, "a declined offer cannot be delivered")
            offer.status, offer.delivered_at, offer.delivered_by = (
                OfferStatus.DELIVERED,
                now,
                principal.account_id,
            )
            action = CaseAction.SUPPORT_DELIVERED
        else:
            _must_be_reporter(principal, case)
            if offer.status != OfferStatus.OFFERED:
                raise HTTPException(status.HTTP_409_CONFLICT, f"the offer is {offer.status} already")
            offer.status = OfferStatus.ACCEPTED if answer == "accept" else OfferStatus.DECLINED
            offer.responded_at = now
            action = CaseAction.OFFER_ACCEPTED if answer == "accept" else CaseAction.OFFER_DECLINED
        uow.session.add(offer)
        record(uow, case, action, principal.account_id, {"offer": offer.kind})
    return OfferPublic.model_validate(offer, from_attributes=True)


class CheckinSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interval_minutes: int = Field(ge=15, le=24 * 60, description="how often you will check in")


@router.post("/cases/{case_id}/checkin/enable", response_model=CaseSummary)
def enable_checkin(
    case_id: str, body: CheckinSettings, principal: CurrentPrincipal, container: ContainerDep
) -> CaseSummary:
    """During an acute threat: if the official misses a check-in, the case escalates."""
    with acting_on(container, principal, case_id) as (uow, case):
        _must_be_reporter(principal, case)
        _must_be_open(case)
        case.checkin_interval_minutes = body.interval_minutes
        case.next_checkin_due = uow.clock() + timedelta(minutes=body.interval_minutes)
        record(
            uow, case, CaseAction.CHECKIN_ENABLED, principal.account_id, {"minutes": body.interval_minutes}
        )
    return _summary(case)


@router.post("/cases/{case_id}/checkin", response_model=CaseSummary)
def check_in(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with acting_on(container, principal, case_id) as (uow, case):
        _must_be_reporter(principal, case)
        if case.checkin_interval_minutes is None:
            raise HTTPException(status.HTTP_409_CONFLICT, "check-ins are not switched on for this case")
        case.next_checkin_due = uow.clock() + timedelta(minutes=case.checkin_interval_minutes)
        record(uow, case, CaseAction.CHECKED_IN, principal.account_id)
    return _summary(case)


@router.post("/cases/{case_id}/checkin/disable", response_model=CaseSummary)
def disable_checkin(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with acting_on(container, principal, case_id) as (uow, case):
        _must_be_reporter(principal, case)
        case.checkin_interval_minutes = case.next_checkin_due = None
        record(uow, case, CaseAction.CHECKIN_ENABLED, principal.account_id, {"minutes": None})
    return _summary(case)


class CampaignPublic(BaseModel):
    id: str
    district: str
    reason: str
    detected_at: datetime
    cases: list[CaseSummary]


@router.get("/campaigns/{campaign_id}", response_model=CampaignPublic)
def read_campaign(campaign_id: str, principal: CurrentPrincipal, session: SessionDep) -> CampaignPublic:
    """A detected campaign with the linked cases the caller may see (coordinators and admins)."""
    require_role(principal, Role.COORDINATOR, Role.ADMIN)
    campaign = session.get(Campaign, campaign_id)
    linked = session.exec(select(Case).where(Case.campaign_id == campaign_id)).all() if campaign else []
    visible = [c for c in linked if can_access(principal, case_scope(c))]
    if campaign is None or not visible:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "campaign not found")
    return CampaignPublic(
        id=campaign.id,
        district=campaign.district,
        reason=campaign.reason,
        detected_at=campaign.detected_at,
        cases=[_summary(c) for c in visible],
    )
