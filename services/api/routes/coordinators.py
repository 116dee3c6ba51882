"""Coordinator profiles: admins keep what routing knows; coordinators switch their own duty."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.api.deps import ContainerDep, CurrentAdmin, CurrentPrincipal, SessionDep
from services.incidents import coordinator_profiles as profiles
from services.incidents import duty, on_call
from services.incidents.coordinator_profiles import OwnProfileUpdate, ProfilePublic, ProfileUpdate
from services.incidents.duty import OpenCases
from services.incidents.on_call import Rota, RotaUpdate

router = APIRouter(tags=["coordinators"])


class Duty(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on_duty: bool
    open_cases: OpenCases | None = Field(
        default=None, description="going off duty with open cases: hand_over (to your backup) or keep"
    )


@router.get("/coordinators", response_model=list[ProfilePublic])
def list_coordinators(principal: CurrentAdmin, session: SessionDep) -> list[ProfilePublic]:
    """Every coordinator routing can choose from, by region."""
    return profiles.all_profiles(session, principal)


@router.put("/coordinators/{account_id}/profile", response_model=ProfilePublic)
def set_profile(
    account_id: str, body: ProfileUpdate, principal: CurrentAdmin, container: ContainerDep
) -> ProfilePublic:
    """Create or change a coordinator's expertise, languages, capacity, team lead and on-call role."""
    with container.uow() as uow:
        return profiles.set_profile(uow, principal, account_id, body)


@router.put("/me/duty", response_model=ProfilePublic)
def set_my_duty(body: Duty, principal: CurrentPrincipal, container: ContainerDep) -> ProfilePublic:
    """A coordinator goes on or off duty."""
    with container.uow() as uow:
        return duty.set_duty(uow, principal, body.on_duty, body.open_cases)


@router.patch("/me/coordinator-profile", response_model=ProfilePublic)
def update_my_profile(
    body: OwnProfileUpdate, principal: CurrentPrincipal, container: ContainerDep
) -> ProfilePublic:
    """A coordinator keeps their languages, capacity and the contact route they share with reporters."""
    with container.uow() as uow:
        return profiles.update_own(uow, principal, body)


@router.get("/me/shifts", response_model=duty.Shifts)
def my_shifts(principal: CurrentPrincipal, session: SessionDep, container: ContainerDep) -> duty.Shifts:
    """The caller's duty shifts that have not ended."""
    return duty.my_shifts(session, principal, container.clock())


@router.put("/me/shifts", response_model=duty.Shifts)
def set_my_shifts(body: duty.Shifts, principal: CurrentPrincipal, container: ContainerDep) -> duty.Shifts:
    """Replace the caller's coming shifts; an empty list removes all: the on/off switch alone decides."""
    with container.uow() as uow:
        return duty.set_shifts(uow, principal, body)


@router.get("/on-call", response_model=Rota)
def show_rota(
    principal: CurrentAdmin,
    session: SessionDep,
    container: ContainerDep,
    start: AwareDatetime | None = None,
    days: Annotated[int, Query(ge=1, le=62)] = 14,
) -> Rota:
    """The programme on-call rota from ``start`` (default: now) for ``days`` days, with its gaps."""
    begin = start or container.clock()
    return on_call.rota(session, principal, begin, begin + timedelta(days=days), container.clock())


@router.put("/on-call", response_model=Rota)
def set_rota(body: RotaUpdate, principal: CurrentAdmin, container: ContainerDep) -> Rota:
    """Replace the turns of a stretch of time (every turn starting inside it); gaps are warned."""
    with container.uow() as uow:
        return on_call.set_rota(uow, principal, body)
