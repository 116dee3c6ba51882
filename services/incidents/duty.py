"""A coordinator goes on or off duty. Going off duty with open cases asks what happens to them: hand
them over (to the backup if they can take them, else back to the queue, which pages the on-call)
or keep them (and stay reachable for them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, delete, select

from events.contracts import CaseAction
from events.ids import new_id
from services.access import Principal
from services.incidents.cases import coordinators, kind_of, record
from services.incidents.coordinator_profiles import ProfilePublic, own_profile, public
from services.incidents.messages import notify_coordinator, page_unrouted, tell_change_of_hands
from services.incidents.rules import incident_rules
from services.incidents.tables import Case, CaseStatus, CoordinatorProfile, DutyShift
from services.store.uow import UnitOfWork
from workflows.errors import Conflict
from workflows.incidents.triage import Severity

OpenCases = Literal["hand_over", "keep"]
HELD = (CaseStatus.ASSIGNED, CaseStatus.ACKNOWLEDGED)


class OpenCasesNeedADecision(Conflict):
    def __init__(self, count: int) -> None:
        super().__init__(
            f"you still hold {count} open case(s): say open_cases='hand_over' (to your backup, or back to "
            "the queue, which pages the on-call) or open_cases='keep' (you stay reachable for them)"
        )


def set_duty(
    uow: UnitOfWork, principal: Principal, on_duty: bool, open_cases: OpenCases | None = None
) -> ProfilePublic:
    """On or off duty; routing chooses only those on duty."""
    profile, account = own_profile(uow.session, principal)
    held = _held(uow, principal.account_id)
    if not on_duty and held and open_cases is None:
        raise OpenCasesNeedADecision(len(held))
    profile.on_duty = on_duty
    uow.session.add(profile)
    uow.session.flush()
    if not on_duty and open_cases == "hand_over":
        for case in held:
            _hand_back(uow, case, principal.account_id, profile.backup_id)
    uow.commit()
    return public(profile, account)


def _held(uow: UnitOfWork, account_id: str) -> list[Case]:
    """The open cases someone holds."""
    query = select(Case).where(Case.assignee_id == account_id, col(Case.status).in_(HELD))
    return list(uow.session.exec(query).all())


def _hand_back(uow: UnitOfWork, case: Case, leaving: str, backup_id: str | None) -> None:
    now = uow.clock()
    backup = _available(uow, backup_id, case.region_ags, now)
    window = incident_rules().routing.acknowledge_within[Severity(case.severity or "medium")]
    case.acknowledge_by = case.next_escalation_at = now + window
    urgent = case.severity == Severity.CRITICAL
    if backup is not None:
        case.assignee_id, case.status = backup, CaseStatus.ASSIGNED
        record(uow, case, CaseAction.HANDED_BACK, leaving, {"from": leaving, "to": backup})
        notify_coordinator(uow, case, backup, kind_of(uow.session, case), "case_assigned", urgent)
    else:
        case.assignee_id, case.status = None, CaseStatus.QUEUED
        record(uow, case, CaseAction.HANDED_BACK, leaving, {"from": leaving, "to": None})
        page_unrouted(uow, case)
    tell_change_of_hands(uow, case, leaving, "off_duty")


def _available(uow: UnitOfWork, account_id: str | None, ags: str, now: datetime) -> str | None:
    """The backup, if on duty, with room, and covering the case's region."""
    if account_id is None:
        return None
    for c in coordinators(uow.session, now):
        if c.account_id == account_id and c.on_duty and c.open_cases < c.capacity and c.covers(ags):
            return account_id
    return None


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _order(self) -> ShiftIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("a shift ends after it starts")
        if self.ends_at - self.starts_at > timedelta(days=7):
            raise ValueError("a shift lasts at most 7 days")
        return self


class Shifts(BaseModel):
    """A coordinator's own duty shifts. With shifts, routing chooses them only during one (and only
    while they are on duty); an empty list removes every shift: the on/off switch alone decides."""

    model_config = ConfigDict(extra="forbid")
    shifts: list[ShiftIn] = Field(default_factory=list, max_length=200)


def set_shifts(uow: UnitOfWork, principal: Principal, body: Shifts) -> Shifts:
    """Replace the caller's shifts that have not ended yet (all of them, if the list is empty)."""
    own_profile(uow.session, principal)
    now = uow.clock()
    gone = delete(DutyShift).where(col(DutyShift.account_id) == principal.account_id)
    if body.shifts:
        gone = gone.where(col(DutyShift.ends_at) > now)
    uow.session.exec(gone)
    for shift in body.shifts:
        uow.session.add(
            DutyShift(
                id=new_id(),
                account_id=principal.account_id,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
            )
        )
    uow.commit()
    return my_shifts(uow.session, principal, now)


def my_shifts(session: Session, principal: Principal, now: datetime) -> Shifts:
    own_profile(session, principal)
    rows = session.exec(
        select(DutyShift)
        .where(col(DutyShift.account_id) == principal.account_id, col(DutyShift.ends_at) > now)
        .order_by(col(DutyShift.starts_at))
    ).all()
    return Shifts(shifts=[ShiftIn(starts_at=r.starts_at, ends_at=r.ends_at) for r in rows])


def release_all(uow: UnitOfWork, account_id: str) -> int:
    """An account leaves coordination (disabled, or given another role): off duty, and each open
    case goes to the backup or back to the queue, which pages the on-call. The caller commits."""
    profile = uow.session.get(CoordinatorProfile, account_id)
    backup = None
    if profile is not None:
        profile.on_duty, backup = False, profile.backup_id
        uow.session.add(profile)
    held = _held(uow, account_id)
    for case in held:
        _hand_back(uow, case, account_id, backup)
    return len(held)
