"""Cases: the coordinators' queue and actions, the reporting official's view and answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, or_, select

from services.access import Principal, can_access, require_access, require_role
from services.api.deps import ContainerDep, CurrentPrincipal, SessionDep
from services.api.routes.incidents import Information, evidence_files, evidence_links
from services.bootstrap import Container
from services.incidents import case_actions
from services.incidents.case_actions import case_scope
from services.incidents.cases import OPEN
from services.incidents.tables import (
    Campaign,
    Case,
    CaseHistory,
    CaseNote,
    Incident,
    SupportOffer,
)
from services.store.tables import Role
from services.store.uow import UnitOfWork
from workflows.incidents.case_rules import CaseNotFound
from workflows.incidents.triage import LADDER

router = APIRouter(tags=["cases"])


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
        raise CaseNotFound()
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
def committed(container: Container) -> Iterator[UnitOfWork]:
    """One transaction for one operation; committed when the block ends without an error."""
    with container.uow() as uow:
        yield uow
        uow.commit()


@router.post("/cases/{case_id}/acknowledge", response_model=CaseSummary)
def acknowledge(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    """The assignee takes the case: escalation stops."""
    with committed(container) as uow:
        case = case_actions.acknowledge(uow, principal, case_id)
    return _summary(case)


class Reassignment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee_id: str


@router.post("/cases/{case_id}/reassign", response_model=CaseSummary)
def reassign(
    case_id: str, body: Reassignment, principal: CurrentPrincipal, container: ContainerDep
) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.reassign(uow, principal, case_id, body.assignee_id)
    return _summary(case)


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=10000)


@router.post("/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED)
def add_note(
    case_id: str, body: NoteCreate, principal: CurrentPrincipal, container: ContainerDep
) -> dict[str, str]:
    """An internal note by coordinators (stored encrypted; the reporter does not see it)."""
    with committed(container) as uow:
        case_actions.add_note(uow, container.cipher, principal, case_id, body.text)
    return {"status": "added"}


@router.post("/cases/{case_id}/information", status_code=status.HTTP_201_CREATED)
def reporter_information(
    case_id: str, body: Information, principal: CurrentPrincipal, container: ContainerDep
) -> dict[str, str]:
    """The reporting official adds information to their case."""
    with committed(container) as uow:
        case_actions.inform(uow, container.cipher, principal, case_id, body.text)
    return {"status": "added"}


@router.post("/cases/{case_id}/resolve", response_model=CaseSummary)
def resolve(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.resolve(uow, principal, case_id)
    return _summary(case)


@router.post("/cases/{case_id}/close", response_model=CaseSummary)
def close(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.close(uow, principal, case_id)
    return _summary(case)


@router.post("/cases/{case_id}/offers/{offer_id}/{answer}", response_model=OfferPublic)
def answer_offer(
    case_id: str,
    offer_id: str,
    answer: case_actions.OfferAnswer,
    principal: CurrentPrincipal,
    container: ContainerDep,
) -> OfferPublic:
    """The official accepts or declines an offer; the coordinator marks it delivered."""
    with committed(container) as uow:
        offer = case_actions.answer_offer(uow, principal, case_id, offer_id, answer)
    return OfferPublic.model_validate(offer, from_attributes=True)


class CheckinSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interval_minutes: int = Field(ge=15, le=24 * 60, description="how often you will check in")


@router.post("/cases/{case_id}/checkin/enable", response_model=CaseSummary)
def enable_checkin(
    case_id: str, body: CheckinSettings, principal: CurrentPrincipal, container: ContainerDep
) -> CaseSummary:
    """During an acute threat: if the official misses a check-in, the case escalates."""
    with committed(container) as uow:
        case = case_actions.enable_checkin(uow, principal, case_id, body.interval_minutes)
    return _summary(case)


@router.post("/cases/{case_id}/checkin", response_model=CaseSummary)
def check_in(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.check_in(uow, principal, case_id)
    return _summary(case)


@router.post("/cases/{case_id}/checkin/disable", response_model=CaseSummary)
def disable_checkin(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.disable_checkin(uow, principal, case_id)
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
