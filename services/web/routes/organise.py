"""Organisers run their dialogues: the list (drafts included, and where a draft came from), create
and edit with each problem shown at its field, publish and cancel after a confirmation. The day's
work (registrations, checklist, figures, CSV, the door) is in ``organise_day``. The API's operations
throughout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from services.access import Principal
from services.api.deps import ContainerDep, SessionDep, committed
from services.dialogues import dialogue_views, organisers
from services.dialogues.dialogue_access import organised
from services.dialogues.organisers import DialogueCreate, DialogueFields
from services.selfchecks.questionnaire_files import questionnaire
from services.selfchecks.tables import SelfCheckRecommendation, SelfCheckRound
from services.store.tables import Role
from services.web.forms import checked, field_errors, listed
from services.web.i18n import BERLIN, N_
from services.web.render import Visit, redirect, render
from services.web.routes.residents import municipality_name
from services.web.visits import Form, PageVisit
from workflows.errors import Forbidden

router = APIRouter()
FORMATS = ("citizen_dialogue", "round_table", "future_workshop", "online")
ACCESSIBILITY = (
    "step_free",
    "hearing_loop",
    "accessible_toilet",
    "quiet_room",
    "parking",
    "public_transport",
)
LANGUAGES = ("de", "en", "tr", "ar", "uk", "ru", "fa", "pl")
MOMENTS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
MESSAGES = {
    "title": N_("Enter a title of 3 to 200 characters"),
    "description": N_("Keep the description under 10,000 characters"),
    "format": N_("Choose a format"),
    "municipality_ags": N_("Enter the municipality's 8-digit key (AGS), like 03254021"),
    "starts_at": N_("Enter the day and time it starts"),
    "ends_at": N_("Enter the day and time it ends, after the start"),
    "venue": N_("Enter the place: name and address (not needed online)"),
    "capacity": N_("Enter the number of seats, from 1"),
    "registration_opens_at": N_("Enter when registration opens"),
    "registration_closes_at": N_("Enter when registration closes: after it opens and by the start"),
    "languages": N_("Choose at least one language"),
    "form": N_("Check the times and the place"),
}


def organiser(visit: Visit) -> Principal:
    if visit.principal is None or visit.principal.role not in (Role.ORGANISER, Role.ADMIN):
        raise Forbidden("for organisers")
    return visit.principal


def _moment(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M").replace(tzinfo=BERLIN)
    except ValueError:
        return None


def _local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M")


def _given(form: dict[str, str], base: dict[str, Any]) -> dict[str, Any]:
    """The form's answers over what the dialogue holds (a field left out of the form stays)."""
    given = dict(base)
    for name in ("title", "description", "format", "venue", "allocation"):
        if name in form:
            given[name] = form[name].strip()
    given["capacity"] = form.get("capacity", "").strip() or None
    given["waitlist_enabled"] = checked(form, "waitlist_enabled")
    given["accessibility"] = listed(form, "access")
    given["languages"] = listed(form, "language")
    for name in MOMENTS:
        given[name] = _moment(form.get(name, ""))
    return given


RULES = (  # what a rule across fields says, and the field it is shown at
    ("ends_at must be after", "ends_at"),
    ("registration must open", "registration_closes_at"),
    ("a venue is needed", "venue"),
)


def _problems(visit: Visit, error: ValidationError) -> dict[str, str]:
    errors = field_errors(visit, error, MESSAGES)
    if "form" in errors:  # a rule across fields: said at the field it is about
        message = errors.pop("form")
        text = str(error)
        at = [name for rule, name in RULES if rule in text]
        for name in at:
            errors.setdefault(name, visit.gettext(MESSAGES[name]))
        if not at:
            errors["form"] = message
    return errors


@router.get("/organise", response_class=HTMLResponse)
def my_dialogues(visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/organise")
    found = dialogue_views.organised_by(session, organiser(visit))
    origins = {
        r.dialogue_id
        for r in session.exec(
            select(SelfCheckRecommendation).where(
                col(SelfCheckRecommendation.dialogue_id).in_([d.id for d in found])
            )
        ).all()
    }
    return render(visit, "organise.html", dialogues=found, origins=origins, place_name=municipality_name)


@router.get("/organise/new", response_class=HTMLResponse)
def new(visit: PageVisit) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/organise/new")
    organiser(visit)
    return _form(
        visit, None, {"format": "citizen_dialogue", "languages": ["de"], "waitlist_enabled": True}, {}
    )


def _form(visit: Visit, dialogue_id: str | None, values: dict[str, Any], errors: dict[str, str]) -> Response:
    shown = {k: (_local(v) if isinstance(v, datetime) else v) for k, v in values.items()}
    return render(
        visit,
        "organise_form.html",
        status_code=422 if errors else 200,
        dialogue_id=dialogue_id,
        values=shown,
        errors=errors,
        formats=FORMATS,
        accessibility=ACCESSIBILITY,
        languages_offered=LANGUAGES,
    )


@router.post("/organise", response_class=HTMLResponse)
def create(visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = organiser(visit)
    values = {**_given(form, {}), "municipality_ags": form.get("municipality_ags", "").strip()}
    try:
        body = DialogueCreate.model_validate(values)
    except ValidationError as exc:
        return _form(visit, None, values, _problems(visit, exc))
    with committed(container) as uow:
        dialogue = organisers.create_dialogue(uow, principal, body)
    return redirect(visit, f"/organise/{dialogue.id}?done=created")


@router.get("/organise/{dialogue_id}/edit", response_class=HTMLResponse)
def edit(dialogue_id: str, visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/organise/{dialogue_id}/edit")
    dialogue = organised(session, organiser(visit), dialogue_id, change=True)
    return _form(visit, dialogue_id, organisers.fields_of(dialogue), {})


@router.post("/organise/{dialogue_id}/edit", response_class=HTMLResponse)
def save(
    dialogue_id: str, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    principal = organiser(visit)
    values = _given(form, organisers.fields_of(organised(session, principal, dialogue_id, change=True)))
    try:
        body = DialogueFields.model_validate(values)
    except ValidationError as exc:
        return _form(visit, dialogue_id, values, _problems(visit, exc))
    with committed(container) as uow:
        changed = organisers.change_dialogue(uow, principal, dialogue_id, body)
    return redirect(
        visit, f"/organise/{dialogue_id}?done={'notified' if changed.registrants_notified else 'saved'}"
    )


@router.post("/organise/{dialogue_id}/publish", response_class=HTMLResponse)
def publish(dialogue_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = organiser(visit)
    if form.get("confirm") != "yes":
        return redirect(visit, f"/organise/{dialogue_id}?confirm=publish#publish")
    with committed(container) as uow:
        organisers.publish_dialogue(uow, principal, dialogue_id)
    return redirect(visit, f"/organise/{dialogue_id}?done=published")


@router.post("/organise/{dialogue_id}/cancel", response_class=HTMLResponse)
def cancel(dialogue_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    principal = organiser(visit)
    if form.get("confirm") != "yes":
        return redirect(visit, f"/organise/{dialogue_id}?confirm=cancel#cancel")
    with committed(container) as uow:
        organisers.call_off(uow, principal, dialogue_id)
    return redirect(visit, f"/organise/{dialogue_id}?done=cancelled")


def origin(session: Session, dialogue_id: str, language: str) -> str | None:
    """The field of action of the self-check recommendation a draft was made from, if any."""
    found = session.exec(
        select(SelfCheckRecommendation).where(SelfCheckRecommendation.dialogue_id == dialogue_id)
    ).first()
    if found is None:
        return None
    round_ = session.get(SelfCheckRound, found.round_id)
    fields = questionnaire(round_.questionnaire_version).fields_by_id if round_ else {}
    field = fields.get(found.field)
    return field.title["en" if language == "en" else "de"] if field else found.field
