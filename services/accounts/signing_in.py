"""Signing in and out: a password exchanged for a bearer token, every token revoked on sign-out.

Wrong passwords are throttled per address *and client* (ASVS 4.0.3 V2.2.1: anti-automation without
letting an attacker lock the owner out): five failures from one client block that client for that
address for 15 minutes; the owner signing in from elsewhere is not affected. Unknown addresses are
counted and answered exactly like known ones, so that no answer tells which addresses have an
account. The per-client rate limit of the sign-in endpoint caps guessing across addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from services.access import Principal
from services.accounts.credentials import hash_password, issue_token, token_hash, verify_password
from services.crypto import keyed_hash
from services.store.tables import Account, ApiToken, SignInThrottle
from services.store.uow import UnitOfWork
from workflows.errors import Invalid, TooManyAttempts, Unauthenticated

MAX_FAILURES = 5
BLOCK_FOR = timedelta(minutes=15)
COUNT_WITHIN = timedelta(minutes=15)


class SignInFailed(Unauthenticated):
    def __init__(self) -> None:
        super().__init__("e-mail or password is wrong")


class SignInThrottled(TooManyAttempts):
    def __init__(self, seconds: int) -> None:
        super().__init__(
            f"too many failed sign-ins for this address from your device; try again in "
            f"{max(1, seconds // 60)} minute(s), or reset your password with your administration",
            seconds,
        )


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_in: timedelta


def sign_in(
    uow: UnitOfWork, email: str, password: str, secret_key: str, ttl: timedelta, client: str
) -> SignedIn:
    """A token for the right password of an active account; every other case is SignInFailed, or
    SignInThrottled once this client failed too often for this address."""
    now = uow.clock()
    key = keyed_hash(secret_key, f"sign-in|{email.strip().lower()}|{client}")
    throttle = uow.session.get(SignInThrottle, key)
    if throttle is not None and throttle.blocked_until is not None and throttle.blocked_until > now:
        raise SignInThrottled(int((throttle.blocked_until - now).total_seconds()) + 1)
    account = uow.session.scalar(select(Account).where(func.lower(col(Account.email)) == email.lower()))
    if not verify_password(account, password) or account is None or not account.is_active:
        _count_failure(uow, key, throttle, now)
        uow.commit()
        raise SignInFailed()
    if throttle is not None:
        uow.session.delete(throttle)
    token = issue_token(uow.session, account, secret_key, now, ttl)
    uow.commit()
    return SignedIn(token, ttl)


def _count_failure(uow: UnitOfWork, key: str, throttle: SignInThrottle | None, now: datetime) -> None:
    if throttle is None or now - throttle.first_failed_at > COUNT_WITHIN:
        throttle = throttle or SignInThrottle(key=key, first_failed_at=now)
        throttle.failures, throttle.first_failed_at, throttle.blocked_until = 0, now, None
    throttle.failures += 1
    if throttle.failures >= MAX_FAILURES:
        throttle.blocked_until = now + BLOCK_FOR
        throttle.failures, throttle.first_failed_at = 0, now
    uow.session.add(throttle)


def sign_out(uow: UnitOfWork, principal: Principal) -> None:
    """Revoke every token of the caller (on every device)."""
    now = uow.clock()
    tokens = uow.session.scalars(select(ApiToken).where(col(ApiToken.account_id) == principal.account_id))
    for token in tokens:
        token.revoked_at = token.revoked_at or now
    uow.commit()


def end_session(uow: UnitOfWork, secret_key: str, token: str) -> None:
    """Revoke one token: signing out on this device only."""
    record = uow.session.get(ApiToken, token_hash(secret_key, token))
    if record is not None and record.revoked_at is None:
        record.revoked_at = uow.clock()
        uow.session.add(record)
    uow.commit()


class PasswordUnchanged(Invalid):
    def __init__(self, why: str) -> None:
        super().__init__(why)


def change_password(
    uow: UnitOfWork, principal: Principal, secret_key: str, current: str, new: str, keep_token: str | None
) -> None:
    """A new password for the caller, if the current one is right; every other session ends."""
    account = uow.session.get(Account, principal.account_id)
    if account is None or not verify_password(account, current):
        raise PasswordUnchanged("the current password is wrong")
    if len(new) < 12:
        raise PasswordUnchanged("the new password needs at least 12 characters")
    if new.strip().lower() == account.email.lower() or new == current:
        raise PasswordUnchanged("choose a new password that is neither your e-mail address nor the old one")
    account.password_hash = hash_password(new)
    uow.session.add(account)
    kept = token_hash(secret_key, keep_token) if keep_token else None
    now = uow.clock()
    for record in uow.session.scalars(select(ApiToken).where(col(ApiToken.account_id) == account.id)):
        if record.token_hash != kept and record.revoked_at is None:
            record.revoked_at = now
    uow.commit()
