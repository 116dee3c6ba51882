"""Dialogues: organisers' management, residents' public registration, the secret registration link."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from services.api.deps import (
    ContainerDep,
    CurrentOrganiser,
    CurrentPrincipal,
    OptionalPrincipal,
    SessionDep,
    committed,
)
from services.api.limits import rate_limited
from services.bootstrap import Container
from services.dialogues import checklist, dialogue_views, organisers
from services.dialogues.attendance import mark_attendance
from services.dialogues.dialogue_views import RegistrantRow, dialogue_public
from services.dialogues.organisers import DialogueCreate, DialogueFields, DialoguePublic
from services.dialogues.registrations import (
    RegistrationCreate,
    RegistrationNeeds,
    RegistrationPublic,
    RegistrationReceived,
    by_link,
    cancel_by_link,
    change_needs,
    public,
    register_once,
)

router = APIRouter(tags=["dialogues"])


@router.post("/dialogues", response_model=DialoguePublic, status_code=status.HTTP_201_CREATED)
def create_dialogue(
    body: DialogueCreate, principal: CurrentOrganiser, container: ContainerDep
) -> DialoguePublic:
    """A draft; residents see it once it is published."""
    with committed(container) as uow:
        dialogue = organisers.create_dialogue(uow, principal, body)
    with container.uow() as uow:
        return dialogue_public(uow.session, dialogue)


class Changed(BaseModel):
    dialogue: DialoguePublic
    registrants_notified: bool


def _changed(container: Container, change: organisers.Changed) -> Changed:
    with container.uow() as uow:
        dialogue = dialogue_views.published_or_draft(uow.session, change.dialogue_id)
        return Changed(dialogue=dialogue, registrants_notified=change.registrants_notified)


@router.put("/dialogues/{dialogue_id}", response_model=Changed)
def update_dialogue(
    dialogue_id: str, body: DialogueFields, principal: CurrentPrincipal, container: ContainerDep
) -> Changed:
    """Edit; a new time or place is sent to everyone registered, with a new calendar invite."""
    with committed(container) as uow:
        change = organisers.change_dialogue(uow, principal, dialogue_id, body)
    return _changed(container, change)


@router.post("/dialogues/{dialogue_id}/publish", response_model=DialoguePublic)
def publish_dialogue(
    dialogue_id: str, principal: CurrentPrincipal, container: ContainerDep
) -> DialoguePublic:
    with committed(container) as uow:
        dialogue = organisers.publish_dialogue(uow, principal, dialogue_id)
    with container.uow() as uow:
        return dialogue_public(uow.session, dialogue)


@router.post("/dialogues/{dialogue_id}/cancel", response_model=Changed)
def cancel_dialogue(dialogue_id: str, principal: CurrentPrincipal, container: ContainerDep) -> Changed:
    """Everyone registered or waiting is told."""
    with committed(container) as uow:
        change = organisers.call_off(uow, principal, dialogue_id)
    return _changed(container, change)


@router.get("/dialogues", response_model=list[DialoguePublic])
def list_dialogues(
    session: SessionDep, container: ContainerDep, municipality_ags: str | None = None
) -> list[DialoguePublic]:
    """Published dialogues still to come (public)."""
    return dialogue_views.upcoming(session, container.clock(), municipality_ags)


@router.get("/dialogues/{dialogue_id}", response_model=DialoguePublic)
def read_dialogue(dialogue_id: str, principal: OptionalPrincipal, session: SessionDep) -> DialoguePublic:
    """Published dialogues are public; its organiser also sees a draft."""
    return dialogue_views.visible(session, principal, dialogue_id)


@router.get("/me/dialogues", response_model=list[DialoguePublic])
def my_dialogues(principal: CurrentOrganiser, session: SessionDep) -> list[DialoguePublic]:
    """The organiser's dialogues, drafts included."""
    return dialogue_views.organised_by(session, principal)


@router.post(
    "/dialogues/{dialogue_id}/registrations",
    response_model=RegistrationReceived,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(rate_limited("registration", "registrations_per_minute"))],
)
def register_for_dialogue(
    dialogue_id: str, body: RegistrationCreate, container: ContainerDep
) -> RegistrationReceived:
    """Public, no account. Answered at once and always the same way; the seat (or waiting-list place)
    and the link to the registration follow by e-mail. Registering again with the same address sends
    its owner their link again, and shows nothing here."""
    register_once(container.uow, dialogue_id, body)
    return RegistrationReceived(dialogue_id=dialogue_id)


Token = Annotated[str, Query(description="the secret from your registration link")]


@router.get("/registrations/{registration_id}", response_model=RegistrationPublic)
def read_registration(
    registration_id: str, token: Token, session: SessionDep, container: ContainerDep
) -> RegistrationPublic:
    return public(by_link(session, container.settings.secret_key.get_secret_value(), registration_id, token))


@router.put("/registrations/{registration_id}/needs", response_model=RegistrationPublic)
def update_needs(
    registration_id: str, token: Token, body: RegistrationNeeds, container: ContainerDep
) -> RegistrationPublic:
    with container.uow() as uow:
        registration = change_needs(uow, registration_id, token, body)
        uow.commit()
        return public(registration)


@router.post("/registrations/{registration_id}/cancel", response_model=RegistrationPublic)
def cancel_registration(registration_id: str, token: Token, container: ContainerDep) -> RegistrationPublic:
    """Your seat goes to the next person on the waiting list."""
    with container.uow() as uow:
        registration = cancel_by_link(uow, registration_id, token)
        uow.commit()
        return public(registration)


@router.get("/dialogues/{dialogue_id}/registrations", response_model=list[RegistrantRow])
def registrations(dialogue_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[RegistrantRow]:
    """Who is coming, for the organiser (no e-mail addresses or phone numbers)."""
    return dialogue_views.registrants(session, principal, dialogue_id)


@router.get("/dialogues/{dialogue_id}/registrations.csv")
def export_registrations(dialogue_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """CSV with only what the event needs: name, status, language and needs."""
    rows = dialogue_views.registrants(session, principal, dialogue_id)
    return Response(
        dialogue_views.registrants_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="registrations-{dialogue_id}.csv"'},
    )


class Attendance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    attended: bool


@router.post(
    "/dialogues/{dialogue_id}/registrations/{registration_id}/attendance", response_model=RegistrantRow
)
def check_in(
    dialogue_id: str,
    registration_id: str,
    body: Attendance,
    principal: CurrentPrincipal,
    container: ContainerDep,
) -> RegistrantRow:
    with container.uow() as uow:
        registration = mark_attendance(uow, principal, dialogue_id, registration_id, body.attended)
        uow.commit()
        found = dialogue_views.row(registration)
    return found.model_copy(update={"waitlist_position": None})


@router.get("/dialogues/{dialogue_id}/figures", response_model=dialogue_views.FiguresPublic)
def figures(
    dialogue_id: str, principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> dialogue_views.FiguresPublic:
    """Counts by status, attendance rate, and the logistics brief as it stands now."""
    return dialogue_views.figures(session, principal, dialogue_id, container.clock())


class TaskDone(BaseModel):
    model_config = ConfigDict(extra="forbid")
    done: bool


class ChecklistItemPublic(BaseModel):
    key: str
    title_de: str
    title_en: str
    deadline: datetime
    overdue: bool
    done_at: datetime | None


@router.get("/dialogues/{dialogue_id}/tasks", response_model=list[ChecklistItemPublic])
def tasks(
    dialogue_id: str, principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> list[ChecklistItemPublic]:
    """The logistics brief's tasks as a checklist: open ones first, overdue ones at the top."""
    found = checklist.checklist(session, principal, dialogue_id, container.clock())
    return [ChecklistItemPublic.model_validate(item, from_attributes=True) for item in found]


@router.put("/dialogues/{dialogue_id}/tasks/{key}", response_model=list[ChecklistItemPublic])
def tick(
    dialogue_id: str, key: str, body: TaskDone, principal: CurrentPrincipal, container: ContainerDep
) -> list[ChecklistItemPublic]:
    """Tick a task off, or untick it."""
    with container.uow() as uow:
        checklist.mark_task(uow, principal, dialogue_id, key, body.done)
        uow.commit()
        found = checklist.checklist(uow.session, principal, dialogue_id, container.clock())
    return [ChecklistItemPublic.model_validate(item, from_attributes=True) for item in found]
