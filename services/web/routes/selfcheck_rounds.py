"""Municipalities run their self-checks: their rounds, opening one, the people asked to answer (each
with their own secret link to hand on, and how far they are: never what they answered), closing and
submitting the round after a confirmation, and, once scored, the result and its recommendations,
each of which can become a draft dialogue for an organiser. The API's operations throughout."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from services.access import Principal
from services.api.deps import ContainerDep, SessionDep, committed
from services.bootstrap import Container
from services.selfchecks import rounds
from services.selfchecks.questionnaire_files import LATEST, VERSIONS, questionnaire
from services.selfchecks.recipients import answer_path
from services.selfchecks.schemas import RespondentCreate, RoundCreate
from services.store.tables import Account, Role
from services.web.forms import checked, field_errors
from services.web.i18n import N_
from services.web.render import Visit, redirect, render
from services.web.visits import Form, PageVisit
from workflows.errors import Forbidden
from workflows.selfchecks.round_rules import FieldErrors

router = APIRouter()
MESSAGES = {
    "population": N_("Enter the number of inhabitants, from 1"),
    "label": N_("Name who answers, like 'Bürgeramt' (at most 120 characters)"),
    "email": N_("Enter an e-mail address like name@example.org, or leave it empty"),
}


def municipality(visit: Visit) -> Principal:
    if visit.principal is None or visit.principal.role is not Role.MUNICIPALITY:
        raise Forbidden("for municipalities")
    return visit.principal


@router.get("/selfchecks", response_class=HTMLResponse)
def my_rounds(visit: PageVisit, session: SessionDep) -> Response:
    if visit.principal is None:
        return redirect(visit, "/sign-in?next=/selfchecks")
    return _list(visit, session, {}, "")


def _list(visit: Visit, session: Session, errors: dict[str, str], population: str) -> Response:
    found = rounds.rounds_of(session, municipality(visit))
    return render(
        visit,
        "selfcheck_rounds.html",
        status_code=422 if errors else 200,
        rounds=found,
        errors=errors,
        population=population,
        versions=[(v, len(questionnaire(v).questions), bool(questionnaire(v).goals)) for v in VERSIONS],
    )


@router.post("/selfchecks", response_class=HTMLResponse)
def open_round(visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep) -> Response:
    principal = municipality(visit)
    population = form.get("population", "").strip().replace(".", "")
    try:
        body = RoundCreate.model_validate(
            {
                "population": population or None,
                "peer_exchange_opt_in": checked(form, "peer_exchange_opt_in"),
                "questionnaire_version": form.get("questionnaire_version") or LATEST,
            }
        )
    except ValidationError as exc:
        return _list(visit, session, field_errors(visit, exc, MESSAGES), population)
    with committed(container) as uow:
        found = rounds.open_round(uow, principal, body)
    return redirect(visit, f"/selfchecks/{found.id}?done=opened")


@router.get("/selfchecks/{round_id}", response_class=HTMLResponse)
def round_page(round_id: str, visit: PageVisit, session: SessionDep, container: ContainerDep) -> Response:
    if visit.principal is None:
        return redirect(visit, f"/sign-in?next=/selfchecks/{round_id}")
    return _round(visit, session, container, round_id, {})


def _round(
    visit: Visit, session: Session, container: Container, round_id: str, errors: dict[str, str]
) -> Response:
    principal = municipality(visit)
    found = rounds.owned_round(session, principal, round_id)
    base, secret = container.settings.public_base_url, container.settings.secret_key.get_secret_value()
    people = [
        (someone, done, total, base + answer_path(secret, someone.id))
        for someone, done, total in rounds.progress(session, principal, found.id)
    ]
    organisers = session.exec(
        select(Account)
        .where(Account.role == Role.ORGANISER, col(Account.is_active).is_(True))
        .order_by(col(Account.display_name))
    ).all()
    lang = "en" if visit.language == "en" else "de"
    definition = questionnaire(found.questionnaire_version)
    return render(
        visit,
        "selfcheck_round.html",
        status_code=422 if errors else 200,
        round=found,
        people=people,
        errors=errors,
        recommendations=rounds.recommendations(session, found.id) if found.status == "scored" else [],
        organisers=organisers,
        field_titles={f.id: f.title[lang] for f in definition.fields},
        perspectives={p: text[lang] for p, text in definition.perspectives},
        workshop=rounds.drafted_dialogue(session, found.workshop_dialogue_id),
    )


@router.post("/selfchecks/{round_id}/respondents", response_class=HTMLResponse)
def add_respondent(
    round_id: str, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    principal = municipality(visit)
    try:
        body = RespondentCreate.model_validate(
            {
                "label": form.get("label", "").strip(),
                "email": form.get("email", "").strip() or None,
                "perspective": form.get("perspective") or None,
            }
        )
    except ValidationError as exc:
        return _round(
            visit,
            session,
            container,
            round_id,
            field_errors(visit, exc, MESSAGES),
        )
    with committed(container) as uow:
        rounds.add_respondent(uow, principal, round_id, body.label, body.email, body.perspective)
    return redirect(visit, f"/selfchecks/{round_id}?done={'mailed' if body.email else 'added'}#people")


@router.post("/selfchecks/{round_id}/submit", response_class=HTMLResponse)
def submit(
    round_id: str, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    principal = municipality(visit)
    if form.get("confirm") != "yes":
        errors = {"confirm": visit.gettext("Tick the box to confirm that the self-check is closed")}
        return _round(visit, session, container, round_id, errors)
    try:
        with committed(container) as uow:
            rounds.submit(uow, principal, round_id)
    except FieldErrors as exc:
        waiting = sorted({str(e["loc"][1]) for e in exc.detail if len(e["loc"]) > 1})  # type: ignore[arg-type,index]
        message = visit.gettext(
            "Not everyone has answered every question yet: %(who)s", who=", ".join(waiting)
        )
        if not waiting:
            message = visit.gettext("Add at least one person who answers first")
        return _round(visit, session, container, round_id, {"confirm": message})
    return redirect(visit, f"/selfchecks/{round_id}?done=submitted")


@router.post("/selfchecks/{round_id}/recommendations/{recommendation_id}", response_class=HTMLResponse)
def draft(
    round_id: str, recommendation_id: str, visit: PageVisit, form: Form, container: ContainerDep
) -> Response:
    """A recommended format becomes a draft dialogue of the organiser chosen."""
    principal = municipality(visit)
    with committed(container) as uow:
        rounds.draft_dialogue(uow, principal, round_id, recommendation_id, form.get("organiser_id", ""))
    return redirect(visit, f"/selfchecks/{round_id}?done=drafted#recommendations")


@router.post("/selfchecks/{round_id}/workshop", response_class=HTMLResponse)
def draft_workshop(round_id: str, visit: PageVisit, form: Form, container: ContainerDep) -> Response:
    """The workshop becomes a draft dialogue of the organiser chosen, inviting to the agenda's topics."""
    principal = municipality(visit)
    lang = "en" if visit.language == "en" else "de"
    with committed(container) as uow:
        rounds.draft_workshop(uow, principal, round_id, form.get("organiser_id", ""), lang)
    return redirect(visit, f"/selfchecks/{round_id}?done=workshop#workshop")
