"""What admins do to accounts besides creating them: disable and enable, change the role, send a
password-reset link. An admin never changes or disables their own account here (another admin does),
so the programme always keeps an admin who can sign in. A disabled account's sessions end at once;
a coordinator leaving coordination hands every open case to the backup or back to the queue."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator
from sqlmodel import col, select

from services.access import Principal, require_role
from services.accounts import password_reset
from services.accounts.operations import AGS, REGION, AccountNotFound, AccountPublic
from services.incidents.duty import release_all
from services.store.tables import Account, ApiToken, Role
from services.store.uow import UnitOfWork
from workflows.errors import Conflict


class AccountChange(BaseModel):
    """A field left out stays as it is. A new role brings what it needs (an AGS, a region)."""

    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    municipality_ags: AGS | None = None
    region: REGION | None = None
    is_active: bool | None = None

    @model_validator(mode="after")
    def _role_needs(self) -> AccountChange:
        if self.role is Role.MUNICIPALITY and not self.municipality_ags:
            raise ValueError("a municipality account needs municipality_ags")
        if self.role is Role.COORDINATOR and not self.region:
            raise ValueError("a coordinator account needs a region (AGS prefix)")
        return self


class OwnAccount(Conflict):
    def __init__(self) -> None:
        super().__init__("you cannot change or disable your own account here; ask another admin")


def _account(uow: UnitOfWork, account_id: str) -> Account:
    account = uow.session.get(Account, account_id)
    if account is None:
        raise AccountNotFound()
    return account


def change_account(
    uow: UnitOfWork, principal: Principal, account_id: str, body: AccountChange
) -> AccountPublic:
    require_role(principal, Role.ADMIN)
    account = _account(uow, account_id)
    if account.id == principal.account_id:
        raise OwnAccount()
    was_coordinator = account.role == Role.COORDINATOR and account.is_active
    if body.role is not None:
        account.role = body.role
        account.municipality_ags = body.municipality_ags if body.role is Role.MUNICIPALITY else None
        account.region = body.region if body.role is Role.COORDINATOR else None
    if body.is_active is not None:
        account.is_active = body.is_active
    uow.session.add(account)
    uow.session.flush()
    if not account.is_active or body.role is not None:
        _end_sessions(uow, account.id)  # whoever holds a session signs in again with what is now true
    if was_coordinator and (not account.is_active or account.role != Role.COORDINATOR):
        release_all(uow, account.id)
    uow.commit()
    return AccountPublic.of(account)


def _end_sessions(uow: UnitOfWork, account_id: str) -> None:
    now = uow.clock()
    for token in uow.session.scalars(select(ApiToken).where(col(ApiToken.account_id) == account_id)):
        token.revoked_at = token.revoked_at or now


def send_reset_link(uow: UnitOfWork, principal: Principal, account_id: str) -> None:
    """Mail the account's owner a link to choose a new password (valid an hour, once). The admin
    never sees or sets the password."""
    require_role(principal, Role.ADMIN)
    account = _account(uow, account_id)
    if not account.is_active:
        raise Conflict("the account is disabled; enable it before sending a reset link")
    password_reset.ask(uow, account.email)
    uow.commit()
