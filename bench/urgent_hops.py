"""Where an emergency's time went, hop by hop, from the database's own timestamps: the relay
publishing the report's event, the worker triaging it, the relay publishing the notification
request, the worker planning the deliveries, the sender sending (mail and any other channel of the
same batch, then recording). Used by bench.incidents: the median and the p99 of each hop in ms.
Given when each report was made and when its mail arrived (the benchmark's clocks), it adds the
API's hop (the report made -> its event stored) and the mail's (planned -> arrived at the SMTP
server, which does not wait for the Matrix message as ``sender`` does). Where the triage
plans the deliveries in its own transaction (as the worker does now), there is no request: its two
hops are left out, and ``sender`` counts from the planning, the triage's commit included."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bench.common import percentile
from events import decode
from events.catalog import INCIDENTS_URGENT, NOTIFICATIONS_URGENT
from events.contracts import NotificationRequested
from services.incidents.tables import Case
from services.notify.tables import Notification, NotificationDelivery
from services.store.tables import OutboxRecord


@dataclass(frozen=True)
class Report:
    """One emergency as the benchmark saw it: its case reference, and when (wall clock, seconds)
    it was made and its mail arrived."""

    case_ref: str
    made: float
    mail_arrived: float


def _at(seconds: float) -> datetime:
    """A wall-clock time as the database's timestamps come back: in UTC, with the zone."""
    return datetime.fromtimestamp(seconds, UTC)


HOPS = ("api", "relay_report", "worker_triage", "relay_request", "worker_plan", "sender", "mail")


def _ms(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds() * 1000


def hop_figures(engine: Engine, made: Sequence[Report]) -> dict[str, dict[str, float]]:
    """``{"p50": {hop: ms}, "p99": {hop: ms}}`` over these emergencies."""
    taken: dict[str, list[float]] = {hop: [] for hop in HOPS}
    by_ref = {report.case_ref: report for report in made}
    with Session(engine) as session:
        cases = dict(session.exec(select(Case.id, Case.ref).where(col(Case.ref).in_(list(by_ref)))).all())
        reports = {
            row.key: row
            for row in session.exec(
                select(OutboxRecord).where(
                    OutboxRecord.topic == INCIDENTS_URGENT.name, col(OutboxRecord.key).in_(list(cases))
                )
            ).all()
        }
        mails = session.exec(
            select(Notification, NotificationDelivery)
            .join(NotificationDelivery, col(NotificationDelivery.notification_id) == Notification.id)
            .where(
                col(Notification.subject_id).in_(list(cases)),
                col(Notification.urgent),
                NotificationDelivery.channel == "email",
            )
            .order_by(col(NotificationDelivery.sent_at))
        ).all()
        first_mail: dict[str, tuple[Notification, NotificationDelivery]] = {}
        for notification, delivery in mails:
            first_mail.setdefault(str(notification.subject_id), (notification, delivery))
        wanted = {notification.id for notification, _ in first_mail.values()}
        requests: dict[str, OutboxRecord] = {}
        earliest = min((row.created_at for row in reports.values()), default=None)
        if earliest is not None:
            for row in session.exec(
                select(OutboxRecord).where(
                    OutboxRecord.topic == NOTIFICATIONS_URGENT.name, col(OutboxRecord.created_at) >= earliest
                )
            ).all():
                event = decode(row.value).event
                if isinstance(event, NotificationRequested) and event.notification_id in wanted:
                    requests[event.notification_id] = row
    for case_id, report in reports.items():
        if case_id not in first_mail:
            continue
        notification, delivery = first_mail[case_id]
        request = requests.get(notification.id)
        report_made = by_ref[cases[case_id]]
        steps = {
            "api": _ms(report.created_at, _at(report_made.made)),
            "relay_report": _ms(report.published_at, report.created_at),
            "worker_triage": _ms(notification.created_at, report.published_at),
            "relay_request": _ms(request.published_at, request.created_at) if request else None,
            "worker_plan": _ms(delivery.next_attempt_at, request.published_at) if request else None,
            "sender": _ms(delivery.sent_at, delivery.next_attempt_at),
            "mail": _ms(_at(report_made.mail_arrived), delivery.next_attempt_at),
        }
        for hop, value in steps.items():
            if value is not None:
                taken[hop].append(value)
    return {
        "p50": {hop: round(statistics.median(values), 1) for hop, values in taken.items() if values},
        "p99": {hop: round(percentile(values, 0.99), 1) for hop, values in taken.items() if values},
    }
