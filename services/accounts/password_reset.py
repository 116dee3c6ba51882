"""Resetting a forgotten password by a mailed link. The link's secret is derived, never stored: a
keyed hash of the account, its current password hash and the link's expiry. It works once (the new
password changes the hash it depends on) and only until it expires. Asking never tells whether an
address has an account."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from notifications.messages import Channel
from services.accounts.credentials import hash_password
from services.notify.contacts import Contact, UnknownRecipient, account_contact, register_recipients
from services.notify.requests import request_notification
from services.store.tables import Account, ApiToken
from services.store.uow import UnitOfWork
from workflows.errors import Invalid

VALID_FOR = timedelta(hours=1)
KIND = "password_reset"


class ResetLinkInvalid(Invalid):
    def __init__(self) -> None:
        super().__init__("this link is used, expired or wrong; ask for a new one")


def token(secret_key: str, account: Account, expires: int) -> str:
    message = f"reset|{account.id}|{account.password_hash}|{expires}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def reset_path(secret_key: str, account: Account, expires: int) -> str:
    return f"/password-reset/{account.id}?expires={expires}&token={token(secret_key, account, expires)}"


def ask(uow: UnitOfWork, email: str) -> None:
    """Mail a reset link if the address has an active account; nothing is said either way."""
    account = uow.session.scalar(
        select(Account).where(func.lower(col(Account.email)) == email.strip().lower())
    )
    if account is None or not account.is_active:
        return
    expires = int((uow.clock() + VALID_FOR).timestamp())
    request_notification(
        uow,
        recipient_id=f"{account.id}|{expires}",
        recipient_kind=KIND,
        template="password_reset",
        context={"expires_at": datetime.fromtimestamp(expires, uow.clock().tzinfo)},
        urgent=True,  # someone is locked out now; quiet hours do not apply
    )


def checked_account(
    session: Session, secret_key: str, account_id: str, expires: int, given: str, now: datetime
) -> Account:
    account = session.get(Account, account_id)
    if account is None or not account.is_active or expires < int(now.timestamp()):
        raise ResetLinkInvalid()
    if not hmac.compare_digest(token(secret_key, account, expires), given):
        raise ResetLinkInvalid()
    return account


def reset(uow: UnitOfWork, secret_key: str, account_id: str, expires: int, given: str, new: str) -> None:
    """Set the new password; every session of the account ends (whoever had it is signed out)."""
    account = checked_account(uow.session, secret_key, account_id, expires, given, uow.clock())
    if len(new) < 12:
        raise Invalid("the new password needs at least 12 characters")
    account.password_hash = hash_password(new)
    uow.session.add(account)
    now = uow.clock()
    for record in uow.session.scalars(select(ApiToken).where(col(ApiToken.account_id) == account.id)):
        record.revoked_at = record.revoked_at or now
    uow.commit()


def recipients(secret_key: str) -> None:
    """The notifier reaches the account's address; the link is made when the mail is sent."""

    def contact(session: Session, recipient_id: str) -> Contact:
        account_id, _, expires = recipient_id.partition("|")
        account = session.get(Account, account_id)
        if account is None or not expires.isdigit():
            raise UnknownRecipient(f"no account {account_id} for a reset link")
        found = account_contact(session, account_id)
        return Contact(
            found.email,
            found.locale,
            (Channel.EMAIL,),
            None,
            details={"reset_path": reset_path(secret_key, account, int(expires))},
        )

    register_recipients(KIND, contact)
