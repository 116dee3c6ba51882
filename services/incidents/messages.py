"""The messages the incidents stream sends: to coordinators, admins and the reporting official."""

from __future__ import annotations

from sqlmodel import col, select

from events import Envelope
from services.incidents.cases import chain_of
from services.incidents.on_call import on_call_now
from services.incidents.tables import Case
from services.notify.requests import request_notification
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork


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


def page_unrouted(uow: UnitOfWork, case: Case, cause: Envelope | None = None) -> None:
    """Nobody can take the case: whoever is on call now and every admin are paged on every channel,
    whatever the hour. The timers page again each deadline until someone claims the case."""
    admins = uow.session.exec(
        select(Account.id).where(Account.role == Role.ADMIN, col(Account.is_active))
    ).all()
    targets = [*on_call_now(uow.session, uow.clock()), *chain_of(case), *admins]
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
                "acknowledge_by": case.acknowledge_by or uow.clock(),
                "level": case.escalation_level,
            },
            urgent=True,
            subject_id=case.id,
            cause=cause,
        )


def tell_reporter_received(uow: UnitOfWork, case: Case, offers: int, cause: Envelope) -> None:
    """The reporting official learns that the case is open and how many offers wait for them."""
    if case.reporter_id is None:
        return  # anonymous reports are followed with their code, not by mail
    request_notification(
        uow,
        recipient_id=case.reporter_id,
        template="case_received",
        context={"case_ref": case.ref, "offers": offers, "case_path": f"/cases/{case.id}"},
        subject_id=case.id,
        cause=cause,
    )


SERIOUS = ("high", "critical")


def _paths(case: Case) -> dict[str, object]:
    return {"case_ref": case.ref, "case_path": f"/cases/{case.id}"}


def tell_change_of_hands(uow: UnitOfWork, case: Case, previous_id: str | None, by: str) -> None:
    """The previous assignee learns that the case is no longer theirs and why (assignee, team_lead,
    admin, escalation, off_duty); for a high or critical case the reporting official learns that
    someone new is being asked to look after it (who, once that person takes it)."""
    if previous_id is None or previous_id == case.assignee_id:
        return
    request_notification(
        uow,
        recipient_id=previous_id,
        template="case_taken_over",
        context={**_paths(case), "by": by},
        subject_id=case.id,
    )
    if case.reporter_id is not None and case.severity in SERIOUS:
        request_notification(
            uow,
            recipient_id=case.reporter_id,
            template="case_new_coordinator",
            context=_paths(case),
            subject_id=case.id,
        )


def tell_reporter_in_hands(uow: UnitOfWork, case: Case, coordinator: Account, expertise: str) -> None:
    """When a coordinator takes the case: the official learns who looks after it."""
    if case.reporter_id is None:
        return
    request_notification(
        uow,
        recipient_id=case.reporter_id,
        template="case_in_hands",
        context={**_paths(case), "coordinator_name": coordinator.display_name, "expertise": expertise},
        subject_id=case.id,
    )


def tell_reporter_news(uow: UnitOfWork, case: Case, template: str) -> None:
    """A message or a resolution for the reporter: the official on their channels; an anonymous
    reporter only at the address they left, and only *that* there is news, never what."""
    if case.reporter_id is not None:
        request_notification(
            uow, recipient_id=case.reporter_id, template=template, context=_paths(case), subject_id=case.id
        )
    elif case.news_address:
        request_notification(
            uow,
            recipient_id=case.id,
            recipient_kind=ANONYMOUS_REPORTER,
            template="case_news",
            context={"case_ref": case.ref},
            subject_id=case.id,
        )


def tell_assignee_information(uow: UnitOfWork, case: Case) -> None:
    """New information or a message from the reporter: the assignee is told (not what)."""
    if case.assignee_id is None:
        return  # in the queue: the paging of the unrouted case goes on
    request_notification(
        uow,
        recipient_id=case.assignee_id,
        template="case_information",
        context=_paths(case),
        urgent=case.severity == "critical",
        subject_id=case.id,
    )


def tell_checkin_missed(uow: UnitOfWork, case: Case, team_leads: list[str]) -> None:
    """A missed safety check-in: the team leads of the region as well as the (paged) assignee."""
    for lead in team_leads:
        if lead != case.assignee_id:
            request_notification(
                uow,
                recipient_id=lead,
                template="checkin_missed",
                context={**_paths(case), "severity": case.severity or "medium"},
                urgent=True,
                subject_id=case.id,
            )


ANONYMOUS_REPORTER = "anonymous_reporter"
