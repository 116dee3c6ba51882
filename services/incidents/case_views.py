"""What people see of cases: the coordinators' queue, one case as its reader may see it, a campaign.
Every read is checked against the reader (DESIGN invariant 7); content only for those it concerns."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, or_, select

from services.access import Principal, can_access, require_role
from services.crypto import FieldCipher
from services.incidents.case_actions import case_scope, may_see
from services.incidents.on_call import on_call_now
from services.incidents.schemas import (
    CampaignPublic,
    CaseDetail,
    CaseSummary,
    ConversationLine,
    HandlerPublic,
    HistoryLine,
    NotePublic,
    OfferPublic,
    ReporterContact,
)
from services.incidents.tables import (
    Campaign,
    Case,
    CaseHistory,
    CaseNote,
    CoordinatorProfile,
    EvidenceFile,
    Incident,
    SupportOffer,
)
from services.store.tables import Account, Role
from workflows.errors import NotFound
from workflows.incidents.case_rules import OPEN, CaseNotFound, CaseStatus
from workflows.incidents.triage import LADDER

SEVERITY_ORDER = {s.value: -s.rank for s in LADDER}
QueueScope = Literal["mine", "region", "all"]


def summary(case: Case) -> CaseSummary:
    found = CaseSummary.model_validate(case, from_attributes=True)
    found.expertise = json.loads(case.routing_snapshot or "{}").get("expertise") or None
    return found


def evidence_download(
    session: Session, cipher: FieldCipher, principal: Principal, case_id: str, file_id: str, now: datetime
) -> tuple[str, str, bytes]:
    """One evidence file (name, type, content) for those who may read the case's content."""
    case = session.get(Case, case_id)
    if case is None or not may_see(session, principal, case, now) or not may_read_content(principal, case):
        raise CaseNotFound()
    found = session.get(EvidenceFile, file_id)
    if found is None or found.incident_id != case.incident_id:
        raise NotFound("file not found")
    return found.filename, found.content_type, cipher.decrypt_bytes(found.data_enc)


def colleagues(session: Session, principal: Principal, case_id: str, now: datetime) -> list[tuple[str, str]]:
    """Who could take the case over: active coordinators with a profile covering its region."""
    case = session.get(Case, case_id)
    if case is None or not may_see(session, principal, case, now):
        raise CaseNotFound()
    rows = session.exec(
        select(Account, CoordinatorProfile)
        .join(CoordinatorProfile, col(CoordinatorProfile.account_id) == col(Account.id))
        .where(col(Account.is_active), Account.role == Role.COORDINATOR)
        .order_by(col(Account.display_name))
    ).all()
    return [
        (account.id, account.display_name)
        for account, profile in rows
        if account.id != case.assignee_id
        and Principal.of(account, profile.regions or account.region).covers(case.region_ags)
    ]


def may_read_content(principal: Principal, case: Case) -> bool:
    """Narrative, evidence and notes: only the reporter, the assignee and admins."""
    return principal.role is Role.ADMIN or principal.account_id in (case.reporter_id, case.assignee_id)


def queue(
    session: Session, principal: Principal, scope: QueueScope, include_closed: bool, now: datetime
) -> list[CaseSummary]:
    """The coordinator's queue: most severe first, then the nearest deadline. Unrouted cases are in
    it as unassigned (no assignee, status queued)."""
    require_role(principal, Role.COORDINATOR, Role.ADMIN)
    query = select(Case)
    if not include_closed:
        query = query.where(col(Case.status).in_(OPEN))
    on_call = principal.role is Role.COORDINATOR and principal.account_id in on_call_now(session, now)
    if scope == "mine" or (principal.role is Role.COORDINATOR and not principal.regions and not on_call):
        query = query.where(Case.assignee_id == principal.account_id)
    elif principal.role is Role.COORDINATOR:
        query = query.where(
            or_(
                Case.assignee_id == principal.account_id,
                *(col(Case.region_ags).startswith(prefix) for prefix in principal.regions),
                # whoever is on call sees every unrouted case, to claim it or hand it out
                *((Case.status == CaseStatus.QUEUED,) if on_call else ()),
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
    return [summary(c) for c in ordered]


def reported_by(session: Session, principal: Principal) -> list[CaseSummary]:
    """The cases the caller reported, newest first."""
    query = select(Case).where(Case.reporter_id == principal.account_id).order_by(col(Case.created_at).desc())
    return [summary(c) for c in session.exec(query).all()]


def evidence_links(cipher: FieldCipher, incident: Incident) -> list[str]:
    if incident.evidence_links_enc is None:
        return []
    links: list[str] = json.loads(cipher.decrypt(incident.evidence_links_enc))
    return links


def evidence_files(session: Session, incident_id: str) -> list[EvidenceFile]:
    return list(session.exec(select(EvidenceFile).where(col(EvidenceFile.incident_id) == incident_id)).all())


def case_detail(
    session: Session, cipher: FieldCipher, principal: Principal, case_id: str, now: datetime
) -> CaseDetail:
    """One case as this reader may see it: content only for the reporter, the assignee and admins;
    internal notes only for coordinators and admins; the reporter's contact only for the assignee
    and admins, if the reporter agreed."""
    case = session.get(Case, case_id)
    if case is None or not may_see(session, principal, case, now):
        raise CaseNotFound()
    incident = session.get(Incident, case.incident_id)
    assert incident is not None
    content = may_read_content(principal, case)
    history = session.exec(
        select(CaseHistory).where(CaseHistory.case_id == case.id).order_by(col(CaseHistory.id))
    )
    offers = session.exec(select(SupportOffer).where(SupportOffer.case_id == case.id))
    return CaseDetail(
        **summary(case).model_dump(),
        kind=incident.kind,
        channel=incident.channel,
        occurred_at=incident.occurred_at,
        targets=incident.targets.split(","),
        immediate_danger=incident.immediate_danger,
        triage_reasons=json.loads(case.triage_reasons),
        routing_rule=json.loads(case.routing_snapshot).get("rule"),
        routing_reasons=list(json.loads(case.routing_snapshot).get("reasons", [])),
        checkin_interval_minutes=case.checkin_interval_minutes,
        next_checkin_due=case.next_checkin_due,
        offers=[OfferPublic.model_validate(o, from_attributes=True) for o in offers],
        history=[
            HistoryLine(at=h.at, actor_id=h.actor_id, action=h.action, detail=json.loads(h.detail))
            for h in history
        ],
        narrative=cipher.decrypt(incident.narrative_enc) if content else None,
        evidence_links=evidence_links(cipher, incident) if content else None,
        evidence_files=[
            {"id": f.id, "filename": f.filename, "content_type": f.content_type, "size": f.size}
            for f in evidence_files(session, incident.id)
        ]
        if content
        else None,
        notes=_notes(session, cipher, principal, case) if content else None,
        handler=handler(session, case),
        share_contact=case.share_contact,
        reporter_contact=_reporter_contact(session, principal, case),
    )


def handler(session: Session, case: Case) -> HandlerPublic | None:
    """Who looks after the case now: name and expertise; a contact route if they share one."""
    if case.assignee_id is None:
        return None
    account = session.get(Account, case.assignee_id)
    profile = session.get(CoordinatorProfile, case.assignee_id)
    if account is None:
        return None
    return HandlerPublic(
        display_name=account.display_name,
        expertise=[e for e in (profile.expertise if profile else "").split(",") if e],
        took_it=case.status in (CaseStatus.ACKNOWLEDGED, CaseStatus.RESOLVED, CaseStatus.CLOSED),
        contact=profile.shared_contact if profile else None,
    )


def _reporter_contact(session: Session, principal: Principal, case: Case) -> ReporterContact | None:
    allowed = principal.role is Role.ADMIN or principal.account_id == case.assignee_id
    if not (allowed and case.share_contact and case.reporter_id):
        return None
    reporter = session.get(Account, case.reporter_id)
    return ReporterContact(display_name=reporter.display_name, email=reporter.email) if reporter else None


def conversation(session: Session, cipher: FieldCipher, case: Case) -> list[ConversationLine]:
    """What the reporter and the coordinators wrote to each other, in order (no internal notes)."""
    rows = session.exec(
        select(CaseNote)
        .where(CaseNote.case_id == case.id, or_(col(CaseNote.from_reporter), col(CaseNote.to_reporter)))
        .order_by(col(CaseNote.created_at))
    )
    return [
        ConversationLine(from_reporter=n.from_reporter, text=cipher.decrypt(n.body_enc), at=n.created_at)
        for n in rows
    ]


def _notes(session: Session, cipher: FieldCipher, principal: Principal, case: Case) -> list[NotePublic]:
    internal = principal.role in (Role.COORDINATOR, Role.ADMIN)
    rows = session.exec(
        select(CaseNote).where(CaseNote.case_id == case.id).order_by(col(CaseNote.created_at))
    )
    return [
        NotePublic(
            author_id=n.author_id,
            from_reporter=n.from_reporter,
            to_reporter=n.to_reporter,
            text=cipher.decrypt(n.body_enc),
            created_at=n.created_at,
        )
        for n in rows
        if internal or n.from_reporter or n.to_reporter
    ]


def campaign(session: Session, principal: Principal, campaign_id: str) -> CampaignPublic:
    """A detected campaign with the linked cases the caller may see (coordinators and admins)."""
    require_role(principal, Role.COORDINATOR, Role.ADMIN)
    found = session.get(Campaign, campaign_id)
    linked = session.exec(select(Case).where(Case.campaign_id == campaign_id)).all() if found else []
    visible = [c for c in linked if can_access(principal, case_scope(c))]
    if found is None or not visible:
        raise NotFound("campaign not found")
    return CampaignPublic(
        id=found.id,
        district=found.district,
        reason=found.reason,
        detected_at=found.detected_at,
        cases=[summary(c) for c in visible],
    )
