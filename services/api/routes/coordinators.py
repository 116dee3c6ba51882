"""Coordinator profiles: admins keep what routing knows; coordinators switch their own duty."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from services.api.deps import ContainerDep, CurrentAdmin, CurrentPrincipal, SessionDep
from services.incidents import coordinator_profiles as profiles
from services.incidents.coordinator_profiles import ProfilePublic, ProfileUpdate

router = APIRouter(tags=["coordinators"])


class Duty(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on_duty: bool


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
        return profiles.set_duty(uow, principal, body.on_duty)
