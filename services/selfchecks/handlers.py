"""Handler of SelfCheckSubmitted: score, compare, recommend, offer support, tell the municipality."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict

from sqlmodel import col, select

from events import Envelope
from events.contracts import SelfCheckSubmitted, SupportOfferIssued, SupportSubject
from services.notify.requests import request_notification
from services.selfchecks.questionnaire_files import questionnaire
from services.selfchecks.tables import Respondent, SelfCheckRecommendation, SelfCheckRound
from services.store.uow import UnitOfWork
from workflows.selfchecks.comparison import peers, size_class, trend
from workflows.selfchecks.recommendations import recommend
from workflows.selfchecks.round_rules import RoundStatus
from workflows.selfchecks.scoring import score


def _field_scores(round_: SelfCheckRound) -> dict[str, float | None]:
    result = json.loads(round_.result or "{}")
    return {f["field"]: f["score"] for f in result.get("fields", [])}


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
    own = {f.field: f.score for f in result.fields}

    earlier = uow.session.exec(
        select(SelfCheckRound)
        .where(
            SelfCheckRound.municipality_ags == round_.municipality_ags,
            SelfCheckRound.status == RoundStatus.SCORED,
        )
        .order_by(col(SelfCheckRound.scored_at).desc())
    ).first()
    others = uow.session.exec(
        select(SelfCheckRound).where(
            SelfCheckRound.status == RoundStatus.SCORED,
            SelfCheckRound.municipality_ags != round_.municipality_ags,
        )
    ).all()
    latest: dict[str, SelfCheckRound] = {}
    for other in sorted(others, key=lambda r: r.scored_at or r.opened_at):
        latest[other.municipality_ags] = other  # each peer counts once, with its newest round
    same_size = [r for r in latest.values() if size_class(r.population) == size_class(round_.population)]
    peer_view = peers(list(own), [_field_scores(r) for r in same_size])
    strong: dict[str, list[tuple[str, float]]] = {}
    for other in latest.values():
        if other.peer_exchange_opt_in:
            for field, value in _field_scores(other).items():
                if value is not None:
                    strong.setdefault(field, []).append((other.municipality_ags, value))
    advice = recommend(definition, result, strong)

    now = uow.clock()
    round_.result = json.dumps(
        {
            **asdict(result),
            "trend": trend(own, _field_scores(earlier)) if earlier else None,
            "previous_round": earlier.id if earlier else None,
            "peers": asdict(peer_view),
            "size_class": size_class(round_.population),
        }
    )
    round_.overall, round_.status, round_.scored_at = result.overall, RoundStatus.SCORED, now
    uow.session.add(round_)
    for item in advice:
        recommendation = SelfCheckRecommendation(
            id=str(uuid.uuid4()),
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
                envelope.caused(
                    SupportOfferIssued(
                        offer_id=f"{recommendation.id}:{offer}",
                        subject=SupportSubject.SELFCHECK,
                        subject_id=round_.id,
                        offer_kind=offer,
                    ),
                    now,
                )
            )
    weakest = min((f for f in result.fields if f.score is not None), key=lambda f: f.score or 0, default=None)
    field_titles = {f.id: f.title["de"] for f in definition.fields}
    request_notification(
        uow,
        recipient_id=round_.municipality_account_id,
        template="selfcheck_result",
        context={
            "municipality_name": round_.municipality_name,
            "overall_index": round(result.overall or 0),
            "weakest_field": field_titles[weakest.field] if weakest else "-",
            "report_path": f"/selfchecks/{round_.id}/report",
        },
        subject_id=round_.id,
        cause=envelope,
    )
