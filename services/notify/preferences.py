"""Notification preferences: which channels, which language, quiet hours, a signed webhook. The
recipient's own choice; urgent messages still use every channel."""

from __future__ import annotations

import secrets
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

from notifications.messages import LOCALES, Channel
from notifications.webhook_targets import UnsafeWebhook, WebhookPolicy
from services.access import Principal
from services.notify.tables import NotificationPreference
from services.store.uow import UnitOfWork
from workflows.errors import Invalid


class UnsafeWebhookTarget(Invalid):
    """The webhook would point into an internal network, or not use https where it must."""


class MatrixNotConfirmed(Invalid):
    def __init__(self) -> None:
        super().__init__("confirm your Matrix ID with the code sent to it before choosing Matrix")


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
    matrix_id: str | None = Field(default=None, description="set with PUT .../matrix, used once confirmed")
    matrix_confirmed: bool = False


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


def public(preference: NotificationPreference, show_secret: bool) -> PreferencesPublic:
    return PreferencesPublic(
        channels=[Channel(c) for c in preference.channels.split(",") if c],
        locale=preference.locale,
        quiet_start=preference.quiet_start,
        quiet_end=preference.quiet_end,
        timezone=preference.timezone,
        webhook_url=preference.webhook_url,
        webhook_secret=preference.webhook_secret if show_secret else None,
        matrix_id=preference.matrix_id,
        matrix_confirmed=preference.matrix_confirmed_at is not None,
    )


def preferences_of(uow: UnitOfWork, principal: Principal) -> PreferencesPublic:
    preference = uow.session.get(NotificationPreference, principal.account_id) or NotificationPreference(
        account_id=principal.account_id, updated_at=uow.clock()
    )
    return public(preference, show_secret=False)


def update_preferences(
    uow: UnitOfWork, principal: Principal, body: PreferencesUpdate, webhooks: WebhookPolicy
) -> PreferencesPublic:
    """Save the caller's choice. A new or changed webhook gets a new signing secret, shown once."""
    if body.webhook_url is not None:
        try:
            webhooks.check(str(body.webhook_url))
        except UnsafeWebhook as exc:
            raise UnsafeWebhookTarget(str(exc)) from None
    preference = uow.session.get(NotificationPreference, principal.account_id) or NotificationPreference(
        account_id=principal.account_id, updated_at=uow.clock()
    )
    if Channel.MATRIX in body.channels and preference.matrix_confirmed_at is None:
        raise MatrixNotConfirmed()
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
    preference.updated_at = uow.clock()
    uow.session.add(preference)
    uow.commit()
    return public(preference, show_secret=new_secret)
