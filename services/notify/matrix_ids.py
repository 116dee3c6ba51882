"""A person's Matrix ID: set it, confirm it with the code the bot sends there, remove it. Messages go
to an ID only once it is confirmed, so nobody can route someone else's alerts to themselves, and a
stranger's ID never gets anyone's alerts. The code is not stored: it is derived from the account,
the ID and the time it was sent, with the deployment's secret."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlmodel import Session

from notifications.matrix import MATRIX_ID
from notifications.messages import Channel
from services.access import Principal
from services.notify.contacts import Contact
from services.notify.requests import request_notification
from services.notify.tables import NotificationPreference
from services.store.uow import UnitOfWork
from workflows.errors import Conflict, Invalid

CONFIRMATION = "matrix_confirmation"  # the recipient kind and message of the code
CODE_VALID = timedelta(hours=1)
MAX_WRONG_CODES = 5  # then the code is void: a guess succeeds at most 5 times in a million per code


class NotAMatrixId(Invalid):
    def __init__(self) -> None:
        super().__init__("enter a Matrix ID like @name:example.org")


class WrongCode(Invalid):
    def __init__(self) -> None:
        super().__init__(
            "the code does not match, is older than an hour, or was entered wrongly five times: "
            "ask for a new one"
        )


class NoMatrixConfigured(Conflict):
    def __init__(self) -> None:
        super().__init__("this deployment has no Matrix homeserver configured")


def code_for(secret: str, account_id: str, matrix_id: str, sent_at: datetime) -> str:
    """Six digits, the same for the same account, ID and moment."""
    message = f"{account_id}|{matrix_id}|{sent_at.isoformat()}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def _preference(uow: UnitOfWork, account_id: str) -> NotificationPreference:
    return uow.session.get(NotificationPreference, account_id) or NotificationPreference(
        account_id=account_id, updated_at=uow.clock()
    )


def set_matrix_id(uow: UnitOfWork, principal: Principal, matrix_id: str, configured: bool) -> None:
    """Keep the ID unconfirmed and send it a code; until it is entered, nothing else goes there."""
    if not configured:
        raise NoMatrixConfigured()
    matrix_id = matrix_id.strip()
    if not MATRIX_ID.match(matrix_id) or len(matrix_id) > 255:
        raise NotAMatrixId()
    preference = _preference(uow, principal.account_id)
    preference.matrix_id, preference.matrix_confirmed_at = matrix_id, None
    preference.matrix_code_sent_at = preference.updated_at = uow.clock()
    preference.matrix_code_failures = 0
    preference.channels = _without_matrix(preference.channels)
    uow.session.add(preference)
    uow.session.flush()
    request_notification(
        uow,
        recipient_id=principal.account_id,
        recipient_kind=CONFIRMATION,
        template=CONFIRMATION,
        context={},
    )


def confirm_matrix_id(uow: UnitOfWork, principal: Principal, secret: str, code: str) -> None:
    preference = uow.session.get(NotificationPreference, principal.account_id)
    sent_at = preference.matrix_code_sent_at if preference is not None else None
    if preference is None or preference.matrix_id is None or sent_at is None:
        raise WrongCode()
    expected = code_for(secret, principal.account_id, preference.matrix_id, sent_at)
    if uow.clock() - sent_at > CODE_VALID or not hmac.compare_digest(expected, code.strip()):
        _count_wrong_code(uow, preference)
        raise WrongCode()
    preference.matrix_confirmed_at = preference.updated_at = uow.clock()
    preference.matrix_code_sent_at = None  # used: it cannot confirm again
    preference.matrix_code_failures = 0
    uow.session.add(preference)


def _count_wrong_code(uow: UnitOfWork, preference: NotificationPreference) -> None:
    """Counted and committed here, since the error rolls back the caller's transaction; the fifth
    wrong code voids the code."""
    preference.matrix_code_failures += 1
    if preference.matrix_code_failures >= MAX_WRONG_CODES:
        preference.matrix_code_sent_at = None
        preference.matrix_code_failures = 0
    uow.session.add(preference)
    uow.commit()


def remove_matrix_id(uow: UnitOfWork, principal: Principal) -> None:
    preference = uow.session.get(NotificationPreference, principal.account_id)
    if preference is None:
        return
    preference.matrix_id = preference.matrix_code_sent_at = preference.matrix_confirmed_at = None
    preference.channels = _without_matrix(preference.channels)
    preference.updated_at = uow.clock()
    uow.session.add(preference)


def _without_matrix(channels: str) -> str:
    return ",".join(c for c in channels.split(",") if c and c != Channel.MATRIX) or "email,inbox"


def confirmation_contact(secret: str):  # type: ignore[no-untyped-def]
    """The resolver of the code's recipient: the unconfirmed ID alone, with the code filled in."""

    def resolve(session: Session, account_id: str) -> Contact:
        preference = session.get(NotificationPreference, account_id)
        if preference is None or preference.matrix_id is None or preference.matrix_code_sent_at is None:
            return Contact(None, "de", (), None)  # withdrawn or confirmed meanwhile: nowhere to send
        code = code_for(secret, account_id, preference.matrix_id, preference.matrix_code_sent_at)
        return Contact(
            email=None,
            locale=preference.locale,
            preferred=(Channel.MATRIX,),
            quiet=None,
            matrix_id=preference.matrix_id,
            details={"confirmation_code": code},
        )

    return resolve
