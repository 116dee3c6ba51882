"""The in-app inbox, notification preferences, and delivery status for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.api.deps import ContainerDep, CurrentAdmin, CurrentPrincipal, SessionDep
from services.notify import inbox
from services.notify.inbox import InboxMessagePublic, NotificationPublic
from services.notify.preferences import (
    PreferencesPublic,
    PreferencesUpdate,
    preferences_of,
    update_preferences,
)
from services.notify.tables import NotificationStatus

router = APIRouter(tags=["notifications"])


@router.get("/me/inbox", response_model=list[InboxMessagePublic])
def my_inbox(
    principal: CurrentPrincipal,
    session: SessionDep,
    unread: Annotated[bool, Query(description="only messages not yet read")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[InboxMessagePublic]:
    """The caller's messages, urgent and newest first."""
    return inbox.inbox_of(session, principal, unread, limit)


@router.post("/me/inbox/{message_id}/read", response_model=InboxMessagePublic)
def mark_read(message_id: str, principal: CurrentPrincipal, container: ContainerDep) -> InboxMessagePublic:
    with container.uow() as uow:
        return inbox.mark_read(uow, principal, message_id)


@router.get("/me/notification-preferences", response_model=PreferencesPublic)
def my_preferences(principal: CurrentPrincipal, container: ContainerDep) -> PreferencesPublic:
    with container.uow() as uow:
        return preferences_of(uow, principal)


@router.put("/me/notification-preferences", response_model=PreferencesPublic)
def change_preferences(
    body: PreferencesUpdate, principal: CurrentPrincipal, container: ContainerDep
) -> PreferencesPublic:
    with container.uow() as uow:
        return update_preferences(uow, principal, body, container.webhook_policy)


@router.get("/admin/notifications", response_model=list[NotificationPublic])
def list_notifications(
    principal: CurrentAdmin,
    session: SessionDep,
    status_: Annotated[NotificationStatus | None, Query(alias="status")] = None,
    recipient_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationPublic]:
    """Delivery status of notifications, newest first (admins only)."""
    return inbox.notifications(session, status_, recipient_id, limit)


@router.get("/admin/notifications/{notification_id}", response_model=NotificationPublic)
def read_notification(
    notification_id: str, principal: CurrentAdmin, session: SessionDep
) -> NotificationPublic:
    return inbox.notification(session, notification_id)
