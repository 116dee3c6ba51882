"""The in-app inbox, notification preferences, and delivery status for admins."""

from __future__ import annotations

import secrets
from datetime import datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import col, select

from notifications.messages import LOCALES, Channel
from services.access import Scope, require_access, require_role
from services.api.deps import ContainerDep, CurrentPrincipal, SessionDep
from services.notify.tables import (
    DeliveryStatus,
    InboxMessage,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    NotificationStatus,
)
from services.store.tables import Role

router = APIRouter(tags=["notifications"])


class InboxMessagePublic(BaseModel):
    id: str
    title: str
    body: str
    urgent: bool
    created_at: datetime
    read_at: datetime | None


@router.get("/me/inbox", response_model=list[InboxMessagePublic])
def my_inbox(
    principal: CurrentPrincipal,
    session: SessionDep,
    unread: Annotated[bool, Query(description="only messages not yet read")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[InboxMessagePublic]:
    """The caller's messages, urgent and newest first."""
    query = select(InboxMessage).where(InboxMessage.account_id == principal.account_id)
    if unread:
        query = query.where(col(InboxMessage.read_at).is_(None))
    query = query.order_by(col(InboxMessage.urgent).desc(), col(InboxMessage.created_at).desc()).limit(limit)
    return [InboxMessagePublic.model_validate(m, from_attributes=True) for m in session.exec(query)]


@router.post("/me/inbox/{message_id}/read", response_model=InboxMessagePublic)
def mark_read(
    message_id: str, principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> InboxMessagePublic:
    message = session.get(InboxMessage, message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "message not found")
    require_access(principal, Scope(owner_id=message.account_id), "message")
    message.read_at = message.read_at or container.clock()
    session.add(message)
    session.commit()
    return InboxMessagePublic.model_validate(message, from_attributes=True)


class PreferencesPublic(BaseModel):
    channels: list[Channel]
    locale: str
    quiet_start: time | None
    quiet_end: time | None
    timezone: str
    webhook_url: str | None
    webhook_secret: str | None = Field(
        default=None,
        description="shown once, when a webhook is set or its secret rotated; keep it to verify signatures",
    )


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channels: list[Channel] = Field(
        min_length=1, description="for ordinary messages; urgent ones use every channel"
    )
    locale: str = "de"
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = "Europe/Berlin"
    webhook_url: AnyHttpUrl | None = None
    rotate_webhook_secret: bool = False

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"choose one of: {', '.join(LOCALES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not a known time zone, e.g. Europe/Berlin") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PreferencesUpdate:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("give both quiet_start and quiet_end, or neither")
        if Channel.WEBHOOK in self.channels and self.webhook_url is None:
            raise ValueError("the webhook channel needs a webhook_url")
        return self


def _public(preference: NotificationPreference, show_secret: bool) -> PreferencesPublic:
    return PreferencesPublic(
        channels=[Channel(c) for c in preference.channels.split(",") if c],
        locale=preference.locale,
        quiet_start=preference.quiet_start,
        quiet_end=preference.quiet_end,
        timezone=preference.timezone,
        webhook_url=preference.webhook_url,
        webhook_secret=preference.webhook_secret if show_secret else None,
    )


@router.get("/me/notification-preferences", response_model=PreferencesPublic)
def my_preferences(
    principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> PreferencesPublic:
    preference = session.get(NotificationPreference, principal.account_id) or NotificationPreference(
        account_id=principal.account_id, updated_at=container.clock()
    )
    return _public(preference, show_secret=False)


@router.put("/me/notification-preferences", response_model=PreferencesPublic)
def update_preferences(
    body: PreferencesUpdate, principal: CurrentPrincipal, session: SessionDep, container: ContainerDep
) -> PreferencesPublic:
    if (
        body.webhook_url is not None
        and body.webhook_url.scheme != "https"
        and container.settings.environment == "production"
    ):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "webhook_url must use https")
    preference = session.get(NotificationPreference, principal.account_id) or NotificationPreference(
        account_id=principal.account_id, updated_at=container.clock()
    )
    webhook_url = str(body.webhook_url) if body.webhook_url else None
    new_secret = webhook_url is not None and (
        body.rotate_webhook_secret
        or preference.webhook_secret is None
        or preference.webhook_url != webhook_url
    )
    preference.channels = ",".join(dict.fromkeys(body.channels))
    preference.locale = body.locale
    preference.quiet_start, preference.quiet_end = body.quiet_start, body.quiet_end
    preference.timezone = body.timezone
    preference.webhook_url = webhook_url
    if webhook_url is None:
        preference.webhook_secret = None
    elif new_secret:
        preference.webhook_secret = secrets.token_urlsafe(32)
    preference.updated_at = container.clock()
    session.add(preference)
    session.commit()
    return _public(preference, show_secret=new_secret)


class DeliveryPublic(BaseModel):
    channel: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None


class NotificationPublic(BaseModel):
    """Status only: the message's context (which may hold personal data) is not shown."""

    id: str
    recipient_kind: str
    recipient_id: str
    template: str
    urgent: bool
    status: NotificationStatus
    created_at: datetime
    deliveries: list[DeliveryPublic]


def _notification_public(session: SessionDep, notification: Notification) -> NotificationPublic:
    deliveries = session.exec(
        select(NotificationDelivery).where(NotificationDelivery.notification_id == notification.id)
    ).all()
    return NotificationPublic(
        id=notification.id,
        recipient_kind=notification.recipient_kind,
        recipient_id=notification.recipient_id,
        template=notification.template,
        urgent=notification.urgent,
        status=NotificationStatus(notification.status),
        created_at=notification.created_at,
        deliveries=[DeliveryPublic.model_validate(d, from_attributes=True) for d in deliveries],
    )


@router.get("/admin/notifications", response_model=list[NotificationPublic])
def list_notifications(
    principal: CurrentPrincipal,
    session: SessionDep,
    status_: Annotated[NotificationStatus | None, Query(alias="status")] = None,
    recipient_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationPublic]:
    """Delivery status of notifications, newest first (admins only)."""
    require_role(principal, Role.ADMIN)
    query = select(Notification)
    if status_ is not None:
        query = query.where(Notification.status == status_)
    if recipient_id is not None:
        query = query.where(Notification.recipient_id == recipient_id)
    query = query.order_by(col(Notification.created_at).desc()).limit(limit)
    return [_notification_public(session, n) for n in session.exec(query)]


@router.get("/admin/notifications/{notification_id}", response_model=NotificationPublic)
def read_notification(
    notification_id: str, principal: CurrentPrincipal, session: SessionDep
) -> NotificationPublic:
    require_role(principal, Role.ADMIN)
    notification = session.get(Notification, notification_id)
    if notification is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "notification not found")
    return _notification_public(session, notification)
