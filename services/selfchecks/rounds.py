"""What municipalities and respondents do with a self-check round: open it, invite respondents, save
answers, submit, turn a recommendation into a draft dialogue. Every interface calls these; failures
are named errors from workflows.selfchecks.round_rules. The caller commits the unit of work."""

from __future__ import annotations

import hmac
import json
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from events import new_envelope
from events.contracts import SelfCheckSubmitted
from events.ids import new_id
from services.access import Principal, Scope, require_access, require_role
from services.dialogues import organisers
from services.dialogues.messages import notify_organiser
from services.dialogues.organisers import DialogueCreate
from services.dialogues.tables import Dialogue, DialogueStatus
from services.notify.requests import request_notification
from services.selfchecks.questionnaire_files import questionnaire
from services.selfchecks.recipients import RESPONDENT, answer_token
from services.selfchecks.schemas import AnswersSaved, RoundCreate, RoundPublic
from services.selfchecks.tables import Respondent, SelfCheckRecommendation, SelfCheckRound
from services.selfchecks.workshop_view import agenda_of, invitation
from services.store.tables import Account, Role
from services.store.uow import UnitOfWork
from workflows.errors import Invalid, NotFound
from workflows.selfchecks import round_rules
from workflows.selfchecks.round_rules import FieldErrors, RoundStatus
from workflows.selfchecks.workshop import FORMAT


def load_round(session: Session, principal: Principal, round_id: str) -> SelfCheckRound:
    """The round, if the caller may see it (its municipality, coordinators of its region, admins)."""
    found = session.get(SelfCheckRound, round_id)
    if found is None:
        raise round_rules.SelfCheckNotFound()
    require_access(
        principal,
        Scope(municipality_ags=found.municipality_ags, region_ags=found.municipality_ags),
        "self-check",
    )
    return found


def owned_round(session: Session, principal: Principal, round_id: str) -> SelfCheckRound:
    found = load_round(session, principal, round_id)
    round_rules.check_owner(principal.account_id, principal.role is Role.ADMIN, found.municipality_account_id)
    return found


def public(session: Session, found: SelfCheckRound) -> RoundPublic:
    respondents = session.exec(select(Respondent).where(Respondent.round_id == found.id)).all()
    return RoundPublic(
        id=found.id,
        municipality_ags=found.municipality_ags,
        questionnaire_version=found.questionnaire_version,
        status=found.status,
        overall=found.overall,
        respondents=[{"id": r.id, "label": r.label, "perspective": r.perspective} for r in respondents],
    )


def rounds_of(session: Session, principal: Principal) -> list[SelfCheckRound]:
    query = select(SelfCheckRound).where(SelfCheckRound.municipality_account_id == principal.account_id)
    return list(session.exec(query.order_by(col(SelfCheckRound.opened_at).desc())).all())


def open_round(uow: UnitOfWork, principal: Principal, body: RoundCreate) -> SelfCheckRound:
    require_role(principal, Role.MUNICIPALITY)
    try:
        questionnaire(body.questionnaire_version)
    except LookupError:
        raise round_rules.UnknownQuestionnaire(body.questionnaire_version) from None
    account = uow.session.get(Account, principal.account_id)
    assert account is not None and account.municipality_ags is not None
    found = SelfCheckRound(
        id=new_id(),
        municipality_ags=account.municipality_ags,
        municipality_account_id=account.id,
        municipality_name=account.display_name,
        population=body.population,
        questionnaire_version=body.questionnaire_version,
        peer_exchange_opt_in=body.peer_exchange_opt_in,
        opened_at=uow.clock(),
    )
    uow.session.add(found)
    return found


def progress(session: Session, principal: Principal, round_id: str) -> list[tuple[Respondent, int, int]]:
    """Per respondent of the caller's round: how many questions are answered, of how many (never what)."""
    found = owned_round(session, principal, round_id)
    total = len(questionnaire(found.questionnaire_version).questions)
    respondents = session.exec(select(Respondent).where(Respondent.round_id == found.id)).all()
    return [(r, sum(v is not None for v in json.loads(r.answers).values()), total) for r in respondents]


def _check_perspective(found: SelfCheckRound, perspective: str | None, where: list[object]) -> None:
    known = questionnaire(found.questionnaire_version).perspective_ids
    if perspective is not None and perspective not in known:
        problem = f"choose one of: {', '.join(known)}"
        raise FieldErrors("unknown perspective", [{"loc": where, "msg": problem, "type": "value_error"}])


def add_respondent(
    uow: UnitOfWork,
    principal: Principal,
    round_id: str,
    label: str,
    email: str | None = None,
    perspective: str | None = None,
) -> Respondent:
    """A respondent answers through a secret link; no account needed. With an address, the link is
    mailed there (the address is kept, encrypted, until the round closes). The municipality may preset
    the part of the administration they answer for; they can change it when they answer."""
    found = owned_round(uow.session, principal, round_id)
    round_rules.check_open(found.status)
    _check_perspective(found, perspective, ["body", "perspective"])
    respondent = Respondent(
        id=new_id(),
        round_id=found.id,
        label=label,
        email=email,
        perspective=perspective,
        updated_at=uow.clock(),
    )
    uow.session.add(respondent)
    if email:
        uow.session.flush()
        request_notification(
            uow,
            recipient_id=respondent.id,
            recipient_kind=RESPONDENT,
            template="selfcheck_invitation",
            context={"municipality_name": found.municipality_name, "label": label},
        )
    return respondent


def by_link(
    session: Session, secret: str, respondent_id: str, token: str
) -> tuple[Respondent, SelfCheckRound]:
    respondent = session.get(Respondent, respondent_id)
    if respondent is None or not hmac.compare_digest(answer_token(secret, respondent_id), token):
        raise round_rules.RespondentNotFound()
    found = session.get(SelfCheckRound, respondent.round_id)
    assert found is not None
    return respondent, found


def save_answers(
    uow: UnitOfWork,
    secret: str,
    respondent_id: str,
    token: str,
    answers: dict[str, Any],
    perspective: str | None = None,
) -> AnswersSaved:
    """Save a draft (merged with what was saved before). Each answer is checked against its question;
    a perspective given replaces the one stated before."""
    respondent, found = by_link(uow.session, secret, respondent_id, token)
    round_rules.check_open(found.status)
    _check_perspective(found, perspective, ["body", "perspective"])
    questions = questionnaire(found.questionnaire_version).questions
    errors: list[dict[str, object]] = []
    for question_id, answer in answers.items():
        question = questions.get(question_id)
        problem = "no such question in this questionnaire" if question is None else question.check(answer)
        if problem and not (question is not None and answer is None):  # null in a draft: not answered yet
            errors.append({"loc": ["body", "answers", question_id], "msg": problem, "type": "value_error"})
    if errors:
        raise FieldErrors("some answers do not fit their questions", errors)
    merged = {**json.loads(respondent.answers), **answers}
    respondent.answers = json.dumps(merged)
    respondent.perspective = perspective or respondent.perspective
    respondent.updated_at = uow.clock()
    uow.session.add(respondent)
    return AnswersSaved(
        saved=len(answers),
        answered=sum(v is not None for v in merged.values()),
        of=len(questions),
    )


def submit(uow: UnitOfWork, principal: Principal, round_id: str) -> SelfCheckRound:
    """Close the round: every respondent must have answered every question that cannot be skipped and
    stated the part of the administration they answer for."""
    found = owned_round(uow.session, principal, round_id)
    round_rules.check_open(found.status)
    respondents = uow.session.exec(select(Respondent).where(Respondent.round_id == found.id)).all()
    if not respondents:
        raise round_rules.NoRespondents()
    questions = questionnaire(found.questionnaire_version).questions
    missing: list[dict[str, object]] = [
        {
            "loc": ["respondents", r.label, q.id],
            "msg": "this question cannot be skipped",
            "type": "value_error",
        }
        for r in respondents
        for q in questions.values()
        if not q.skippable and json.loads(r.answers).get(q.id) is None
    ]
    if questionnaire(found.questionnaire_version).perspectives:
        missing += [
            {
                "loc": ["respondents", r.label, "perspective"],
                "msg": "state the part of the administration you answer for",
                "type": "value_error",
            }
            for r in respondents
            if r.perspective is None
        ]
    if missing:
        raise FieldErrors("some questions that cannot be skipped are not answered", missing)
    now = uow.clock()
    found.status, found.submitted_at = RoundStatus.SUBMITTED, now
    uow.session.add(found)
    for respondent in respondents:  # the links are no use any more: the addresses go
        respondent.email = None
        uow.session.add(respondent)
    submitted = SelfCheckSubmitted(
        selfcheck_id=found.id,
        municipality_ags=found.municipality_ags,
        questionnaire_version=found.questionnaire_version,
        submitted_at=now,
    )
    uow.emit(new_envelope(submitted, now))
    return found


def recommendations(session: Session, round_id: str) -> list[SelfCheckRecommendation]:
    query = select(SelfCheckRecommendation).where(SelfCheckRecommendation.round_id == round_id)
    return list(session.exec(query).all())


def drafted_dialogue(session: Session, dialogue_id: str | None) -> Dialogue | None:
    """A draft made before, unless it was cancelled (then another may be made)."""
    drafted = session.get(Dialogue, dialogue_id) if dialogue_id else None
    return drafted if drafted is not None and drafted.status != DialogueStatus.CANCELLED else None


def _draft_for(
    uow: UnitOfWork,
    found: SelfCheckRound,
    organiser_id: str,
    title: str,
    dialogue_format: str,
    description: str,
    hours: int,
) -> Dialogue:
    organiser = uow.session.get(Account, organiser_id)
    if organiser is None or organiser.role != Role.ORGANISER or not organiser.is_active:
        raise Invalid("organiser_id must be an active organiser")
    start = uow.clock() + timedelta(days=42)
    dialogue = organisers.create(
        uow,
        organiser.id,
        DialogueCreate(
            title=title,
            format=dialogue_format,
            municipality_ags=found.municipality_ags,
            description=description,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            venue=organisers.VENUE_TO_BE_SET,
            capacity=30,
            registration_opens_at=uow.clock(),
            registration_closes_at=start - timedelta(days=2),
        ),
    )
    uow.session.flush()
    notify_organiser(uow, dialogue, "dialogue_drafted")
    return dialogue


def draft_dialogue(
    uow: UnitOfWork, principal: Principal, round_id: str, recommendation_id: str, organiser_id: str
) -> Dialogue:
    """Turn a recommended dialogue format into a draft dialogue for the municipality's organiser."""
    found = owned_round(uow.session, principal, round_id)
    recommendation = uow.session.get(SelfCheckRecommendation, recommendation_id)
    if recommendation is None or recommendation.round_id != found.id:
        raise NotFound("recommendation not found")
    drafted = drafted_dialogue(uow.session, recommendation.dialogue_id)
    if drafted is not None:
        return drafted  # one draft per recommendation, however often it is asked for
    title = questionnaire(found.questionnaire_version).fields_by_id[recommendation.field].title["de"]
    dialogue = _draft_for(
        uow,
        found,
        organiser_id,
        f"{title}: Dialog",
        recommendation.dialogue_format,
        f"Aus dem Selbstcheck {found.questionnaire_version} empfohlen.",
        2,
    )
    recommendation.dialogue_id = dialogue.id
    uow.session.add(recommendation)
    return dialogue


def draft_workshop(
    uow: UnitOfWork, principal: Principal, round_id: str, organiser_id: str, lang: str = "de"
) -> Dialogue:
    """The moderated workshop on a scored round as a draft dialogue for an organiser: the invitation
    names the agenda's topics and guests. One draft per round, however often it is asked for."""
    found = owned_round(uow.session, principal, round_id)
    if found.status != RoundStatus.SCORED:
        raise round_rules.NotScoredYet(found.status)
    drafted = drafted_dialogue(uow.session, found.workshop_dialogue_id)
    if drafted is not None:
        return drafted
    plan = agenda_of(found)
    title, description, _, _ = invitation(found, plan, lang)
    dialogue = _draft_for(uow, found, organiser_id, title, FORMAT, description, -(-plan.minutes // 60))
    found.workshop_dialogue_id = dialogue.id
    uow.session.add(found)
    return dialogue
