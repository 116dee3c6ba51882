"""Dead letters for operators: list them (per topic, with error, source offset and time), look at
one (its payload only if it is an event, which carries no personal data by contract), replay one or
all after a fix (the original bytes go back onto the source topic through the outbox; handlers that
already handled the event skip it by their inbox), or discard one with a reason. The pages, the CLI
and the API call these."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from events import DecodeError, decode
from events.catalog import DEAD_LETTER_SUFFIX
from services.access import Principal, require_role
from services.store import outbox
from services.store.tables import DeadLetterDecision, OutboxRecord, Role
from services.store.uow import UnitOfWork
from workflows.errors import Conflict, Invalid, NotFound


@dataclass(frozen=True)
class DeadLetter:
    id: int
    source_topic: str
    error: str
    attempts: str
    failed_at: str
    source_offset: str
    event_id: str
    size: int
    state: str  # waiting, replayed, discarded
    decision_reason: str


class DeadLetterNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no dead letter with this id")


class AlreadyDecided(Conflict):
    def __init__(self, state: str) -> None:
        super().__init__(f"this dead letter is {state} already")


class NothingToReplay(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "this letter stands for a message without a value (a tombstone): nothing to send again"
        )


def _letter(row: OutboxRecord, decision: DeadLetterDecision | None) -> DeadLetter:
    headers = dict(outbox.decode_headers(row))
    assert row.id is not None
    return DeadLetter(
        id=row.id,
        source_topic=row.topic.removesuffix(DEAD_LETTER_SUFFIX),
        error=headers.get("error", ""),
        attempts=headers.get("attempts", ""),
        failed_at=headers.get("failed-at", ""),
        source_offset=f"{headers.get('source-partition', '')}/{headers.get('source-offset', '')}",
        event_id=headers.get("event-id", ""),
        size=len(row.value),
        state=decision.action if decision is not None else "waiting",
        decision_reason=decision.reason if decision is not None else "",
    )


def letters(
    session: Session, principal: Principal, topic: str | None = None, everything: bool = False
) -> list[DeadLetter]:
    """The dead letters waiting for a decision (``everything``: decided ones too), newest first."""
    require_role(principal, Role.ADMIN)
    query = (
        select(OutboxRecord, DeadLetterDecision)
        .join(DeadLetterDecision, col(DeadLetterDecision.outbox_id) == col(OutboxRecord.id), isouter=True)
        .where(col(OutboxRecord.topic).endswith(DEAD_LETTER_SUFFIX))
        .order_by(col(OutboxRecord.id).desc())
        .limit(500)
    )
    if topic:
        query = query.where(OutboxRecord.topic == topic + DEAD_LETTER_SUFFIX)
    if not everything:
        query = query.where(col(DeadLetterDecision.outbox_id).is_(None))
    return [_letter(row, decision) for row, decision in session.exec(query).all()]


def _row(session: Session, letter_id: int) -> tuple[OutboxRecord, DeadLetterDecision | None]:
    row = session.get(OutboxRecord, letter_id)
    if row is None or not row.topic.endswith(DEAD_LETTER_SUFFIX):
        raise DeadLetterNotFound()
    return row, session.get(DeadLetterDecision, letter_id)


def show(session: Session, principal: Principal, letter_id: int) -> tuple[DeadLetter, str | None]:
    """The letter and, if its bytes are an event of the catalogue, the event as JSON; other bytes are
    not shown (they may be anything somebody put on a topic)."""
    require_role(principal, Role.ADMIN)
    row, decision = _row(session, letter_id)
    try:
        decode(row.value)
    except DecodeError:
        return _letter(row, decision), None
    return _letter(row, decision), json.dumps(json.loads(row.value), indent=2, ensure_ascii=False)


def replay(uow: UnitOfWork, principal: Principal, letter_id: int) -> DeadLetter:
    """Send the original message again to its source topic (after a fix)."""
    require_role(principal, Role.ADMIN)
    row, decision = _row(uow.session, letter_id)
    if decision is not None:
        raise AlreadyDecided(decision.action)
    headers = dict(outbox.decode_headers(row))
    if headers.get(outbox.NULL_VALUE_HEADER) == "true" or headers.get("value-truncated") == "true":
        raise NothingToReplay()
    outbox.add_raw(
        uow.session,
        topic=row.topic.removesuffix(DEAD_LETTER_SUFFIX),
        key=row.key,
        value=row.value,
        headers=[],
        now=uow.clock(),
    )
    return _decide(uow, principal, row, "replayed", "")


def discard(uow: UnitOfWork, principal: Principal, letter_id: int, reason: str) -> DeadLetter:
    require_role(principal, Role.ADMIN)
    if not reason.strip():
        raise Invalid("say why the letter is discarded (it stays on record)")
    row, decision = _row(uow.session, letter_id)
    if decision is not None:
        raise AlreadyDecided(decision.action)
    return _decide(uow, principal, row, "discarded", reason.strip()[:2000])


def _decide(uow: UnitOfWork, principal: Principal, row: OutboxRecord, action: str, reason: str) -> DeadLetter:
    assert row.id is not None
    decision = DeadLetterDecision(
        outbox_id=row.id,
        action=action,
        reason=reason,
        decided_by=principal.account_id,
        decided_at=uow.clock(),
    )
    uow.session.add(decision)
    return _letter(row, decision)


def waiting_since(session: Session) -> datetime | None:
    """When the oldest undecided dead letter was written (for the system view)."""
    return session.scalar(
        select(OutboxRecord.created_at)
        .join(DeadLetterDecision, col(DeadLetterDecision.outbox_id) == col(OutboxRecord.id), isouter=True)
        .where(
            col(OutboxRecord.topic).endswith(DEAD_LETTER_SUFFIX), col(DeadLetterDecision.outbox_id).is_(None)
        )
        .order_by(col(OutboxRecord.id))
        .limit(1)
    )
