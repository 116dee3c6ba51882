"""Per-object authorisation: one helper every operation uses, whatever the interface (DESIGN
invariant 7).

An object states who may see it (its Scope); a caller is a Principal. A denial is NotFound (the API
answers 404), so a caller cannot even learn that someone else's object exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.store.tables import Account, Role
from workflows.errors import Forbidden, NotFound


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: str
    role: Role
    municipality_ags: str | None = None
    region: str | None = None  # AGS prefixes a coordinator covers, comma-separated

    @classmethod
    def of(cls, account: Account, regions: str | None = None) -> Principal:
        """``regions``: a coordinator's covered prefixes from their profile (else the account's)."""
        return cls(account.id, Role(account.role), account.municipality_ags, regions or account.region)

    @property
    def regions(self) -> tuple[str, ...]:
        return region_prefixes(self.region)

    def covers(self, ags: str | None) -> bool:
        return ags is not None and any(ags.startswith(prefix) for prefix in self.regions)


def region_prefixes(regions: str | None) -> tuple[str, ...]:
    return tuple(p for p in (regions or "").split(",") if p)


@dataclass(frozen=True, slots=True)
class Scope:
    """Who may see an object. Each kind of object fills in only what grants access to it: a case
    names its reporter, assignee and region, never its municipality, so the administration an
    official works for cannot read the official's report."""

    owner_id: str | None = None  # the official who reported it, the account itself, ...
    assignee_id: str | None = None  # the coordinator it is routed to
    organiser_id: str | None = None
    region_ags: str | None = None  # coordinators whose region prefixes this AGS code may see it
    municipality_ags: str | None = None  # the municipality account of this AGS code may see it


def can_access(principal: Principal, scope: Scope) -> bool:
    if principal.role is Role.ADMIN:
        return True
    if principal.account_id in (scope.owner_id, scope.assignee_id):
        return True
    if principal.role is Role.ORGANISER:
        return scope.organiser_id == principal.account_id
    if principal.role is Role.COORDINATOR:
        return principal.covers(scope.region_ags)
    if principal.role is Role.MUNICIPALITY:
        return bool(principal.municipality_ags) and scope.municipality_ags == principal.municipality_ags
    return False


def require_access(principal: Principal, scope: Scope, what: str = "object") -> None:
    """Raise NotFound unless the principal may access an object with this scope."""
    if not can_access(principal, scope):
        raise NotFound(f"{what} not found")


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise RoleNotAllowed()


class RoleNotAllowed(Forbidden):
    def __init__(self) -> None:
        super().__init__("your role may not do this")
