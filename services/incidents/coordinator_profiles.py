"""What routing knows about a coordinator, kept by admins (regions, expertise, languages, capacity,
team lead, backup, programme on-call) and by the coordinators themselves (languages, capacity, the
contact route they share with reporting officials). Without a profile a coordinator is never chosen:
this is how a fresh install starts routing."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, col, select

from services.access import Principal, region_prefixes, require_role
from services.incidents.tables import CoordinatorProfile
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork
from workflows.errors import Invalid, NotFound

Expertise = Literal["legal", "psychosocial", "security", "takedown", "media"]
Language = Literal["de", "en", "tr", "ar", "ru", "uk", "pl", "fr", "es", "it"]
RegionPrefix = Annotated[
    str, Field(pattern=r"^[0-9]{2,8}$", description="AGS prefix: '05' a federal state, '05315' a district")
]


def _german() -> list[Language]:
    return ["de"]


def check_regions(regions: list[str]) -> list[str]:
    for prefix in regions:
        if not 1 <= int(prefix[:2]) <= 16:
            raise ValueError(f"{prefix}: the first two digits of an AGS name a federal state (01 to 16)")
    return list(dict.fromkeys(regions))


class ProfileUpdate(BaseModel):
    """What an admin sets. ``regions`` empty keeps the account's region."""

    model_config = ConfigDict(extra="forbid")
    expertise: list[Expertise] = Field(min_length=1, description="what this coordinator helps with")
    languages: list[Language] = Field(default_factory=_german, min_length=1, max_length=10)
    capacity: int = Field(default=10, ge=1, le=200, description="open cases at most")
    regions: list[RegionPrefix] = Field(
        default_factory=list, max_length=20, description="AGS prefixes covered"
    )
    team_lead: bool = False
    backup_id: str | None = Field(default=None, description="the coordinator who takes over their cases")
    programme_on_call: bool = Field(default=False, description="takes what no region can (the queue)")

    @field_validator("regions")
    @classmethod
    def _states(cls, value: list[str]) -> list[str]:
        return check_regions(value)


class OwnProfileUpdate(BaseModel):
    """What a coordinator keeps themselves; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")
    languages: list[Language] | None = Field(default=None, min_length=1, max_length=10)
    capacity: int | None = Field(default=None, ge=1, le=200)
    shared_contact: str | None = Field(
        default=None,
        max_length=200,
        description="how reporting officials may reach you (a phone number, say); empty: share none",
    )


class ProfilePublic(BaseModel):
    account_id: str
    display_name: str
    region: str | None
    regions: list[str]
    expertise: list[str]
    languages: list[str]
    capacity: int
    on_duty: bool
    team_lead: bool
    backup_id: str | None
    programme_on_call: bool
    shared_contact: str | None


class NotACoordinator(Invalid):
    def __init__(self, who: str = "this account") -> None:
        super().__init__(f"{who} is not an active coordinator: create it with the role coordinator")


class NoProfile(NotFound):
    def __init__(self) -> None:
        super().__init__("no coordinator profile yet: an admin sets expertise, languages and capacity first")


def listed(values: str) -> list[str]:
    return [v for v in values.split(",") if v]


def public(profile: CoordinatorProfile, account: Account) -> ProfilePublic:
    return ProfilePublic(
        account_id=account.id,
        display_name=account.display_name,
        region=account.region,
        regions=list(region_prefixes(profile.regions or account.region)),
        expertise=listed(profile.expertise),
        languages=listed(profile.languages),
        capacity=profile.capacity,
        on_duty=profile.on_duty,
        team_lead=profile.team_lead,
        backup_id=profile.backup_id,
        programme_on_call=profile.programme_on_call,
        shared_contact=profile.shared_contact,
    )


def active_coordinator(session: Session, account_id: str) -> Account | None:
    account = session.get(Account, account_id)
    if account is None or account.role != Role.COORDINATOR or not account.is_active:
        return None
    return account


def covered_regions(session: Session, account: Account) -> str | None:
    """The AGS prefixes a coordinator covers (comma-separated): the profile's, else the account's."""
    if account.role != Role.COORDINATOR:
        return account.region
    profile = session.get(CoordinatorProfile, account.id)
    return (profile.regions if profile is not None else "") or account.region


def set_profile(uow: UnitOfWork, principal: Principal, account_id: str, body: ProfileUpdate) -> ProfilePublic:
    """An admin creates or changes what routing knows about a coordinator."""
    require_role(principal, Role.ADMIN)
    account = active_coordinator(uow.session, account_id)
    if account is None:
        raise NotACoordinator()
    if body.backup_id is not None and (
        body.backup_id == account_id or active_coordinator(uow.session, body.backup_id) is None
    ):
        raise NotACoordinator("backup_id: the backup")
    profile = uow.session.get(CoordinatorProfile, account_id) or CoordinatorProfile(
        account_id=account_id, expertise=""
    )
    profile.expertise = ",".join(dict.fromkeys(body.expertise))
    profile.languages = ",".join(dict.fromkeys(body.languages))
    profile.capacity, profile.team_lead = body.capacity, body.team_lead
    profile.programme_on_call, profile.backup_id = body.programme_on_call, body.backup_id
    profile.regions = ",".join(body.regions) or (account.region or "")
    uow.session.add(profile)
    uow.commit()
    return public(profile, account)


def own_profile(session: Session, principal: Principal) -> tuple[CoordinatorProfile, Account]:
    require_role(principal, Role.COORDINATOR)
    profile = session.get(CoordinatorProfile, principal.account_id)
    account = session.get(Account, principal.account_id)
    if profile is None or account is None:
        raise NoProfile()
    return profile, account


def update_own(uow: UnitOfWork, principal: Principal, body: OwnProfileUpdate) -> ProfilePublic:
    """A coordinator keeps their languages, capacity and the contact route they share."""
    profile, account = own_profile(uow.session, principal)
    if body.languages is not None:
        profile.languages = ",".join(dict.fromkeys(body.languages))
    if body.capacity is not None:
        profile.capacity = body.capacity
    if "shared_contact" in body.model_fields_set:
        profile.shared_contact = (body.shared_contact or "").strip() or None
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
