"""The messages the incidents stream sends: to coordinators, admins and the reporting official."""

from __future__ import annotations

from sqlmodel import col, select

from events import Envelope
from services.incidents.cases import chain_of
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


def alert_admins(uow: UnitOfWork, case: Case, urgent: bool, cause: Envelope) -> None:
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


def tell_change_of_hands(uow: UnitOfWork, case: Case, previous_id: str | None, by: str) -> None:
    """The previous assignee learns that the case is no longer theirs and who decided it; the
    reporting official learns that someone new looks after their case (not who)."""
    context = {"case_ref": case.ref, "case_path": f"/cases/{case.id}"}
    if previous_id is not None:
        request_notification(
            uow,
            recipient_id=previous_id,
            template="case_taken_over",
            context={**context, "by": by},
            subject_id=case.id,
        )
    if case.reporter_id is not None and previous_id is not None:
        request_notification(
            uow,
            recipient_id=case.reporter_id,
            template="case_new_coordinator",
            context=context,
            subject_id=case.id,
        )
