"""Self-check rounds: open, invite respondents, answer (drafts), submit, read results and report. Each
route parses, calls one operation of services.selfchecks.rounds and serialises."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, status
from fastapi.responses import HTMLResponse, Response

from services.api.deps import ContainerDep, CurrentMunicipality, CurrentPrincipal, SessionDep, committed
from services.api.pages import language
from services.selfchecks import round_views, rounds
from services.selfchecks.report_pdf import WORKSHOP, pdf_response, report_html
from services.selfchecks.schemas import (
    AnswersPublic,
    AnswersSaved,
    AnswersUpdate,
    DraftCreated,
    DraftDialogue,
    QuestionnairePublic,
    RespondentCreate,
    RespondentLink,
    ResultPublic,
    RoundCreate,
    RoundPublic,
)

router = APIRouter(tags=["self-checks"])
Token = Annotated[str, Query(description="the secret from your answer link")]


@router.get("/selfchecks/questionnaires/{version}", response_model=QuestionnairePublic)
def read_questionnaire(version: str) -> QuestionnairePublic:
    """The questions of a questionnaire version, in German and English."""
    return round_views.questionnaire_public(version)


@router.post("/selfchecks", response_model=RoundPublic, status_code=status.HTTP_201_CREATED)
def open_round(body: RoundCreate, principal: CurrentMunicipality, container: ContainerDep) -> RoundPublic:
    with committed(container) as uow:
        found = rounds.open_round(uow, principal, body)
    with container.uow() as uow:
        return rounds.public(uow.session, found)


@router.get("/selfchecks", response_model=list[RoundPublic])
def my_rounds(principal: CurrentPrincipal, session: SessionDep) -> list[RoundPublic]:
    return [rounds.public(session, r) for r in rounds.rounds_of(session, principal)]


@router.post(
    "/selfchecks/{round_id}/respondents", response_model=RespondentLink, status_code=status.HTTP_201_CREATED
)
def add_respondent(
    round_id: str, body: RespondentCreate, principal: CurrentPrincipal, container: ContainerDep
) -> RespondentLink:
    """A respondent answers through the returned secret link; no account needed."""
    with committed(container) as uow:
        respondent = rounds.add_respondent(uow, principal, round_id, body.label, body.email, body.perspective)
    token = rounds.answer_token(container.settings.secret_key.get_secret_value(), respondent.id)
    link = f"{container.settings.public_base_url}/selfchecks/respondents/{respondent.id}?token={token}"
    return RespondentLink(id=respondent.id, answer_url=link)


@router.get("/selfchecks/respondents/{respondent_id}", response_model=AnswersPublic)
def read_answers(
    respondent_id: str, token: Token, session: SessionDep, container: ContainerDep
) -> AnswersPublic:
    """Resume: the answers saved so far."""
    secret = container.settings.secret_key.get_secret_value()
    respondent, found = rounds.by_link(session, secret, respondent_id, token)
    return AnswersPublic(
        label=respondent.label,
        perspective=respondent.perspective,
        questionnaire_version=found.questionnaire_version,
        status=found.status,
        answers=json.loads(respondent.answers),
    )


@router.put("/selfchecks/respondents/{respondent_id}", response_model=AnswersSaved)
def save_answers(
    respondent_id: str, token: Token, body: AnswersUpdate, container: ContainerDep
) -> AnswersSaved:
    """Save a draft (merged with what was saved before). Each answer is checked against its question."""
    secret = container.settings.secret_key.get_secret_value()
    with committed(container) as uow:
        return rounds.save_answers(uow, secret, respondent_id, token, body.answers, body.perspective)


@router.post("/selfchecks/{round_id}/submit", response_model=RoundPublic)
def submit(round_id: str, principal: CurrentPrincipal, container: ContainerDep) -> RoundPublic:
    """Close the round: every respondent must have answered every question that cannot be skipped."""
    with committed(container) as uow:
        found = rounds.submit(uow, principal, round_id)
    with container.uow() as uow:
        return rounds.public(uow.session, found)


@router.get("/selfchecks/{round_id}/result", response_model=ResultPublic)
def result(round_id: str, principal: CurrentPrincipal, session: SessionDep) -> ResultPublic:
    """Scores per field, the trend since the last round, peers of the same size, recommendations."""
    return round_views.result_public(session, principal, round_id)


def _language(lang: str | None = None, accept_language: Annotated[str | None, Header()] = None) -> str:
    return language(lang, accept_language)


Language = Annotated[str, Depends(_language)]  # ?lang=, else the browser's, else German


def _page(html: str, chosen: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Language": chosen})


@router.get("/selfchecks/{round_id}/report", response_class=HTMLResponse)
def report(round_id: str, principal: CurrentPrincipal, session: SessionDep, chosen: Language) -> HTMLResponse:
    """The report as a page with an SVG chart; works without JavaScript, in German and English."""
    values = round_views.report(session, principal, round_id, chosen)
    return _page(report_html(values, f"/api/v1/selfchecks/{round_id}/report.pdf?lang={chosen}"), chosen)


@router.get("/selfchecks/{round_id}/report.pdf", response_class=Response)
def report_as_pdf(
    round_id: str, principal: CurrentPrincipal, session: SessionDep, chosen: Language
) -> Response:
    """The same report as a PDF (A4), to print."""
    return pdf_response(round_views.report(session, principal, round_id, chosen))


@router.get("/selfchecks/{round_id}/workshop", response_class=HTMLResponse)
def workshop(
    round_id: str, principal: CurrentPrincipal, session: SessionDep, chosen: Language
) -> HTMLResponse:
    """The agenda of the moderated workshop on a scored round: the weakest goals, the questions where
    perspectives part, the guests to invite per field, and the draft invitation. Printable."""
    values = round_views.workshop(session, principal, round_id, chosen)
    pdf = f"/api/v1/selfchecks/{round_id}/workshop.pdf?lang={chosen}"
    return _page(report_html(values, pdf, WORKSHOP), chosen)


@router.get("/selfchecks/{round_id}/workshop.pdf", response_class=Response)
def workshop_as_pdf(
    round_id: str, principal: CurrentPrincipal, session: SessionDep, chosen: Language
) -> Response:
    """The same agenda as a PDF (A4), for the moderator."""
    return pdf_response(round_views.workshop(session, principal, round_id, chosen), WORKSHOP)


@router.post(
    "/selfchecks/{round_id}/workshop/draft-dialogue",
    response_model=DraftCreated,
    status_code=status.HTTP_201_CREATED,
)
def draft_workshop(
    round_id: str, body: DraftDialogue, principal: CurrentPrincipal, container: ContainerDep
) -> DraftCreated:
    """The workshop as a draft dialogue for an organiser, its invitation naming the agenda's topics and
    guests; asked again, the same draft."""
    with committed(container) as uow:
        dialogue = rounds.draft_workshop(uow, principal, round_id, body.organiser_id)
    return DraftCreated(dialogue_id=dialogue.id, status=dialogue.status)


@router.post(
    "/selfchecks/{round_id}/recommendations/{recommendation_id}/draft-dialogue",
    response_model=DraftCreated,
    status_code=status.HTTP_201_CREATED,
)
def draft_dialogue(
    round_id: str,
    recommendation_id: str,
    body: DraftDialogue,
    principal: CurrentPrincipal,
    container: ContainerDep,
) -> DraftCreated:
    """Turn a recommended dialogue format into a draft dialogue for the municipality's organiser."""
    with committed(container) as uow:
        dialogue = rounds.draft_dialogue(uow, principal, round_id, recommendation_id, body.organiser_id)
    return DraftCreated(dialogue_id=dialogue.id, status=dialogue.status)
