"""Sign-in, the caller's own account, and account administration."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import func
from sqlmodel import col, select

from services.access import Scope, require_access, require_role
from services.accounts import operations as accounts
from services.accounts.credentials import (
    is_locked,
    issue_token,
    record_failed_login,
    verify_password,
)
from services.accounts.operations import AccountCreate, AccountPublic
from services.api.deps import ContainerDep, CurrentPrincipal, SessionDep
from services.api.limits import rate_limited
from services.store.tables import Account, ApiToken, Role

router = APIRouter(tags=["accounts"])


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    password: str = Field(min_length=1, max_length=200)


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int


@router.post(
    "/auth/token",
    response_model=TokenPublic,
    dependencies=[Depends(rate_limited("sign-in", "sign_in_per_minute"))],
)
def sign_in(credentials: Credentials, session: SessionDep, container: ContainerDep) -> TokenPublic:
    """Exchange e-mail and password for a bearer token."""
    now = container.clock()
    account = session.scalar(
        select(Account).where(func.lower(col(Account.email)) == credentials.email.lower())
    )
    if account is not None and is_locked(account, now):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed sign-ins; this account is locked for 15 minutes",
        )
    if not verify_password(account, credentials.password) or account is None or not account.is_active:
        if account is not None:
            record_failed_login(account, now)
            session.commit()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "e-mail or password is wrong")
    account.failed_logins = 0
    ttl = timedelta(hours=container.settings.token_ttl_hours)
    token = issue_token(session, account, container.settings.secret_key.get_secret_value(), now, ttl)
    session.commit()
    return TokenPublic(access_token=token, expires_in=int(ttl.total_seconds()))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(principal: CurrentPrincipal, session: SessionDep, container: ContainerDep) -> None:
    """Revoke every token of the caller."""
    now = container.clock()
    for token in session.scalars(select(ApiToken).where(col(ApiToken.account_id) == principal.account_id)):
        token.revoked_at = token.revoked_at or now
    session.commit()


@router.get("/me", response_model=AccountPublic)
def me(principal: CurrentPrincipal, session: SessionDep) -> AccountPublic:
    account = session.get(Account, principal.account_id)
    assert account is not None  # the principal was just loaded from it
    return AccountPublic.of(account)


@router.post("/accounts", response_model=AccountPublic, status_code=status.HTTP_201_CREATED)
def create_account(
    body: AccountCreate, principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> AccountPublic:
    """Admins create accounts for officials, coordinators, organisers and municipalities."""
    require_role(principal, Role.ADMIN)
    with container.uow() as uow:
        account = accounts.create_account(uow, body)
    return AccountPublic.of(account)


@router.get("/accounts", response_model=list[AccountPublic])
def list_accounts(principal: CurrentPrincipal, session: SessionDep) -> list[AccountPublic]:
    require_role(principal, Role.ADMIN)
    return [AccountPublic.of(a) for a in session.scalars(select(Account).order_by(col(Account.email)))]


@router.get("/accounts/{account_id}", response_model=AccountPublic)
def read_account(account_id: str, principal: CurrentPrincipal, session: SessionDep) -> AccountPublic:
    account = session.get(Account, account_id)
    if account is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "account not found")
    require_access(principal, Scope(owner_id=account.id), "account")
    return AccountPublic.of(account)


__all__ = ["router"]
