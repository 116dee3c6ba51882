"""Dialogues: organisers' management, residents' public registration, the secret registration link."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func
from sqlmodel import Session, col, select

from services.access import Principal, Scope, require_access, require_role
from services.api.deps import ContainerDep, CurrentPrincipal, SessionDep
from services.api.limits import rate_limited
from services.bootstrap import Container
from services.dialogues import organisers
from services.dialogues.organisers import DialogueCreate, DialogueFields, DialoguePublic
from services.dialogues.registrations import (
    DialogueClosed,
    RegistrationCreate,
    RegistrationNeeds,
    RegistrationPublic,
    apply_needs,
    cancel,
    public,
    register_once,
    token_matches,
)
from services.dialogues.tables import Dialogue, DialogueStatus, Registration
from services.dialogues.timers import needs_of
from services.store.tables import Role
from workflows.dialogues.logistics import brief
from workflows.dialogues.seating import HOLDS_SEAT, RegistrationStatus

router = APIRouter(tags=["dialogues"])


def _public(session: Session, dialogue: Dialogue) -> DialoguePublic:
    taken = session.exec(
        select(func.count())
        .select_from(Registration)
        .where(Registration.dialogue_id == dialogue.id, col(Registration.status).in_(HOLDS_SEAT))
    ).one()
    return DialoguePublic(
        id=dialogue.id,
        organiser_id=dialogue.organiser_id,
        municipality_ags=dialogue.municipality_ags,
        title=dialogue.title,
        description=dialogue.description,
        format=dialogue.format,
        starts_at=dialogue.starts_at,
        ends_at=dialogue.ends_at,
        venue=dialogue.venue,
        accessibility=[a for a in dialogue.accessibility.split(",") if a],
        capacity=dialogue.capacity,
        waitlist_enabled=dialogue.waitlist_enabled,
        registration_opens_at=dialogue.registration_opens_at,
        registration_closes_at=dialogue.registration_closes_at,
        languages=dialogue.languages.split(","),
        allocation=dialogue.allocation,
        status=dialogue.status,
        privacy_version=dialogue.privacy_version,
        seats_left=max(0, dialogue.capacity - taken),
        lottery_seed=dialogue.lottery_seed,
    )


def _scope(dialogue: Dialogue) -> Scope:
    return Scope(organiser_id=dialogue.organiser_id, municipality_ags=dialogue.municipality_ags)


def _organised(session: Session, principal: Principal, dialogue_id: str, change: bool = False) -> Dialogue:
    dialogue = session.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dialogue not found")
    require_access(principal, _scope(dialogue), "dialogue")
    if change and principal.role is not Role.ADMIN and principal.account_id != dialogue.organiser_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only the organiser or an admin may change this dialogue"
        )
    return dialogue


@router.post("/dialogues", response_model=DialoguePublic, status_code=status.HTTP_201_CREATED)
def create_dialogue(
    body: DialogueCreate, principal: CurrentPrincipal, container: ContainerDep
) -> DialoguePublic:
    """A draft; residents see it once it is published."""
    require_role(principal, Role.ORGANISER, Role.ADMIN)
    with container.uow() as uow:
        dialogue = organisers.create(uow, principal.account_id, body)
        uow.commit()
        return _public(uow.session, dialogue)


class Changed(BaseModel):
    dialogue: DialoguePublic
    registrants_notified: bool


def _change(
    container: Container,
    principal: Principal,
    dialogue_id: str,
    action: str,
    body: DialogueFields | None = None,
) -> tuple[Dialogue, bool]:
    with container.uow() as uow:
        dialogue = _organised(uow.session, principal, dialogue_id, change=True)
        notified = False
        try:
            if action == "update":
                assert body is not None
                notified = organisers.update(uow, dialogue, body)
            elif action == "publish":
                organisers.publish(uow, dialogue)
            else:
                organisers.cancel_dialogue(uow, dialogue)
                notified = True
        except ValueError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
        uow.commit()
        return dialogue, notified


@router.put("/dialogues/{dialogue_id}", response_model=Changed)
def update_dialogue(
    dialogue_id: str,
    body: DialogueFields,
    principal: CurrentPrincipal,
    container: ContainerDep,
    session: SessionDep,
) -> Changed:
    """Edit; a new time or place is sent to everyone registered, with a new calendar invite."""
    dialogue, notified = _change(container, principal, dialogue_id, "update", body)
    return Changed(dialogue=_public(session, dialogue), registrants_notified=notified)


@router.post("/dialogues/{dialogue_id}/publish", response_model=DialoguePublic)
def publish_dialogue(
    dialogue_id: str, principal: CurrentPrincipal, container: ContainerDep, session: SessionDep
) -> DialoguePublic:
    dialogue, _ = _change(container, principal, dialogue_id, "publish")
    return _public(session, dialogue)


@router.post("/dialogues/{dialogue_id}/cancel", response_model=Changed)
def cancel_dialogue(
    dialogue_id: str, principal: CurrentPrincipal, container: ContainerDep, session: SessionDep
) -> Changed:
    dialogue, notified = _change(container, principal, dialogue_id, "cancel")
    return Changed(dialogue=_public(session, dialogue), registrants_notified=notified)


@router.get("/dialogues", response_model=list[DialoguePublic])
def list_dialogues(
    session: SessionDep, container: ContainerDep, municipality_ags: str | None = None
) -> list[DialoguePublic]:
    """Published dialogues still to come (public)."""
    query = select(Dialogue).where(
        Dialogue.status == DialogueStatus.PUBLISHED, col(Dialogue.starts_at) > container.clock()
    )
    if municipality_ags:
        query = query.where(Dialogue.municipality_ags == municipality_ags)
    return [_public(session, d) for d in session.exec(query.order_by(col(Dialogue.starts_at)).limit(200))]


@router.get("/dialogues/{dialogue_id}", response_model=DialoguePublic)
def read_dialogue(dialogue_id: str, session: SessionDep) -> DialoguePublic:
    dialogue = session.get(Dialogue, dialogue_id)
    if dialogue is None or dialogue.status == DialogueStatus.DRAFT:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dialogue not found")
    return _public(session, dialogue)


@router.post(
    "/dialogues/{dialogue_id}/registrations",
    response_model=RegistrationPublic,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[Depends(rate_limited("registration", "registrations_per_minute"))],
)
def register_for_dialogue(dialogue_id: str, body: RegistrationCreate, container: ContainerDep) -> Response:
    """Public, no account. Answered at once; the seat (or waiting-list place) follows by e-mail.
    Registering again with the same e-mail returns the existing registration."""
    secret = container.settings.secret_key.get_secret_value()
    try:
        registration, created = register_once(container.uow, dialogue_id, body)
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "dialogue not found") from None
    except DialogueClosed as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    if created:
        answer = public(registration, container.settings.public_base_url, secret)
        return JSONResponse(answer.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)
    # Never hand the secret link to whoever knows an e-mail address: the person has it by mail.
    return JSONResponse(public(registration).model_dump(mode="json"), status_code=status.HTTP_200_OK)


Token = Annotated[str, Query(description="the secret from your registration link")]


def _by_link(session: Session, container: Container, registration_id: str, token: str) -> Registration:
    registration = session.get(Registration, registration_id)
    if registration is None or not token_matches(
        container.settings.secret_key.get_secret_value(), registration_id, token
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "registration not found")
    return registration


@router.get("/registrations/{registration_id}", response_model=RegistrationPublic)
def read_registration(
    registration_id: str, token: Token, session: SessionDep, container: ContainerDep
) -> RegistrationPublic:
    return public(_by_link(session, container, registration_id, token))


@router.put("/registrations/{registration_id}/needs", response_model=RegistrationPublic)
def update_needs(
    registration_id: str, token: Token, body: RegistrationNeeds, container: ContainerDep
) -> RegistrationPublic:
    with container.uow() as uow:
        registration = _by_link(uow.session, container, registration_id, token)
        if registration.status == RegistrationStatus.CANCELLED:
            raise HTTPException(status.HTTP_409_CONFLICT, "the registration is cancelled")
        apply_needs(registration, body)
        uow.session.add(registration)
        uow.commit()
        return public(registration)


@router.post("/registrations/{registration_id}/cancel", response_model=RegistrationPublic)
def cancel_registration(registration_id: str, token: Token, container: ContainerDep) -> RegistrationPublic:
    """Your seat goes to the next person on the waiting list."""
    with container.uow() as uow:
        registration = _by_link(uow.session, container, registration_id, token)
        try:
            cancel(uow, registration)
        except DialogueClosed as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
        uow.commit()
        return public(registration)


class RegistrantRow(BaseModel):
    id: str
    name: str | None
    status: str
    waitlist_position: int | None
    language: str
    needs: RegistrationNeeds
    requested_at: datetime


@router.get("/dialogues/{dialogue_id}/registrations", response_model=list[RegistrantRow])
def registrations(dialogue_id: str, principal: CurrentPrincipal, session: SessionDep) -> list[RegistrantRow]:
    """Who is coming, for the organiser (no e-mail addresses or phone numbers)."""
    dialogue = _organised(session, principal, dialogue_id, change=True)
    rows = session.exec(
        select(Registration)
        .where(Registration.dialogue_id == dialogue.id)
        .order_by(col(Registration.requested_at))
    ).all()
    return [
        RegistrantRow(
            id=r.id,
            name=r.name,
            status=r.status,
            waitlist_position=r.waitlist_position,
            language=r.language,
            needs=public(r).needs,
            requested_at=r.requested_at,
        )
        for r in rows
    ]


@router.get("/dialogues/{dialogue_id}/registrations.csv")
def export_registrations(dialogue_id: str, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """CSV with only what the event needs: name, status, language and needs."""
    rows = registrations(dialogue_id, principal, session)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "name",
            "status",
            "waitlist_position",
            "language",
            "step_free",
            "sign_language",
            "simple_language",
            "interpreter_languages",
            "children_ages",
            "dietary",
        ]
    )
    for row in rows:
        if row.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
            continue
        needs = row.needs
        writer.writerow(
            [
                row.name or "",
                row.status,
                row.waitlist_position or "",
                row.language,
                int(needs.step_free),
                int(needs.sign_language),
                int(needs.simple_language),
                " ".join(needs.interpreter_languages),
                " ".join(map(str, needs.children_ages)),
                needs.dietary,
            ]
        )
    return Response(
        buffer.getvalue(),
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
        dialogue = _organised(uow.session, principal, dialogue_id, change=True)
        registration = uow.session.get(Registration, registration_id)
        if registration is None or registration.dialogue_id != dialogue.id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "registration not found")
        if registration.status not in HOLDS_SEAT:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"only confirmed registrations attend; this one is {registration.status}",
            )
        registration.status = RegistrationStatus.ATTENDED if body.attended else RegistrationStatus.NO_SHOW
        uow.session.add(registration)
        uow.commit()
        return RegistrantRow(
            id=registration.id,
            name=registration.name,
            status=registration.status,
            waitlist_position=None,
            language=registration.language,
            needs=public(registration).needs,
            requested_at=registration.requested_at,
        )


@router.get("/dialogues/{dialogue_id}/figures")
def figures(dialogue_id: str, principal: CurrentPrincipal, session: SessionDep) -> dict[str, object]:
    """Counts by status, attendance rate, and the logistics brief as it stands now."""
    dialogue = _organised(session, principal, dialogue_id)
    rows = session.exec(select(Registration).where(Registration.dialogue_id == dialogue.id)).all()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    attended, no_show = counts.get("attended", 0), counts.get("no_show", 0)
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    summary = brief(
        [needs_of(r) for r in confirmed],
        counts.get("waitlisted", 0),
        dialogue.capacity,
        dialogue.starts_at,
        "step_free" in dialogue.accessibility.split(","),
    )
    return {
        "by_status": counts,
        "attendance_rate": round(attended / (attended + no_show), 3) if attended + no_show else None,
        "logistics": {
            **{k: v for k, v in summary.__dict__.items() if k != "tasks"},
            "tasks": [{"key": t.key, "title": t.title_en, "deadline": t.deadline} for t in summary.tasks],
        },
        "quotas": json.loads(dialogue.quotas),
        "lottery_seed": dialogue.lottery_seed,
    }
