"""Who may do what to a case, and in which state: pure checks that raise named domain errors."""

from __future__ import annotations

from enum import StrEnum

from workflows.errors import Conflict, Forbidden, Invalid, NotFound


class CaseStatus(StrEnum):
    NEW = "new"  # reported, not yet triaged
    QUEUED = "queued"  # nobody in the region could take it: programme queue
    ASSIGNED = "assigned"  # waiting for acknowledgement
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"


class OfferStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DELIVERED = "delivered"


OPEN = (CaseStatus.NEW, CaseStatus.QUEUED, CaseStatus.ASSIGNED, CaseStatus.ACKNOWLEDGED)


class CaseNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("case not found")


class NotAssignee(Forbidden):
    def __init__(self) -> None:
        super().__init__("only the assigned coordinator or an admin may do this")


class NotReporter(Forbidden):
    def __init__(self) -> None:
        super().__init__("only the person who reported the case may do this")


class CaseNotOpen(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"the case is {status}")


class CaseNotAssigned(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"only an assigned case can be acknowledged; it is {status}")


class ClosedToInformation(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "this case is closed, so nothing can be added to it; if something new has happened, "
            "please report it as a new incident"
        )


def check_takes_information(status: str) -> None:
    if status == CaseStatus.CLOSED:
        raise ClosedToInformation()


class CaseAlreadyClosed(Conflict):
    def __init__(self) -> None:
        super().__init__("the case is closed already")


class UnsuitableAssignee(Invalid):
    """The chosen coordinator cannot take the case (inactive, not a coordinator, other region)."""


class OfferNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("offer not found")


class OfferAlreadyAnswered(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"the offer is {status} already")


class DeclinedOfferNotDeliverable(Conflict):
    def __init__(self) -> None:
        super().__init__("a declined offer cannot be delivered")


class CheckinsOff(Conflict):
    def __init__(self) -> None:
        super().__init__("check-ins are not switched on for this case")


def check_handler(actor_id: str, actor_is_admin: bool, assignee_id: str | None) -> None:
    """Acknowledge, resolve, close, deliver: the assignee's (or an admin's) actions."""
    if not actor_is_admin and actor_id != assignee_id:
        raise NotAssignee()


def check_reporter(actor_id: str, reporter_id: str | None) -> None:
    """Answer offers, add information, check in: the reporting official's actions."""
    if actor_id != reporter_id:
        raise NotReporter()


def check_open(status: str) -> None:
    if status not in OPEN:
        raise CaseNotOpen(status)


def check_acknowledgeable(status: str) -> None:
    if status != CaseStatus.ASSIGNED:
        raise CaseNotAssigned(status)


def check_closable(status: str) -> None:
    if status == CaseStatus.CLOSED:
        raise CaseAlreadyClosed()


def check_offer_answerable(status: str) -> None:
    if status != OfferStatus.OFFERED:
        raise OfferAlreadyAnswered(status)


def check_offer_deliverable(status: str) -> None:
    if status == OfferStatus.DECLINED:
        raise DeclinedOfferNotDeliverable()


class NotYoursToHandOver(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "this case is assigned to a colleague: only they, the team lead or an admin can hand it over"
        )


class HandoverBy(StrEnum):
    """Who changed a case's hands; the previous assignee is told which."""

    ASSIGNEE = "assignee"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"
    QUEUE = "queue"  # claimed or given out from the region's queue: nobody held it


def check_handover(actor_id: str, is_admin: bool, is_team_lead: bool, assignee_id: str | None) -> HandoverBy:
    """Who may give a case to someone: anybody allowed to see an unassigned case (claiming from the
    queue); for an assigned case only its assignee, the region's team lead or an admin."""
    if assignee_id is None:
        return HandoverBy.QUEUE
    if actor_id == assignee_id:
        return HandoverBy.ASSIGNEE
    if is_admin:
        return HandoverBy.ADMIN
    if is_team_lead:
        return HandoverBy.TEAM_LEAD
    raise NotYoursToHandOver()
