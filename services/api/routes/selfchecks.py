"""Self-check rounds: open, invite respondents, answer (drafts), submit, read results and report."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from events import new_envelope
from events.contracts import SelfCheckSubmitted
from services.access import Principal, Scope, require_access, require_role
from services.api.deps import ContainerDep, CurrentPrincipal, SessionDep
from services.api.pages import language, pages
from services.bootstrap import Container
from services.crypto import keyed_hash
from services.dialogues import organisers
from services.dialogues.organisers import DialogueCreate
from services.selfchecks.questionnaires import LATEST, questionnaire
from services.selfchecks.report import report_values
from services.selfchecks.tables import Respondent, SelfCheckRecommendation, SelfCheckRound
from services.store.tables import Account, Role

router = APIRouter(tags=["self-checks"])


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    population: int = Field(ge=1, le=5_000_000, description="inhabitants, for the size class of peers")
    peer_exchange_opt_in: bool = Field(
        default=False, description="other municipalities may be pointed to you"
    )
    questionnaire_version: str = LATEST


class RoundPublic(BaseModel):
    id: str
    municipality_ags: str
    questionnaire_version: str
    status: str
    overall: float | None
    respondents: list[dict[str, str]]


def _round(session: Session, principal: Principal, round_id: str) -> SelfCheckRound:
    found = session.get(SelfCheckRound, round_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "self-check not found")
    require_access(
        principal,
        Scope(municipality_ags=found.municipality_ags, region_ags=found.municipality_ags),
        "self-check",
    )
    return found


def _owned(session: Session, principal: Principal, round_id: str) -> SelfCheckRound:
    found = _round(session, principal, round_id)
    if principal.role is not Role.ADMIN and principal.account_id != found.municipality_account_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only the municipality that opened the self-check may do this"
        )
    return found


def _public(session: Session, found: SelfCheckRound) -> RoundPublic:
    respondents = session.exec(select(Respondent).where(Respondent.round_id == found.id)).all()
    return RoundPublic(
        id=found.id,
        municipality_ags=found.municipality_ags,
        questionnaire_version=found.questionnaire_version,
        status=found.status,
        overall=found.overall,
        respondents=[{"id": r.id, "label": r.label} for r in respondents],
    )


@router.get("/selfchecks/questionnaires/{version}")
def read_questionnaire(version: str) -> dict[str, Any]:
    """The questions of a questionnaire version, in German and English."""
    try:
        definition = questionnaire(version)
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no questionnaire version {version}") from None
    return {
        "version": definition.version,
        "title": definition.title,
        "fields": [
            {
                "id": f.id,
                "title": f.title,
                "questions": [
                    {
                        "id": q.id,
                        "type": q.type,
                        "weight": q.weight,
                        "text": q.text,
                        "help": q.help,
                        "skippable": q.skippable,
                        "options": list(q.options or {}) or None,
                    }
                    for q in f.questions
                ],
            }
            for f in definition.fields
        ],
    }


@router.post("/selfchecks", response_model=RoundPublic, status_code=status.HTTP_201_CREATED)
def open_round(
    body: RoundCreate, principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> RoundPublic:
    require_role(principal, Role.MUNICIPALITY)
    try:
        questionnaire(body.questionnaire_version)
    except LookupError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"no questionnaire version {body.questionnaire_version}"
        ) from None
    account = session.get(Account, principal.account_id)
    assert account is not None and account.municipality_ags is not None
    found = SelfCheckRound(
        id=str(uuid.uuid4()),
        municipality_ags=account.municipality_ags,
        municipality_account_id=account.id,
        municipality_name=account.display_name,
        population=body.population,
        questionnaire_version=body.questionnaire_version,
        peer_exchange_opt_in=body.peer_exchange_opt_in,
        opened_at=container.clock(),
    )
    session.add(found)
    session.commit()
    return _public(session, found)


@router.get("/selfchecks", response_model=list[RoundPublic])
def my_rounds(principal: CurrentPrincipal, session: SessionDep) -> list[RoundPublic]:
    rounds = session.exec(
        select(SelfCheckRound)
        .where(SelfCheckRound.municipality_account_id == principal.account_id)
        .order_by(col(SelfCheckRound.opened_at).desc())
    ).all()
    return [_public(session, r) for r in rounds]


class RespondentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=120, description="e.g. 'Bürgeramt' or 'Integrationsbeirat'")


def _answer_token(container: Container, respondent_id: str) -> str:
    return keyed_hash(container.settings.secret_key.get_secret_value(), f"respondent:{respondent_id}")


@router.post("/selfchecks/{round_id}/respondents", status_code=status.HTTP_201_CREATED)
def add_respondent(
    round_id: str,
    body: RespondentCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    container: ContainerDep,
) -> dict[str, str]:
    """A respondent answers through the returned secret link; no account needed."""
    found = _owned(session, principal, round_id)
    if found.status != "open":
        raise HTTPException(status.HTTP_409_CONFLICT, "the self-check is submitted already")
    respondent = Respondent(
        id=str(uuid.uuid4()), round_id=found.id, label=body.label, updated_at=container.clock()
    )
    session.add(respondent)
    session.commit()
    token = _answer_token(container, respondent.id)
    return {
        "id": respondent.id,
        "answer_url": f"{container.settings.public_base_url}/selfchecks/respondents/{respondent.id}"
        f"?token={token}",
    }


def _respondent(
    session: Session, container: Container, respondent_id: str, token: str
) -> tuple[Respondent, SelfCheckRound]:
    respondent = session.get(Respondent, respondent_id)
    if respondent is None or _answer_token(container, respondent_id) != token:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "respondent not found")
    found = session.get(SelfCheckRound, respondent.round_id)
    assert found is not None
    return respondent, found


Token = Annotated[str, Query(description="the secret from your answer link")]


@router.get("/selfchecks/respondents/{respondent_id}")
def read_answers(
    respondent_id: str, token: Token, session: SessionDep, container: ContainerDep
) -> dict[str, Any]:
    """Resume: the answers saved so far."""
    respondent, found = _respondent(session, container, respondent_id, token)
    return {
        "label": respondent.label,
        "questionnaire_version": found.questionnaire_version,
        "status": found.status,
        "answers": json.loads(respondent.answers),
    }


class AnswersUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Any] = Field(description="question id -> answer; null means 'we cannot say'")


@router.put("/selfchecks/respondents/{respondent_id}")
def save_answers(
    respondent_id: str, token: Token, body: AnswersUpdate, session: SessionDep, container: ContainerDep
) -> dict[str, Any]:
    """Save a draft (merged with what was saved before). Each answer is checked against its question."""
    respondent, found = _respondent(session, container, respondent_id, token)
    if found.status != "open":
        raise HTTPException(status.HTTP_409_CONFLICT, "the self-check is submitted already")
    questions = questionnaire(found.questionnaire_version).questions
    errors = []
    for question_id, answer in body.answers.items():
        question = questions.get(question_id)
        problem = "no such question in this questionnaire" if question is None else question.check(answer)
        if problem and not (question is not None and answer is None):  # null in a draft: not answered yet
            errors.append({"loc": ["body", "answers", question_id], "msg": problem, "type": "value_error"})
    if errors:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, errors)
    merged = {**json.loads(respondent.answers), **body.answers}
    respondent.answers = json.dumps(merged)
    respondent.updated_at = container.clock()
    session.add(respondent)
    session.commit()
    return {
        "saved": len(body.answers),
        "answered": sum(v is not None for v in merged.values()),
        "of": len(questions),
    }


@router.post("/selfchecks/{round_id}/submit", response_model=RoundPublic)
def submit(round_id: str, principal: CurrentPrincipal, container: ContainerDep) -> RoundPublic:
    """Close the round: every respondent must have answered every question that cannot be skipped."""
    with container.uow() as uow:
        found = _owned(uow.session, principal, round_id)
        if found.status != "open":
            raise HTTPException(status.HTTP_409_CONFLICT, "the self-check is submitted already")
        respondents = uow.session.exec(select(Respondent).where(Respondent.round_id == found.id)).all()
        if not respondents:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "invite at least one respondent first")
        questions = questionnaire(found.questionnaire_version).questions
        missing = [
            {
                "loc": ["respondents", r.label, q.id],
                "msg": "this question cannot be skipped",
                "type": "value_error",
            }
            for r in respondents
            for q in questions.values()
            if not q.skippable and json.loads(r.answers).get(q.id) is None
        ]
        if missing:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, missing)
        now = uow.clock()
        found.status, found.submitted_at = "submitted", now
        uow.session.add(found)
        uow.emit(
            new_envelope(
                SelfCheckSubmitted(
                    selfcheck_id=found.id,
                    municipality_ags=found.municipality_ags,
                    questionnaire_version=found.questionnaire_version,
                    submitted_at=now,
                ),
                now,
            )
        )
        uow.commit()
        return _public(uow.session, found)


def _recommendations(session: Session, round_id: str) -> list[SelfCheckRecommendation]:
    return list(
        session.exec(
            select(SelfCheckRecommendation).where(SelfCheckRecommendation.round_id == round_id)
        ).all()
    )


@router.get("/selfchecks/{round_id}/result")
def result(round_id: str, principal: CurrentPrincipal, session: SessionDep) -> dict[str, Any]:
    found = _round(session, principal, round_id)
    if found.result is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"no result yet: the self-check is {found.status}")
    return {
        **json.loads(found.result),
        "recommendations": [
            {
                "id": r.id,
                "field": r.field,
                "score": r.score,
                "offers": r.offers.split(","),
                "dialogue_format": r.dialogue_format,
                "peer_ags": r.peer_ags,
                "dialogue_id": r.dialogue_id,
            }
            for r in _recommendations(session, found.id)
        ],
    }


@router.get("/selfchecks/{round_id}/report", response_class=HTMLResponse)
def report(
    round_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    lang: str | None = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """The report as a page with an SVG chart; works without JavaScript, in German and English."""
    found = _round(session, principal, round_id)
    if found.result is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"no result yet: the self-check is {found.status}")
    chosen = language(lang, accept_language)
    html = (
        pages()
        .get_template("selfcheck_report.html")
        .render(report_values(found, _recommendations(session, found.id), chosen))
    )
    return HTMLResponse(html, headers={"Content-Language": chosen})


class DraftDialogue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organiser_id: str


@router.post(
    "/selfchecks/{round_id}/recommendations/{recommendation_id}/draft-dialogue",
    status_code=status.HTTP_201_CREATED,
)
def draft_dialogue(
    round_id: str,
    recommendation_id: str,
    body: DraftDialogue,
    principal: CurrentPrincipal,
    container: ContainerDep,
) -> dict[str, str]:
    """Turn a recommended dialogue format into a draft dialogue for the municipality's organiser."""
    with container.uow() as uow:
        found = _owned(uow.session, principal, round_id)
        recommendation = uow.session.get(SelfCheckRecommendation, recommendation_id)
        if recommendation is None or recommendation.round_id != found.id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "recommendation not found")
        organiser = uow.session.get(Account, body.organiser_id)
        if organiser is None or organiser.role != Role.ORGANISER or not organiser.is_active:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, "organiser_id must be an active organiser"
            )
        title = questionnaire(found.questionnaire_version).fields_by_id[recommendation.field].title["de"]
        start = uow.clock() + timedelta(days=42)
        dialogue = organisers.create(
            uow,
            organiser.id,
            DialogueCreate(
                title=f"{title}: Dialog",
                format=recommendation.dialogue_format,
                municipality_ags=found.municipality_ags,
                description=f"Aus dem Selbstcheck {found.questionnaire_version} empfohlen.",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                venue="(Ort festlegen)",
                capacity=30,
                registration_opens_at=uow.clock(),
                registration_closes_at=start - timedelta(days=2),
            ),
        )
        recommendation.dialogue_id = dialogue.id
        uow.session.add(recommendation)
        uow.commit()
        return {"dialogue_id": dialogue.id, "status": dialogue.status}
