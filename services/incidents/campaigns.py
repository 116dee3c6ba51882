"""Campaign detection over the incidents of the last window, kept in the database.

The window is read from the database inside the handler's transaction (not a Faust windowed
table), so it survives restarts, works the same in embedded mode, and an event handled twice
cannot count twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select as select_columns
from sqlmodel import col, select

from events import Envelope
from events.contracts import CampaignDetected, CaseAction
from events.ids import new_id
from services.incidents.cases import record
from services.incidents.rules import incident_rules
from services.incidents.tables import Campaign, Case, Incident
from services.notify.requests import request_notification
from services.store.uow import UnitOfWork
from workflows.incidents.campaign import RecentIncident, detect


def _recent(case: Case, incident: Incident) -> RecentIncident:
    return _recent_row(
        case.id,
        incident.reporter_id,
        incident.municipality_ags,
        incident.reported_at,
        incident.perpetrator_marks,
        case.campaign_id,
    )


def _recent_row(
    case_id: str,
    reporter_id: str | None,
    municipality_ags: str,
    reported_at: datetime,
    perpetrator_marks: str,
    campaign_id: str | None,
) -> RecentIncident:
    return RecentIncident(
        case_id=case_id,
        official_key=reporter_id,
        district=municipality_ags[:5],
        reported_at=reported_at,
        marks=frozenset(m for m in perpetrator_marks.split(",") if m),
        campaign_id=campaign_id,
    )


def look_for_campaign(uow: UnitOfWork, case: Case, incident: Incident, cause: Envelope) -> None:
    rules = incident_rules().campaign
    since = incident.reported_at - rules.window
    # Only the columns detection needs: neither cases nor incidents (with their encrypted texts)
    # are loaded for every report of the window, which grows with a campaign.
    rows = uow.session.execute(
        select_columns(
            col(Case.id),
            col(Incident.reporter_id),
            col(Incident.municipality_ags),
            col(Incident.reported_at),
            col(Incident.perpetrator_marks),
            col(Case.campaign_id),
        )
        .join(Incident, col(Incident.id) == col(Case.incident_id))
        .where(col(Incident.reported_at) >= since, col(Case.id) != case.id)
    ).all()
    finding = detect(_recent(case, incident), [_recent_row(*row) for row in rows], rules)
    if finding is None:
        return
    now = uow.clock()
    campaign = (
        uow.session.get(Campaign, finding.existing_campaign_id) if finding.existing_campaign_id else None
    )
    if campaign is None:
        campaign = Campaign(
            id=new_id(),
            district=incident.municipality_ags[:5],
            reason=finding.reason,
            detected_at=now,
        )
        uow.session.add(campaign)
    others = [case_id for case_id in finding.case_ids if case_id != case.id]
    linked = {c.id: c for c in uow.session.exec(select(Case).where(col(Case.id).in_(others))).all()}
    linked[case.id] = case
    newly = [c for c in linked.values() if c.campaign_id != campaign.id]
    for member in newly:
        member.campaign_id = campaign.id
        record(
            uow,
            member,
            CaseAction.LINKED_TO_CAMPAIGN,
            None,
            {"campaign_id": campaign.id, "reason": finding.reason},
        )
    uow.emit(
        cause.caused(
            CampaignDetected(
                campaign_id=campaign.id, district=campaign.district, case_count=len(linked), detected_at=now
            ),
            now,
        )
    )
    # The coordinators of every linked case hear about it once.
    for assignee in dict.fromkeys(c.assignee_id for c in linked.values() if c.assignee_id):
        request_notification(
            uow,
            recipient_id=assignee,
            template="campaign_detected",
            context={
                "case_count": len(linked),
                "district": campaign.district,
                "basis": finding.basis,
                "officials": finding.officials,
                "anonymous": finding.anonymous,
                "window_hours": finding.window_hours,
                "case_path": f"/campaigns/{campaign.id}",
            },
            subject_id=campaign.id,
            cause=cause,
        )
