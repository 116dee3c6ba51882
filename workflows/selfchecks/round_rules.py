"""A self-check round's life: open -> submitted -> scored. Pure checks that raise named errors."""

from __future__ import annotations

from enum import StrEnum

from workflows.errors import Conflict, Forbidden, Invalid, NotFound


class RoundStatus(StrEnum):
    OPEN = "open"  # respondents answer
    SUBMITTED = "submitted"  # closed by the municipality, waiting to be scored
    SCORED = "scored"


class FieldErrors(Invalid):
    """Values that do not fit, each named at its place (answered like a validation error)."""

    def __init__(self, message: str, errors: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.detail = errors


class SelfCheckNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("self-check not found")


class RespondentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("respondent not found")


class NotRoundOwner(Forbidden):
    def __init__(self) -> None:
        super().__init__("only the municipality that opened the self-check may do this")


class RoundAlreadySubmitted(Conflict):
    def __init__(self) -> None:
        super().__init__("the self-check is submitted already")


class NoRespondents(Invalid):
    def __init__(self) -> None:
        super().__init__("invite at least one respondent first")


class NotScoredYet(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"no result yet: the self-check is {status}")


class UnknownQuestionnaire(Invalid):
    def __init__(self, version: str) -> None:
        super().__init__(f"no questionnaire version {version}")


def check_owner(actor_id: str, actor_is_admin: bool, owner_id: str) -> None:
    if not actor_is_admin and actor_id != owner_id:
        raise NotRoundOwner()


def check_open(status: str) -> None:
    if status != RoundStatus.OPEN:
        raise RoundAlreadySubmitted()
