"""Passwords (Argon2id) and bearer tokens (random, stored only as a keyed hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from services.store.tables import Account, ApiToken

_hasher = PasswordHasher()
# Verified against when the account does not exist, so timing does not reveal which e-mails exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(account: Account | None, password: str) -> bool:
    try:
        matches = _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
        return matches and account is not None
    except (VerificationError, InvalidHashError):
        return False


def token_hash(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def issue_token(session: Session, account: Account, secret_key: str, now: datetime, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=token_hash(secret_key, token),
            account_id=account.id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


def account_for_token(session: Session, secret_key: str, token: str, now: datetime) -> Account | None:
    record = session.get(ApiToken, token_hash(secret_key, token))
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    account = session.get(Account, record.account_id)
    return account if account is not None and account.is_active else None
