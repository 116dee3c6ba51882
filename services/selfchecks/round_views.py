"""What a self-check shows: the questionnaire's questions and a round's result with its
recommendations, as the API's public models."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from services.access import Principal
from services.selfchecks import rounds
from services.selfchecks.questionnaire_files import questionnaire
from services.selfchecks.report import report_values
from services.selfchecks.schemas import (
    CriterionPublic,
    FieldPublic,
    GoalPublic,
    LabelledValue,
    QuestionnairePublic,
    QuestionPublic,
    RecommendationPublic,
    ResultPublic,
)
from services.selfchecks.tables import SelfCheckRound
from services.selfchecks.workshop_view import workshop_values
from workflows.errors import NotFound
from workflows.selfchecks.round_rules import NotScoredYet


class NoSuchQuestionnaire(NotFound):
    def __init__(self, version: str) -> None:
        super().__init__(f"no questionnaire version {version}")


def questionnaire_public(version: str) -> QuestionnairePublic:
    try:
        definition = questionnaire(version)
    except LookupError:
        raise NoSuchQuestionnaire(version) from None
    return QuestionnairePublic(
        version=definition.version,
        title=definition.title,
        maturity_scale=[LabelledValue(value=value, text=text) for value, text in definition.maturity_scale],
        perspectives=[LabelledValue(value=value, text=text) for value, text in definition.perspectives],
        fields=[
            FieldPublic(
                id=f.id,
                title=f.title,
                questions=[
                    QuestionPublic(
                        id=q.id,
                        type=q.type,
                        weight=q.weight,
                        text=q.text,
                        help=q.help,
                        skippable=q.skippable,
                        options=[LabelledValue(value=v, text=t) for v, t in (q.option_texts or {}).items()]
                        or None,
                        goal=q.goal,
                        criterion=q.criterion,
                    )
                    for q in f.questions
                ],
                goals=[
                    GoalPublic(
                        id=g.id,
                        title=g.title,
                        weight=g.weight,
                        criteria=[
                            CriterionPublic(
                                id=c.id, title=c.title, weight=c.weight, questions=[q.id for q in c.questions]
                            )
                            for c in g.criteria
                        ],
                    )
                    for g in f.goals
                ],
            )
            for f in definition.fields
        ],
    )


def scored_round(session: Session, principal: Principal, round_id: str) -> SelfCheckRound:
    """A round the caller may see, once it has a result."""
    found = rounds.load_round(session, principal, round_id)
    if found.result is None:
        raise NotScoredYet(found.status)
    return found


def result_public(session: Session, principal: Principal, round_id: str) -> ResultPublic:
    found = scored_round(session, principal, round_id)
    assert found.result is not None
    recommendations = [
        RecommendationPublic(
            id=r.id,
            field=r.field,
            score=r.score,
            offers=r.offers.split(","),
            dialogue_format=r.dialogue_format,
            peer_ags=r.peer_ags,
            dialogue_id=r.dialogue_id,
        )
        for r in rounds.recommendations(session, found.id)
    ]
    stored = json.loads(found.result)
    definition = questionnaire(found.questionnaire_version)
    overall = stored.get("overall")
    level = dict(definition.level(overall).name) if overall is not None else None  # older rows: German only
    return ResultPublic.model_validate({**stored, "level": level, "recommendations": recommendations})


def report(session: Session, principal: Principal, round_id: str, lang: str) -> dict[str, Any]:
    """What the report of a scored round shows (page, API and PDF alike)."""
    found = scored_round(session, principal, round_id)
    previous_id = json.loads(found.result or "{}").get("previous_round")
    previous = session.get(SelfCheckRound, previous_id) if previous_id else None
    return report_values(found, rounds.recommendations(session, found.id), lang, previous)


def workshop(session: Session, principal: Principal, round_id: str, lang: str) -> dict[str, Any]:
    """What the workshop agenda of a scored round shows (page, API and PDF alike)."""
    found = scored_round(session, principal, round_id)
    drafted = rounds.drafted_dialogue(session, found.workshop_dialogue_id)
    return workshop_values(found, lang, drafted.title if drafted is not None else None)
