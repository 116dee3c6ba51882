"""Signing in and out: a password exchanged for a bearer token, every token revoked on sign-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from services.access import Principal
from services.accounts.credentials import (
    LOCKOUT,
    is_locked,
    issue_token,
    record_failed_login,
    verify_password,
)
from services.store.tables import Account, ApiToken
from services.store.uow import UnitOfWork
from workflows.errors import TooManyAttempts, Unauthenticated


class SignInFailed(Unauthenticated):
    def __init__(self) -> None:
        super().__init__("e-mail or password is wrong")


class AccountLocked(TooManyAttempts):
    def __init__(self) -> None:
        minutes = int(LOCKOUT.total_seconds() // 60)
        super().__init__(
            f"too many failed sign-ins; this account is locked for {minutes} minutes",
            int(LOCKOUT.total_seconds()),
        )


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_in: timedelta


def sign_in(uow: UnitOfWork, email: str, password: str, secret_key: str, ttl: timedelta) -> SignedIn:
    """A token for the right password of an active account. A wrong password counts towards the lock;
    the count is committed even though the sign-in fails."""
    now = uow.clock()
    account = uow.session.scalar(select(Account).where(func.lower(col(Account.email)) == email.lower()))
    if account is not None and is_locked(account, now):
        raise AccountLocked()
    if not verify_password(account, password) or account is None or not account.is_active:
        if account is not None:
            record_failed_login(account, now)
            uow.commit()
        raise SignInFailed()
    account.failed_logins = 0
    token = issue_token(uow.session, account, secret_key, now, ttl)
    uow.commit()
    return SignedIn(token, ttl)


def sign_out(uow: UnitOfWork, principal: Principal) -> None:
    """Revoke every token of the caller (on every device)."""
    now = uow.clock()
    tokens = uow.session.scalars(select(ApiToken).where(col(ApiToken.account_id) == principal.account_id))
    for token in tokens:
        token.revoked_at = token.revoked_at or now
    uow.commit()
