"""Residents: upcoming dialogues, a dialogue's page, registering (no account), "check your mail", and
the registration's page behind the mailed link (status, needs, calendar, cancel). The same
operations as the API's; the mailed link's secret travels in the address and in hidden fields."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from notifications.attachments import calendar_invite
from services.api.deps import ContainerDep, SessionDep
from services.bootstrap import Container
from services.demo.municipalities import MUNICIPALITIES
from services.dialogues import dialogue_views
from services.dialogues.registrations import (
    RegistrationCreate,
    RegistrationNeeds,
    by_link,
    cancel_by_link,
    change_needs,
    public,
    register_once,
)
from services.dialogues.tables import Dialogue, Registration
from services.web.forms import checked, field_errors, listed, numbers
from services.web.i18n import N_
from services.web.render import Visit, redirect, render
from services.web.visits import Form, PageVisit
from workflows.errors import Conflict, Invalid

router = APIRouter()
INTERPRETER_LANGUAGES = ("ar", "tr", "uk", "ru", "fa", "pl", "en")
MESSAGES = {
    "name": N_("Enter your name"),
    "email": N_("Enter an e-mail address like name@example.org"),
    "phone": N_("Enter a phone number with digits, like 0170 1234567, or leave it empty"),
    "children_ages": N_("Enter the children's ages as numbers from 0 to 14, separated by commas"),
    "dietary": N_("Keep the food wishes under 200 characters"),
    "note": N_("Keep the note under 2000 characters"),
    "privacy_consent": N_("Agree to the privacy text to register"),
    "groups": N_("Choose only the groups offered"),
}


def municipality_name(ags: str) -> str:
    return MUNICIPALITIES.get(ags, ags)


@router.get("/dialogues", response_class=HTMLResponse)
def upcoming(
    visit: PageVisit, session: SessionDep, container: ContainerDep, municipality: str = ""
) -> Response:
    everything = dialogue_views.upcoming(session, container.clock(), None)
    chosen = municipality if municipality in {d.municipality_ags for d in everything} else ""
    shown = [d for d in everything if not chosen or d.municipality_ags == chosen]
    places = sorted({d.municipality_ags for d in everything}, key=municipality_name)
    return render(
        visit, "dialogues.html", dialogues=shown, places=places, chosen=chosen, place_name=municipality_name
    )


@router.get("/dialogues/{dialogue_id}", response_class=HTMLResponse)
def dialogue_page(
    dialogue_id: str, visit: PageVisit, session: SessionDep, container: ContainerDep
) -> Response:
    dialogue = dialogue_views.published(session, dialogue_id)
    now = container.clock()
    return render(
        visit,
        "dialogue.html",
        dialogue=dialogue,
        place=municipality_name(dialogue.municipality_ags),
        open_now=dialogue.status == "published"
        and dialogue.registration_opens_at <= now < dialogue.registration_closes_at,
        not_yet=now < dialogue.registration_opens_at,
    )


@router.get("/dialogues/{dialogue_id}/register", response_class=HTMLResponse)
def registration_form(dialogue_id: str, visit: PageVisit, session: SessionDep) -> Response:
    dialogue = dialogue_views.published(session, dialogue_id)
    stored = session.get(Dialogue, dialogue_id)
    return _form(
        visit, dialogue, stored, {}, {"language": visit.language if visit.language == "en" else "de"}
    )


def _form(
    visit: PageVisit,
    dialogue: object,
    stored: Dialogue | None,
    errors: dict[str, str],
    values: dict[str, str],
    status: int = 200,
) -> Response:
    return render(
        visit,
        "register.html",
        status_code=status,
        dialogue=dialogue,
        retention_days=stored.retention_days if stored else 30,
        errors=errors,
        values=values,
        interpreter_languages=INTERPRETER_LANGUAGES,
    )


@router.post("/dialogues/{dialogue_id}/register", response_class=HTMLResponse)
def register(
    dialogue_id: str, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    dialogue = dialogue_views.published(session, dialogue_id)
    errors: dict[str, str] = {}
    try:
        body = RegistrationCreate.model_validate(
            {
                "name": form.get("name", "").strip(),
                "email": form.get("email", "").strip(),
                "phone": form.get("phone", "").strip() or None,
                "language": form.get("language", "de"),
                "needs": _needs(form),
                "groups": listed(form, "group"),
                "privacy_consent": form.get("privacy_version", ""),  # the text this person was shown
            }
        )
    except ValidationError as exc:
        errors = field_errors(visit, exc, MESSAGES)
    if not checked(form, "privacy_consent"):  # said together with every other problem of the form
        errors["privacy_consent"] = visit.gettext(MESSAGES["privacy_consent"])
    if not errors:
        try:
            register_once(container.uow, dialogue_id, body)
        except Invalid as exc:
            errors["privacy_consent" if "privacy" in str(exc) else "groups"] = visit.gettext(
                MESSAGES["privacy_consent" if "privacy" in str(exc) else "groups"]
            )
        except Conflict:
            errors["form"] = visit.gettext(
                "Registration for this dialogue is not possible now: it is closed or full."
            )
        else:
            return redirect(visit, f"/dialogues/{dialogue_id}/registered")
    return _form(visit, dialogue, session.get(Dialogue, dialogue_id), errors, dict(form), status=422)


def _needs(form: dict[str, str]) -> dict[str, object]:
    return {
        "step_free": checked(form, "step_free"),
        "sign_language": checked(form, "sign_language"),
        "simple_language": checked(form, "simple_language"),
        "interpreter_languages": listed(form, "interpreter"),
        "children_ages": numbers(form.get("children_ages", "")),
        "dietary": form.get("dietary", "").strip(),
        "note": form.get("note", "").strip(),
    }


@router.get("/dialogues/{dialogue_id}/registered", response_class=HTMLResponse)
def check_your_mail(dialogue_id: str, visit: PageVisit, session: SessionDep) -> Response:
    return render(visit, "registered.html", dialogue=dialogue_views.published(session, dialogue_id))


def _registration(session: Session, container: Container, registration_id: str, token: str) -> Registration:
    return by_link(session, container.settings.secret_key.get_secret_value(), registration_id, token)


@router.get("/registrations/{registration_id}", response_class=HTMLResponse)
def manage(
    registration_id: str, visit: PageVisit, session: SessionDep, container: ContainerDep, token: str = ""
) -> Response:
    saved = visit.request.query_params.get("saved") == "1"
    return _registration_page(visit, session, container, registration_id, token, {}, saved)


def _registration_page(
    visit: Visit,
    session: Session,
    container: Container,
    registration_id: str,
    token: str,
    errors: dict[str, str],
    saved: bool = False,
) -> Response:
    registration = _registration(session, container, registration_id, token)
    dialogue = dialogue_views.published(session, registration.dialogue_id)
    return render(
        visit,
        "registration.html",
        status_code=422 if errors else 200,
        registration=public(registration),
        dialogue=dialogue,
        place=municipality_name(dialogue.municipality_ags),
        token=token,
        errors=errors,
        saved=saved,
        interpreter_languages=INTERPRETER_LANGUAGES,
    )


@router.post("/registrations/{registration_id}/needs", response_class=HTMLResponse)
def save_needs(
    registration_id: str, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    token = form.get("token", "")
    try:
        needs = RegistrationNeeds.model_validate(_needs(form))
    except ValidationError as exc:
        errors = field_errors(visit, exc, MESSAGES)
        return _registration_page(visit, session, container, registration_id, token, errors)
    with container.uow() as uow:
        change_needs(uow, registration_id, token, needs)
        uow.commit()
    return redirect(visit, f"/registrations/{registration_id}?token={token}&saved=1")


@router.get("/registrations/{registration_id}/cancel", response_class=HTMLResponse)
def confirm_cancel(
    registration_id: str, visit: PageVisit, session: SessionDep, container: ContainerDep, token: str = ""
) -> Response:
    registration = _registration(session, container, registration_id, token)
    dialogue = dialogue_views.published(session, registration.dialogue_id)
    return render(visit, "cancel.html", registration=public(registration), dialogue=dialogue, token=token)


@router.post("/registrations/{registration_id}/cancel", response_class=HTMLResponse)
def cancel(registration_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    token = form.get("token", "")
    with container.uow() as uow:
        cancel_by_link(uow, registration_id, token)
        uow.commit()
    return redirect(visit, f"/registrations/{registration_id}?token={token}")


@router.get("/registrations/{registration_id}/calendar.ics")
def calendar(registration_id: str, session: SessionDep, container: ContainerDep, token: str = "") -> Response:
    registration = _registration(session, container, registration_id, token)
    dialogue = dialogue_views.published(session, registration.dialogue_id)
    invite = calendar_invite(
        {
            "registration_uid": registration.id,
            "calendar_sequence": registration.calendar_sequence,
            "starts_at": dialogue.starts_at,
            "ends_at": dialogue.ends_at,
            "dialogue_title": dialogue.title,
            "venue": dialogue.venue,
        },
        container.clock(),
    )
    return Response(
        invite.data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="dialog.ics"'},
    )
