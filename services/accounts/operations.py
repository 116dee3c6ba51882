"""Accounts: the values an account is created from, its public view, and creating one. The API, the
CLI and the benchmarks all create accounts here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from events.ids import new_id
from services.access import Principal, Scope, require_access, require_role
from services.accounts.credentials import hash_password
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork
from workflows.errors import Conflict, NotFound


class AccountExists(Conflict):
    def __init__(self) -> None:
        super().__init__("an account with this e-mail exists already")


AGS = Annotated[str, Field(pattern=r"^[0-9]{8}$", description="official 8-digit municipality key (AGS)")]
REGION = Annotated[str, Field(pattern=r"^[0-9]{2,8}$", description="AGS prefix, e.g. '05' or '05315'")]


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=12, max_length=200, description="at least 12 characters")
    municipality_ags: AGS | None = None
    region: REGION | None = None

    @model_validator(mode="after")
    def _role_needs(self) -> AccountCreate:
        if self.role is Role.MUNICIPALITY and not self.municipality_ags:
            raise ValueError("a municipality account needs municipality_ags")
        if self.role is Role.COORDINATOR and not self.region:
            raise ValueError("a coordinator account needs a region (AGS prefix)")
        return self


class AccountPublic(BaseModel):
    id: str
    email: str
    display_name: str
    role: Role
    municipality_ags: str | None
    region: str | None
    is_active: bool

    @classmethod
    def of(cls, account: Account) -> AccountPublic:
        return cls.model_validate(account, from_attributes=True)


def new_account(body: AccountCreate, now: datetime) -> Account:
    return Account(
        id=new_id(),
        email=body.email.lower(),
        display_name=body.display_name,
        role=body.role,
        password_hash=hash_password(body.password),
        municipality_ags=body.municipality_ags,
        region=body.region,
        created_at=now,
    )


def create_account(uow: UnitOfWork, body: AccountCreate) -> Account:
    """Create and commit the account; the same e-mail twice is AccountExists."""
    account = new_account(body, uow.clock())
    uow.session.add(account)
    try:
        uow.commit()
    except IntegrityError:
        raise AccountExists() from None
    return account


class AccountNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("account not found")


def account_of(session: Session, principal: Principal, account_id: str) -> AccountPublic:
    """One's own account; an admin sees any."""
    account = session.get(Account, account_id)
    if account is None:
        raise AccountNotFound()
    require_access(principal, Scope(owner_id=account.id), "account")
    return AccountPublic.of(account)


def all_accounts(session: Session, principal: Principal) -> list[AccountPublic]:
    require_role(principal, Role.ADMIN)
    return [AccountPublic.of(a) for a in session.scalars(select(Account).order_by(col(Account.email)))]
