"""What people do to a case: the coordinators' actions and the reporting official's answers.

Every interface calls these (the API today; pages, the CLI and the messenger next), each in the
same shape: load and lock the case, check access, decide with ``workflows.incidents.case_rules``,
change, record the history line and ``CaseUpdated``. The caller commits the unit of work. Failures
are named domain errors; an interface maps them to its own answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session

from events.contracts import CaseAction
from events.ids import new_id
from services.access import Principal, Scope, can_access, require_role
from services.crypto import FieldCipher
from services.incidents.cases import kind_of, record
from services.incidents.coordinator_profiles import covered_regions
from services.incidents.messages import (
    notify_coordinator,
    tell_assignee_information,
    tell_change_of_hands,
    tell_reporter_in_hands,
    tell_reporter_news,
)
from services.incidents.on_call import on_call_now
from services.incidents.rules import incident_rules
from services.incidents.tables import Case, CaseNote, CoordinatorProfile, SupportOffer
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork
from workflows.incidents import case_rules
from workflows.incidents.case_rules import CaseStatus, OfferStatus
from workflows.incidents.triage import Severity

OfferAnswer = Literal["accept", "decline", "delivered"]


def case_scope(case: Case) -> Scope:
    """Reporter, assignee and the coordinators of the region; never the municipality."""
    return Scope(owner_id=case.reporter_id, assignee_id=case.assignee_id, region_ags=case.region_ags)


def load_for_change(uow: UnitOfWork, principal: Principal, case_id: str) -> Case:
    """The case, row-locked on PostgreSQL for the rest of the transaction, if the caller may see it."""
    postgres = uow.session.get_bind().dialect.name == "postgresql"
    case = uow.session.get(Case, case_id, with_for_update=postgres)
    if case is None or not may_see(uow.session, principal, case, uow.clock()):
        raise case_rules.CaseNotFound()
    return case


def may_see(session: Session, principal: Principal, case: Case, now: datetime) -> bool:
    """Those of the case's scope; and, while a case waits unrouted, whoever is on call right now
    (to claim it or give it to someone of its region), though not its content."""
    if can_access(principal, case_scope(case)):
        return True
    return (
        case.status == CaseStatus.QUEUED
        and principal.role is Role.COORDINATOR
        and principal.account_id in on_call_now(session, now)
    )


def _handler(principal: Principal, case: Case) -> None:
    case_rules.check_handler(principal.account_id, principal.role is Role.ADMIN, case.assignee_id)


def acknowledge(uow: UnitOfWork, principal: Principal, case_id: str, via: str | None = None) -> Case:
    """The assignee takes the case: escalation stops. ``via``: the messenger it came from, if any."""
    case = load_for_change(uow, principal, case_id)
    _handler(principal, case)
    case_rules.check_acknowledgeable(case.status)
    case.status = CaseStatus.ACKNOWLEDGED
    case.acknowledged_at = uow.clock()
    case.next_escalation_at = None
    record(uow, case, CaseAction.ACKNOWLEDGED, principal.account_id, {"via": via} if via else None)
    coordinator = uow.session.get(Account, principal.account_id)
    profile = uow.session.get(CoordinatorProfile, principal.account_id)
    if coordinator is not None and principal.account_id == case.assignee_id:
        tell_reporter_in_hands(uow, case, coordinator, profile.expertise if profile else "")
    return case


def acknowledge_from_matrix(uow: UnitOfWork, account_id: str, case_id: str) -> str:
    """A coordinator reacted to their alert in Matrix (the reply reader checked it was them): the
    same acknowledgement as the API's, the history saying where it came from. The case's reference."""
    account = uow.session.get(Account, account_id)
    if account is None or not account.is_active:
        raise case_rules.CaseNotFound()
    principal = Principal.of(account, covered_regions(uow.session, account))
    return acknowledge(uow, principal, case_id, via="matrix").ref


def reassign(uow: UnitOfWork, principal: Principal, case_id: str, assignee_id: str) -> Case:
    """Give the case to a coordinator of its region: claiming it from the queue, or a handover by its
    assignee, the team lead or an admin. The new assignee, the previous one and the reporting
    official are told; the history names both; the deadline restarts."""
    require_role(principal, Role.COORDINATOR, Role.ADMIN)
    case = load_for_change(uow, principal, case_id)
    case_rules.check_open(case.status)
    by = case_rules.check_handover(
        principal.account_id, principal.role is Role.ADMIN, _is_team_lead(uow, principal), case.assignee_id
    )
    target = uow.session.get(Account, assignee_id)
    if target is None or not target.is_active or target.role != Role.COORDINATOR:
        raise case_rules.UnsuitableAssignee("assignee_id must be an active coordinator")
    claiming_on_call = case.assignee_id is None and target.id in on_call_now(uow.session, uow.clock())
    covers = Principal.of(target, covered_regions(uow.session, target)).covers(case.region_ags)
    if not covers and not claiming_on_call:
        raise case_rules.UnsuitableAssignee("this coordinator does not cover the case's region")
    previous = case.assignee_id
    if previous == target.id:
        return case  # already theirs: nothing changes hands
    window = incident_rules().routing.acknowledge_within[Severity(case.severity or "medium")]
    case.assignee_id = target.id
    case.status = CaseStatus.ASSIGNED
    case.acknowledge_by = case.next_escalation_at = uow.clock() + window
    record(
        uow, case, CaseAction.REASSIGNED, principal.account_id, {"from": previous, "to": target.id, "by": by}
    )
    urgent = case.severity == Severity.CRITICAL
    notify_coordinator(uow, case, target.id, kind_of(uow.session, case), "case_assigned", urgent=urgent)
    tell_change_of_hands(uow, case, previous, by)
    return case


def _is_team_lead(uow: UnitOfWork, principal: Principal) -> bool:
    """A team lead of the region (access to the case was checked before: the region is theirs)."""
    if principal.role is not Role.COORDINATOR:
        return False
    profile = uow.session.get(CoordinatorProfile, principal.account_id)
    return profile is not None and profile.team_lead


def add_note(uow: UnitOfWork, cipher: FieldCipher, principal: Principal, case_id: str, text: str) -> Case:
    """An internal note by coordinators, stored encrypted; the reporter does not see it."""
    require_role(principal, Role.COORDINATOR, Role.ADMIN)
    case = load_for_change(uow, principal, case_id)
    _write(uow, cipher, case, principal.account_id, text)
    record(uow, case, CaseAction.NOTE_ADDED, principal.account_id)
    return case


def _write(
    uow: UnitOfWork,
    cipher: FieldCipher,
    case: Case,
    author_id: str | None,
    text: str,
    from_reporter: bool = False,
    to_reporter: bool = False,
) -> None:
    """A note or a line of the conversation, encrypted at rest."""
    uow.session.add(
        CaseNote(
            id=new_id(),
            case_id=case.id,
            author_id=author_id,
            body_enc=cipher.encrypt(text),
            from_reporter=from_reporter,
            to_reporter=to_reporter,
            created_at=uow.clock(),
        )
    )


def add_information(
    uow: UnitOfWork, cipher: FieldCipher, case: Case, author_id: str | None, text: str
) -> None:
    """New information from the reporter (signed in or anonymous), stored encrypted."""
    case_rules.check_takes_information(case.status)
    _write(uow, cipher, case, author_id, text, from_reporter=True)
    record(uow, case, CaseAction.INFORMATION_ADDED, author_id)
    tell_assignee_information(uow, case)


def message_reporter(
    uow: UnitOfWork, cipher: FieldCipher, principal: Principal, case_id: str, text: str
) -> Case:
    """The assignee (or an admin) writes to the reporter, in the case's conversation: stored
    encrypted, shown to the reporter, notified on their channels without the text."""
    case = load_for_change(uow, principal, case_id)
    _handler(principal, case)
    case_rules.check_takes_information(case.status)
    _write(uow, cipher, case, principal.account_id, text, to_reporter=True)
    record(uow, case, CaseAction.MESSAGE_SENT, principal.account_id)
    tell_reporter_news(uow, case, "case_message")
    return case


def share_contact(uow: UnitOfWork, principal: Principal, case_id: str, share: bool) -> Case:
    """The reporting official lets the assignee see their name and e-mail address, or stops it."""
    case = load_for_change(uow, principal, case_id)
    case_rules.check_reporter(principal.account_id, case.reporter_id)
    if case.share_contact != share:
        case.share_contact = share
        record(uow, case, CaseAction.CONTACT_SHARING_CHANGED, principal.account_id, {"shared": share})
    return case


def inform(uow: UnitOfWork, cipher: FieldCipher, principal: Principal, case_id: str, text: str) -> Case:
    """The signed-in reporting official adds information to their case."""
    case = load_for_change(uow, principal, case_id)
    case_rules.check_reporter(principal.account_id, case.reporter_id)
    add_information(uow, cipher, case, principal.account_id, text)
    return case


def resolve(uow: UnitOfWork, principal: Principal, case_id: str) -> Case:
    case = load_for_change(uow, principal, case_id)
    _handler(principal, case)
    case_rules.check_open(case.status)
    case.status = CaseStatus.RESOLVED
    case.next_escalation_at = case.next_checkin_due = None
    record(uow, case, CaseAction.RESOLVED, principal.account_id)
    tell_reporter_news(uow, case, "case_resolved")
    return case


def close(uow: UnitOfWork, principal: Principal, case_id: str) -> Case:
    case = load_for_change(uow, principal, case_id)
    _handler(principal, case)
    case_rules.check_closable(case.status)
    case.status = CaseStatus.CLOSED
    case.next_escalation_at = case.next_checkin_due = None
    record(uow, case, CaseAction.CLOSED, principal.account_id)
    return case


def answer_offer(
    uow: UnitOfWork, principal: Principal, case_id: str, offer_id: str, answer: OfferAnswer
) -> SupportOffer:
    """The official accepts or declines an offer; the coordinator marks it delivered."""
    case = load_for_change(uow, principal, case_id)
    offer = uow.session.get(SupportOffer, offer_id)
    if offer is None or offer.case_id != case.id:
        raise case_rules.OfferNotFound()
    now = uow.clock()
    if answer == "delivered":
        _handler(principal, case)
        case_rules.check_offer_deliverable(offer.status)
        offer.status, offer.delivered_at, offer.delivered_by = (
            OfferStatus.DELIVERED,
            now,
            principal.account_id,
        )
        action = CaseAction.SUPPORT_DELIVERED
    else:
        case_rules.check_reporter(principal.account_id, case.reporter_id)
        case_rules.check_offer_answerable(offer.status)
        offer.status = OfferStatus.ACCEPTED if answer == "accept" else OfferStatus.DECLINED
        offer.responded_at = now
        action = CaseAction.OFFER_ACCEPTED if answer == "accept" else CaseAction.OFFER_DECLINED
    uow.session.add(offer)
    record(uow, case, action, principal.account_id, {"offer": offer.kind})
    return offer


def enable_checkin(uow: UnitOfWork, principal: Principal, case_id: str, interval_minutes: int) -> Case:
    """During an acute threat: if the official misses a check-in, the case escalates."""
    case = load_for_change(uow, principal, case_id)
    case_rules.check_reporter(principal.account_id, case.reporter_id)
    case_rules.check_open(case.status)
    case.checkin_interval_minutes = interval_minutes
    case.next_checkin_due = uow.clock() + timedelta(minutes=interval_minutes)
    record(uow, case, CaseAction.CHECKIN_ENABLED, principal.account_id, {"minutes": interval_minutes})
    return case


def check_in(uow: UnitOfWork, principal: Principal, case_id: str) -> Case:
    """'I am safe': the next check-in is due one interval from now."""
    case = load_for_change(uow, principal, case_id)
    case_rules.check_reporter(principal.account_id, case.reporter_id)
    if case.checkin_interval_minutes is None:
        raise case_rules.CheckinsOff()
    case.next_checkin_due = uow.clock() + timedelta(minutes=case.checkin_interval_minutes)
    record(uow, case, CaseAction.CHECKED_IN, principal.account_id)
    return case


def disable_checkin(uow: UnitOfWork, principal: Principal, case_id: str) -> Case:
    case = load_for_change(uow, principal, case_id)
    case_rules.check_reporter(principal.account_id, case.reporter_id)
    case.checkin_interval_minutes = case.next_checkin_due = None
    record(uow, case, CaseAction.CHECKIN_ENABLED, principal.account_id, {"minutes": None})
    return case
