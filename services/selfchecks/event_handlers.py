"""Handler of SelfCheckSubmitted: score, compare, recommend, offer support, tell the municipality."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from sqlmodel import Session, col, select

from events import Envelope
from events.contracts import SelfCheckSubmitted, SupportOfferIssued, SupportSubject
from events.ids import new_id
from services.pipeline.handler_types import handles
from services.selfchecks.messages import tell_result
from services.selfchecks.questionnaire_files import questionnaire
from services.selfchecks.tables import Respondent, SelfCheckRecommendation, SelfCheckRound
from services.store.uow import UnitOfWork
from workflows.selfchecks.comparison import Comparison, compare_rounds, peers, size_class, trend
from workflows.selfchecks.perspectives import compare
from workflows.selfchecks.recommendations import Advice, recommend
from workflows.selfchecks.round_rules import RoundStatus
from workflows.selfchecks.scoring import Result, score


def _field_scores(round_: SelfCheckRound) -> dict[str, float | None]:
    result = json.loads(round_.result or "{}")
    return {f["field"]: f["score"] for f in result.get("fields", [])}


@handles("selfchecks.score_round")
def score_round(envelope: Envelope, uow: UnitOfWork) -> None:
    submitted = envelope.event
    assert isinstance(submitted, SelfCheckSubmitted)
    round_ = uow.session.get(SelfCheckRound, submitted.selfcheck_id)
    if round_ is None:
        raise LookupError(f"self-check {submitted.selfcheck_id} does not exist")
    if round_.status == RoundStatus.SCORED:
        return
    definition = questionnaire(round_.questionnaire_version)
    respondents = uow.session.exec(select(Respondent).where(Respondent.round_id == round_.id)).all()
    result = score(definition, [json.loads(r.answers) for r in respondents])
    stated = [(r.perspective, json.loads(r.answers)) for r in respondents if r.perspective]
    own = {f.field: f.score for f in result.fields}

    earlier = _previous_round(uow.session, round_)
    latest = _latest_of_others(uow.session, round_)
    same_size = [r for r in latest if size_class(r.population) == size_class(round_.population)]
    peer_view = peers(list(own), [_field_scores(r) for r in same_size])
    strong: dict[str, list[tuple[str, float]]] = {}
    for other in latest:
        if other.peer_exchange_opt_in:
            for field, value in _field_scores(other).items():
                if value is not None:
                    strong.setdefault(field, []).append((other.municipality_ags, value))
    advice = recommend(definition, result, strong)

    round_.result = json.dumps(
        {
            **asdict(result),
            "trend": trend(own, _field_scores(earlier)) if earlier else None,
            "previous_round": earlier.id if earlier else None,
            "comparison": asdict(_compared(result, earlier, round_.questionnaire_version))
            if earlier
            else None,
            "perspectives": asdict(compare(definition, stated)),
            "peers": asdict(peer_view),
            "size_class": size_class(round_.population),
        }
    )
    round_.overall, round_.status, round_.scored_at = result.overall, RoundStatus.SCORED, uow.clock()
    uow.session.add(round_)
    _recommend(uow, round_, advice, envelope)
    tell_result(uow, round_, definition, result, envelope)


def _compared(result: Result, earlier: SelfCheckRound, version: str) -> Comparison:
    """Against the previous round, whichever questionnaire version it was answered on."""
    before = Result.from_stored(json.loads(earlier.result or "{}"))
    return compare_rounds(
        questionnaire(version), result, questionnaire(earlier.questionnaire_version), before
    )


def _previous_round(session: Session, round_: SelfCheckRound) -> SelfCheckRound | None:
    """The municipality's newest scored round before this one: the base of its trend."""
    return session.exec(
        select(SelfCheckRound)
        .where(
            SelfCheckRound.municipality_ags == round_.municipality_ags,
            SelfCheckRound.status == RoundStatus.SCORED,
        )
        .order_by(col(SelfCheckRound.scored_at).desc())
    ).first()


def _latest_of_others(session: Session, round_: SelfCheckRound) -> list[SelfCheckRound]:
    """Every other municipality once, with its newest scored round."""
    others = session.exec(
        select(SelfCheckRound).where(
            SelfCheckRound.status == RoundStatus.SCORED,
            SelfCheckRound.municipality_ags != round_.municipality_ags,
        )
    ).all()
    latest: dict[str, SelfCheckRound] = {}
    for other in sorted(others, key=lambda r: r.scored_at or r.opened_at):
        latest[other.municipality_ags] = other
    return list(latest.values())


def _recommend(uow: UnitOfWork, round_: SelfCheckRound, advice: Sequence[Advice], cause: Envelope) -> None:
    """Store each recommendation and issue its support offers."""
    for item in advice:
        recommendation = SelfCheckRecommendation(
            id=new_id(),
            round_id=round_.id,
            field=item.field,
            score=item.score,
            offers=",".join(item.offers),
            dialogue_format=item.dialogue_format,
            peer_ags=item.peer,
        )
        uow.session.add(recommendation)
        for offer in item.offers:
            uow.emit(
                cause.caused(
                    SupportOfferIssued(
                        offer_id=f"{recommendation.id}:{offer}",
                        subject=SupportSubject.SELFCHECK,
                        subject_id=round_.id,
                        offer_kind=offer,
                    ),
                    uow.clock(),
                )
            )
