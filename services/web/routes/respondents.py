"""A respondent answers the self-check behind the mailed link, on a phone: one field of action a
page, every answer type of the questionnaire with its help text, progress per field, save and come
back later (the link is the key; no account), and a final check that names every answer still
missing at its question. The operations of the API (``rounds.by_link``, ``rounds.save_answers``)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from services.api.deps import ContainerDep, SessionDep, committed
from services.selfchecks import rounds
from services.selfchecks.questionnaire_files import questionnaire
from services.web.i18n import N_
from services.web.render import Visit, redirect, render
from services.web.visits import Form, PageVisit
from workflows.selfchecks.questionnaire import Question, Questionnaire

router = APIRouter()
SKIP = "skip"  # "we cannot say": a skippable question's answer None
TYPE_MESSAGES = {
    "maturity": N_("Choose how far it has come"),
    "yes_no": N_("Choose yes or no"),
    "choice": N_("Choose one of the answers"),
    "number": N_("Enter a number from %(min)s to %(max)s"),
    "missing": N_("Answer this question"),
    "perspective": N_("Choose the part of the administration you answer for"),
}


def _link(respondent_id: str, token: str, **query: str) -> str:
    extra = "".join(f"&{k}={quote(v)}" for k, v in query.items())
    return f"/selfchecks/respondents/{respondent_id}?token={quote(token)}{extra}"


def _parse(question: Question, given: str | None) -> tuple[Any, bool]:
    """The answer as the questionnaire takes it, and whether the text could be read at all."""
    if given is None or given == "" or given == SKIP:
        return None, given != SKIP or question.skippable
    try:
        if question.type == "maturity":
            return int(given), True
        if question.type == "yes_no":
            return {"yes": True, "no": False}[given], True
        if question.type == "number":
            number = float(given.replace(",", "."))
            return (int(number) if number.is_integer() else number), True
    except (ValueError, KeyError):
        return None, False
    return given, True


def _message(visit: Visit, question: Question, kind: str | None = None) -> str:
    text = visit.gettext(TYPE_MESSAGES[kind or question.type])
    return text % {"min": f"{question.minimum:g}", "max": f"{question.maximum:g}"} if "%(" in text else text


def _progress(form: Questionnaire, answers: dict[str, Any]) -> list[tuple[str, dict[str, str], int, int]]:
    return [
        (f.id, f.title, sum(1 for q in f.questions if q.id in answers), len(f.questions)) for f in form.fields
    ]


def _page(
    visit: Visit,
    session: Session,
    secret: str,
    respondent_id: str,
    token: str,
    field: str,
    errors: dict[str, str],
    shown: dict[str, Any] | None = None,
) -> Response:
    respondent, found = rounds.by_link(session, secret, respondent_id, token)
    form = questionnaire(found.questionnaire_version)
    answers = json.loads(respondent.answers)
    current = form.fields_by_id.get(field) or form.fields[0]
    lang = "en" if visit.language == "en" else "de"
    return render(
        visit,
        "selfcheck_answer.html",
        status_code=422 if errors else 200,
        respondent=respondent,
        round=found,
        form=form,
        field=current,
        answers={**answers, **(shown or {})},
        answered=set(answers),
        progress=_progress(form, answers),
        errors=errors,
        token=token,
        link=lambda **q: _link(respondent_id, token, **q),
        lang2=lang,
        is_open=found.status == "open",
        perspectives=[(p, text[lang]) for p, text in form.perspectives] if current == form.fields[0] else [],
        perspective=(shown or {}).get("perspective", respondent.perspective),
        parts={
            **{goal.id: goal.title for goal in current.goals},
            **{c.id: c.title for goal in current.goals for c in goal.criteria},
        },
    )


@router.get("/selfchecks/respondents/{respondent_id}", response_class=HTMLResponse)
def answer_page(
    respondent_id: str,
    visit: PageVisit,
    session: SessionDep,
    container: ContainerDep,
    token: str = "",
    field: str = "",
    check: bool = False,
    missing: bool = False,
) -> Response:
    secret = container.settings.secret_key.get_secret_value()
    if check:
        return _check_page(visit, session, secret, respondent_id, token)
    errors: dict[str, str] = {}
    if missing:  # from the check: each answer still missing is named at its question
        respondent, found = rounds.by_link(session, secret, respondent_id, token)
        definition = questionnaire(found.questionnaire_version)
        shown = definition.fields_by_id.get(field) or definition.fields[0]
        unanswered = {q.id for q in _missing(definition, json.loads(respondent.answers))}
        errors = {
            f"q-{q.id}": visit.gettext(TYPE_MESSAGES["missing"])
            for q in shown.questions
            if q.id in unanswered
        }
        if shown == definition.fields[0] and definition.perspectives and respondent.perspective is None:
            errors = {"perspective": visit.gettext(TYPE_MESSAGES["perspective"]), **errors}
    return _page(visit, session, secret, respondent_id, token, field, errors)


def _missing(form: Questionnaire, answers: dict[str, Any]) -> list[Question]:
    return [q for q in form.questions.values() if not q.skippable and answers.get(q.id) is None]


def _check_page(visit: Visit, session: Session, secret: str, respondent_id: str, token: str) -> Response:
    respondent, found = rounds.by_link(session, secret, respondent_id, token)
    form = questionnaire(found.questionnaire_version)
    missing = _missing(form, json.loads(respondent.answers))
    unstated = bool(form.perspectives) and respondent.perspective is None
    return render(
        visit,
        "selfcheck_check.html",
        status_code=422 if missing or unstated else 200,
        missing=missing,
        unstated=unstated,
        form=form,
        link=lambda **q: _link(respondent_id, token, **q),
        lang2="en" if visit.language == "en" else "de",
        round=found,
    )


@router.post("/selfchecks/respondents/{respondent_id}", response_class=HTMLResponse)
def save(
    respondent_id: str, visit: PageVisit, form: Form, session: SessionDep, container: ContainerDep
) -> Response:
    secret = container.settings.secret_key.get_secret_value()
    token = form.get("token", "")
    respondent, found = rounds.by_link(session, secret, respondent_id, token)
    definition = questionnaire(found.questionnaire_version)
    current = definition.fields_by_id.get(form.get("field", "")) or definition.fields[0]
    stated = respondent.perspective is not None
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    shown: dict[str, Any] = {}
    for question in current.questions:
        value, readable = _parse(question, form.get(f"q:{question.id}"))
        problem = question.check(value) if value is not None else None
        given = form.get(f"q:{question.id}")
        if not readable or problem:
            errors[f"q-{question.id}"] = _message(visit, question)
            shown[question.id] = given
        elif given not in (None, ""):
            answers[question.id] = shown[question.id] = value  # shown again if another answer is wrong
    perspective = None
    if current == definition.fields[0] and definition.perspectives:
        perspective = form.get("perspective") or None
        if perspective not in (None, *definition.perspective_ids) or (perspective is None and not stated):
            errors = {"perspective": visit.gettext(TYPE_MESSAGES["perspective"]), **errors}
            perspective = None
        shown["perspective"] = perspective
    if errors:
        return _page(visit, session, secret, respondent_id, token, current.id, errors, shown)
    with committed(container) as uow:
        rounds.save_answers(uow, secret, respondent_id, token, answers, perspective)
    action = form.get("action", "next")
    if action == "later":
        return redirect(visit, _link(respondent_id, token, field=current.id, saved="later"))
    ids = [f.id for f in definition.fields]
    following = ids.index(current.id) + 1
    if action == "check" or following >= len(ids):
        return redirect(visit, _link(respondent_id, token, check="true"))
    return redirect(visit, _link(respondent_id, token, field=ids[following], saved="yes"))
