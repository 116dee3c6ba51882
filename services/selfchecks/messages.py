"""The messages the self-check stream sends: the result to the municipality's account."""

from __future__ import annotations

from events import Envelope
from services.notify.requests import request_notification
from services.selfchecks.tables import SelfCheckRound
from services.store.uow import UnitOfWork
from workflows.selfchecks.questionnaire import Questionnaire
from workflows.selfchecks.scoring import Result


def tell_result(
    uow: UnitOfWork, round_: SelfCheckRound, definition: Questionnaire, result: Result, cause: Envelope
) -> None:
    """The index and the weakest field, with the way to the full report."""
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
        cause=cause,
    )
