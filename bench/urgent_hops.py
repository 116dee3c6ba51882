"""Where an emergency's time went, hop by hop, from the database's own timestamps: the relay
publishing the report's event, the worker triaging it, the relay publishing the notification
request, the worker planning the deliveries, the sender sending (mail and any other channel of the
same batch, then recording). Used by bench.incidents; medians in ms per hop. Where the triage
plans the deliveries in its own transaction (as the worker does now), there is no request: its two
hops are left out, and ``sender`` counts from the planning, the triage's commit included."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from events import decode
from events.catalog import INCIDENTS_URGENT, NOTIFICATIONS_URGENT
from events.contracts import NotificationRequested
from services.incidents.tables import Case
from services.notify.tables import Notification, NotificationDelivery
from services.store.tables import OutboxRecord

HOPS = ("relay_report", "worker_triage", "relay_request", "worker_plan", "sender")


def _ms(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds() * 1000


def hop_medians(engine: Engine, case_refs: Sequence[str]) -> dict[str, float]:
    """The median of each hop over the emergencies with these case references."""
    taken: dict[str, list[float]] = {hop: [] for hop in HOPS}
    with Session(engine) as session:
        cases = dict(session.exec(select(Case.id, Case.ref).where(col(Case.ref).in_(case_refs))).all())
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
        steps = {
            "relay_report": _ms(report.published_at, report.created_at),
            "worker_triage": _ms(notification.created_at, report.published_at),
            "relay_request": _ms(request.published_at, request.created_at) if request else None,
            "worker_plan": _ms(delivery.next_attempt_at, request.published_at) if request else None,
            "sender": _ms(delivery.sent_at, delivery.next_attempt_at),
        }
        for hop, value in steps.items():
            if value is not None:
                taken[hop].append(value)
    return {hop: round(statistics.median(values), 1) for hop, values in taken.items() if values}
