"""Cases: the coordinators' queue and actions, the reporting official's view and answers. Each route
parses, calls one operation (services.incidents.case_actions / case_views) and serialises; domain
errors are answered by the one table in services.api.errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.api.attachments import evidence_response
from services.api.deps import ContainerDep, CurrentCoordinator, CurrentPrincipal, SessionDep, committed
from services.incidents import case_actions, case_views
from services.incidents.case_views import QueueScope, summary
from services.incidents.schemas import (
    Added,
    CampaignPublic,
    CaseDetail,
    CaseSummary,
    CheckinSettings,
    ContactSharing,
    Information,
    NoteCreate,
    OfferPublic,
    Reassignment,
)

router = APIRouter(tags=["cases"])


@router.get("/cases", response_model=list[CaseSummary])
def queue(
    principal: CurrentCoordinator,
    session: SessionDep,
    container: ContainerDep,
    scope: Annotated[QueueScope, Query()] = "region",
    include_closed: bool = False,
) -> list[CaseSummary]:
    """The coordinator's queue: most severe first, then the nearest deadline."""
    return case_views.queue(session, principal, scope, include_closed, container.clock())


@router.get("/me/cases", response_model=list[CaseSummary])
def my_cases(principal: CurrentPrincipal, session: SessionDep) -> list[CaseSummary]:
    """The cases the caller reported."""
    return case_views.reported_by(session, principal)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def read_case(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> CaseDetail:
    return case_views.case_detail(session, container.cipher, principal, case_id, container.clock())


@router.get(
    "/cases/{case_id}/evidence/{file_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file, to save"}},
)
def evidence_file(
    case_id: str, file_id: str, principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> Response:
    """An evidence file, for the reporter, the assignee and admins (sent as an attachment)."""
    name, content_type, data = case_views.evidence_download(
        session, container.cipher, principal, case_id, file_id, container.clock()
    )
    return evidence_response(name, content_type, data)


@router.post("/cases/{case_id}/acknowledge", response_model=CaseSummary)
def acknowledge(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    """The assignee takes the case: escalation stops."""
    with committed(container) as uow:
        case = case_actions.acknowledge(uow, principal, case_id)
    return summary(case)


@router.post("/cases/{case_id}/reassign", response_model=CaseSummary)
def reassign(
    case_id: str, body: Reassignment, principal: CurrentCoordinator, container: ContainerDep
) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.reassign(uow, principal, case_id, body.assignee_id)
    return summary(case)


@router.post("/cases/{case_id}/notes", response_model=Added, status_code=status.HTTP_201_CREATED)
def add_note(case_id: str, body: NoteCreate, principal: CurrentCoordinator, container: ContainerDep) -> Added:
    """An internal note by coordinators (stored encrypted; the reporter does not see it)."""
    with committed(container) as uow:
        case_actions.add_note(uow, container.cipher, principal, case_id, body.text)
    return Added()


@router.post("/cases/{case_id}/messages", response_model=Added, status_code=status.HTTP_201_CREATED)
def message_reporter(
    case_id: str, body: Information, principal: CurrentCoordinator, container: ContainerDep
) -> Added:
    """The assignee writes to the reporter (the reporter answers with /information). Stored encrypted;
    the reporter is told on their channels that there is a message, never what it says."""
    with committed(container) as uow:
        case_actions.message_reporter(uow, container.cipher, principal, case_id, body.text)
    return Added()


@router.put("/cases/{case_id}/contact-sharing", response_model=CaseSummary)
def contact_sharing(
    case_id: str, body: ContactSharing, principal: CurrentPrincipal, container: ContainerDep
) -> CaseSummary:
    """The reporting official lets the coordinator see their name and e-mail address, or stops it."""
    with committed(container) as uow:
        case = case_actions.share_contact(uow, principal, case_id, body.share)
    return summary(case)


@router.post("/cases/{case_id}/information", response_model=Added, status_code=status.HTTP_201_CREATED)
def reporter_information(
    case_id: str, body: Information, principal: CurrentPrincipal, container: ContainerDep
) -> Added:
    """The reporting official adds information to their case."""
    with committed(container) as uow:
        case_actions.inform(uow, container.cipher, principal, case_id, body.text)
    return Added()


@router.post("/cases/{case_id}/resolve", response_model=CaseSummary)
def resolve(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.resolve(uow, principal, case_id)
    return summary(case)


@router.post("/cases/{case_id}/close", response_model=CaseSummary)
def close(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.close(uow, principal, case_id)
    return summary(case)


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


@router.post("/cases/{case_id}/checkin/enable", response_model=CaseSummary)
def enable_checkin(
    case_id: str, body: CheckinSettings, principal: CurrentPrincipal, container: ContainerDep
) -> CaseSummary:
    """During an acute threat: if the official misses a check-in, the case escalates."""
    with committed(container) as uow:
        case = case_actions.enable_checkin(uow, principal, case_id, body.interval_minutes)
    return summary(case)


@router.post("/cases/{case_id}/checkin", response_model=CaseSummary)
def check_in(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.check_in(uow, principal, case_id)
    return summary(case)


@router.post("/cases/{case_id}/checkin/disable", response_model=CaseSummary)
def disable_checkin(case_id: str, principal: CurrentPrincipal, container: ContainerDep) -> CaseSummary:
    with committed(container) as uow:
        case = case_actions.disable_checkin(uow, principal, case_id)
    return summary(case)


@router.get("/campaigns/{campaign_id}", response_model=CampaignPublic)
def read_campaign(campaign_id: str, principal: CurrentCoordinator, session: SessionDep) -> CampaignPublic:
    """A detected campaign with the linked cases the caller may see (coordinators and admins)."""
    return case_views.campaign(session, principal, campaign_id)
