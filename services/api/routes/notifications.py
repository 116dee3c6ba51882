"""The in-app inbox, notification preferences, and delivery status for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from services.api.deps import ContainerDep, CurrentAdmin, CurrentPrincipal, SessionDep, committed
from services.notify import inbox, matrix_ids
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


class MatrixIdUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    matrix_id: str = Field(min_length=3, max_length=255, description="like @name:example.org")


class MatrixCode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")


@router.put("/me/notification-preferences/matrix", response_model=PreferencesPublic, status_code=202)
def set_matrix_id(
    body: MatrixIdUpdate, principal: CurrentPrincipal, container: ContainerDep
) -> PreferencesPublic:
    """Messages may go to this Matrix ID once it is confirmed: the bot sends it a code to enter with
    POST .../matrix/confirm (valid for an hour)."""
    with committed(container) as uow:
        matrix_ids.set_matrix_id(uow, principal, body.matrix_id, container.matrix_bot is not None)
    with container.uow() as uow:
        return preferences_of(uow, principal)


@router.post("/me/notification-preferences/matrix/confirm", response_model=PreferencesPublic)
def confirm_matrix_id(
    body: MatrixCode, principal: CurrentPrincipal, container: ContainerDep
) -> PreferencesPublic:
    """Confirm the Matrix ID with the code the bot sent to it; then choose the channel "matrix"."""
    secret = container.settings.secret_key.get_secret_value()
    with committed(container) as uow:
        matrix_ids.confirm_matrix_id(uow, principal, secret, body.code)
    with container.uow() as uow:
        return preferences_of(uow, principal)


@router.delete("/me/notification-preferences/matrix", status_code=204)
def remove_matrix_id(principal: CurrentPrincipal, container: ContainerDep) -> None:
    with committed(container) as uow:
        matrix_ids.remove_matrix_id(uow, principal)


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
