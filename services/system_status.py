"""The system at a glance, for admins (the console's system page) and for /metrics: database and
broker, the relay's backlog (the oldest unpublished outbox row), dead letters waiting, the urgent
lane (the oldest urgent delivery not yet out), each timer's last run, consumer lag per topic and
group. Read-only; every figure is counted, none of it carries personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from events.catalog import DEAD_LETTER_SUFFIX
from services.access import Principal, require_role
from services.notify.tables import DeliveryStatus, Notification, NotificationDelivery
from services.pipeline.dead_letters import waiting_since
from services.settings import Settings
from services.store.tables import DeadLetterDecision, OutboxRecord, Role, TimerRun
from services.topics import Lag, broker_reachable, consumer_lag

NOT_OUT = (DeliveryStatus.PENDING, DeliveryStatus.RETRY, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class Backlog:
    count: int
    oldest: datetime | None


@dataclass(frozen=True)
class SystemStatus:
    broker: str  # "ok", "embedded" or "unreachable"
    outbox: Backlog  # rows the relay has not published (held ones apart)
    held: int  # rows the broker refused, waiting for an admin
    dead_letters: Backlog
    urgent: Backlog  # urgent deliveries not out yet
    timers: list[TimerRun]
    lag: list[Lag] | None  # None: no broker, or it did not answer


def outbox_backlog(session: Session) -> Backlog:
    count, oldest = session.exec(
        select(func.count(), func.min(OutboxRecord.created_at)).where(
            col(OutboxRecord.published_at).is_(None), col(OutboxRecord.held_at).is_(None)
        )
    ).one()
    return Backlog(count, oldest)


def dead_letter_backlog(session: Session) -> Backlog:
    count = session.scalar(
        select(func.count())
        .select_from(OutboxRecord)
        .join(DeadLetterDecision, col(DeadLetterDecision.outbox_id) == col(OutboxRecord.id), isouter=True)
        .where(
            col(OutboxRecord.topic).endswith(DEAD_LETTER_SUFFIX), col(DeadLetterDecision.outbox_id).is_(None)
        )
    )
    return Backlog(count or 0, waiting_since(session))


def urgent_lane(session: Session) -> Backlog:
    count, oldest = session.exec(
        select(func.count(), func.min(Notification.created_at))
        .select_from(NotificationDelivery)
        .join(Notification, col(Notification.id) == col(NotificationDelivery.notification_id))
        .where(col(NotificationDelivery.urgent).is_(True), col(NotificationDelivery.status).in_(NOT_OUT))
    ).one()
    return Backlog(count, oldest)


def deliveries_by_outcome(session: Session) -> list[tuple[str, str, int]]:
    """(channel, status, count) over every delivery."""
    rows = session.exec(
        select(NotificationDelivery.channel, NotificationDelivery.status, func.count()).group_by(
            NotificationDelivery.channel, NotificationDelivery.status
        )
    ).all()
    return [(channel, str(status), count) for channel, status, count in rows]


def timer_runs(session: Session) -> list[TimerRun]:
    return list(session.exec(select(TimerRun).order_by(col(TimerRun.name))).all())


def system_status(session: Session, principal: Principal, settings: Settings) -> SystemStatus:
    require_role(principal, Role.ADMIN)
    held = session.scalar(select(func.count()).where(col(OutboxRecord.held_at).is_not(None))) or 0
    broker, lag = "embedded", None
    if not settings.embedded:
        broker = "ok" if broker_reachable(settings) else "unreachable"
        if broker == "ok":
            try:
                lag = consumer_lag(settings)
            except Exception:  # an answer without lag is better than no page
                lag = None
    return SystemStatus(
        broker,
        outbox_backlog(session),
        held,
        dead_letter_backlog(session),
        urgent_lane(session),
        timer_runs(session),
        lag,
    )
