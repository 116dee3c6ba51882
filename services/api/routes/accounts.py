"""Sign-in, the caller's own account, and account administration."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.accounts import operations as accounts
from services.accounts import signing_in
from services.accounts.administration import AccountChange, change_account, send_reset_link
from services.accounts.operations import AccountCreate, AccountPublic
from services.api.deps import ContainerDep, CurrentAdmin, CurrentPrincipal, SessionDep
from services.api.limits import client_address, rate_limited

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
def sign_in(credentials: Credentials, request: Request, container: ContainerDep) -> TokenPublic:
    """Exchange e-mail and password for a bearer token."""
    ttl = timedelta(hours=container.settings.token_ttl_hours)
    secret = container.settings.secret_key.get_secret_value()
    with container.uow() as uow:
        signed_in = signing_in.sign_in(
            uow, credentials.email, credentials.password, secret, ttl, client_address(request)
        )
    return TokenPublic(access_token=signed_in.token, expires_in=int(signed_in.expires_in.total_seconds()))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(principal: CurrentPrincipal, container: ContainerDep) -> None:
    """Revoke every token of the caller."""
    with container.uow() as uow:
        signing_in.sign_out(uow, principal)


@router.get("/me", response_model=AccountPublic)
def me(principal: CurrentPrincipal, session: SessionDep) -> AccountPublic:
    return accounts.account_of(session, principal, principal.account_id)


@router.post("/accounts", response_model=AccountPublic, status_code=status.HTTP_201_CREATED)
def create_account(body: AccountCreate, principal: CurrentAdmin, container: ContainerDep) -> AccountPublic:
    """Admins create accounts for officials, coordinators, organisers and municipalities."""
    with container.uow() as uow:
        account = accounts.create_account(uow, body)
    return AccountPublic.of(account)


@router.get("/accounts", response_model=list[AccountPublic])
def list_accounts(principal: CurrentAdmin, session: SessionDep) -> list[AccountPublic]:
    return accounts.all_accounts(session, principal)


@router.get("/accounts/{account_id}", response_model=AccountPublic)
def read_account(account_id: str, principal: CurrentPrincipal, session: SessionDep) -> AccountPublic:
    return accounts.account_of(session, principal, account_id)


@router.patch("/accounts/{account_id}", response_model=AccountPublic)
def update_account(
    account_id: str, body: AccountChange, principal: CurrentAdmin, container: ContainerDep
) -> AccountPublic:
    """Disable or enable an account (its sessions end), or give it another role. Not one's own."""
    with container.uow() as uow:
        return change_account(uow, principal, account_id, body)


@router.post("/accounts/{account_id}/password-reset", status_code=status.HTTP_202_ACCEPTED)
def mail_reset_link(account_id: str, principal: CurrentAdmin, container: ContainerDep) -> None:
    """Mail the account's owner a link to choose a new password (an hour, once)."""
    with container.uow() as uow:
        send_reset_link(uow, principal, account_id)


__all__ = ["router"]
