"""What routing knows about a coordinator, kept by admins (expertise, languages, capacity, team lead,
programme on-call) and by the coordinators themselves (on or off duty). Without a profile a
coordinator is never chosen: this is how a fresh install starts routing."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from services.access import Principal, require_role
from services.incidents.tables import CoordinatorProfile
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork
from workflows.errors import Invalid, NotFound

Expertise = Literal["legal", "psychosocial", "security", "takedown", "media"]
Language = Literal["de", "en", "tr", "ar", "ru", "uk", "pl", "fr", "es", "it"]


def _german() -> list[Language]:
    return ["de"]


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expertise: list[Expertise] = Field(min_length=1, description="what this coordinator helps with")
    languages: list[Language] = Field(default_factory=_german, min_length=1, max_length=10)
    capacity: int = Field(default=10, ge=1, le=200, description="open cases at most")
    team_lead: bool = False
    programme_on_call: bool = Field(default=False, description="takes what no region can (the queue)")


class ProfilePublic(BaseModel):
    account_id: str
    display_name: str
    region: str | None
    expertise: list[str]
    languages: list[str]
    capacity: int
    on_duty: bool
    team_lead: bool
    programme_on_call: bool


class NotACoordinator(Invalid):
    def __init__(self) -> None:
        super().__init__("this account is not an active coordinator: create it with the role coordinator")


class NoProfile(NotFound):
    def __init__(self) -> None:
        super().__init__("no coordinator profile yet: an admin sets expertise, languages and capacity first")


def public(profile: CoordinatorProfile, account: Account) -> ProfilePublic:
    return ProfilePublic(
        account_id=account.id,
        display_name=account.display_name,
        region=account.region,
        expertise=[e for e in profile.expertise.split(",") if e],
        languages=[lang for lang in profile.languages.split(",") if lang],
        capacity=profile.capacity,
        on_duty=profile.on_duty,
        team_lead=profile.team_lead,
        programme_on_call=profile.programme_on_call,
    )


def set_profile(uow: UnitOfWork, principal: Principal, account_id: str, body: ProfileUpdate) -> ProfilePublic:
    """An admin creates or changes what routing knows about a coordinator."""
    require_role(principal, Role.ADMIN)
    account = uow.session.get(Account, account_id)
    if account is None or account.role != Role.COORDINATOR or not account.is_active:
        raise NotACoordinator()
    profile = uow.session.get(CoordinatorProfile, account_id) or CoordinatorProfile(
        account_id=account_id, expertise=""
    )
    profile.expertise = ",".join(dict.fromkeys(body.expertise))
    profile.languages = ",".join(dict.fromkeys(body.languages))
    profile.capacity, profile.team_lead = body.capacity, body.team_lead
    profile.programme_on_call = body.programme_on_call
    uow.session.add(profile)
    uow.commit()
    return public(profile, account)


def set_duty(uow: UnitOfWork, principal: Principal, on_duty: bool) -> ProfilePublic:
    """A coordinator goes on or off duty; routing chooses only those on duty."""
    require_role(principal, Role.COORDINATOR)
    profile = uow.session.get(CoordinatorProfile, principal.account_id)
    account = uow.session.get(Account, principal.account_id)
    if profile is None or account is None:
        raise NoProfile()
    profile.on_duty = on_duty
    uow.session.add(profile)
    uow.commit()
    return public(profile, account)


def all_profiles(session: Session, principal: Principal) -> list[ProfilePublic]:
    require_role(principal, Role.ADMIN)
    rows = session.exec(
        select(CoordinatorProfile, Account)
        .join(Account, col(Account.id) == col(CoordinatorProfile.account_id))
        .order_by(col(Account.region), col(Account.display_name))
    ).all()
    return [public(profile, account) for profile, account in rows]
