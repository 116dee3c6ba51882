"""Who may see and change a dialogue: its organiser and admins change it; the municipality it
belongs to may see it. A denial never tells that a dialogue exists."""

from __future__ import annotations

from sqlmodel import Session

from services.access import Principal, Scope, require_access
from services.dialogues.tables import Dialogue
from services.store.tables import Role
from workflows.errors import Forbidden, NotFound


class DialogueNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("dialogue not found")


class NotOrganiser(Forbidden):
    def __init__(self) -> None:
        super().__init__("only the organiser or an admin may change this dialogue")


def dialogue_scope(dialogue: Dialogue) -> Scope:
    return Scope(organiser_id=dialogue.organiser_id, municipality_ags=dialogue.municipality_ags)


def organised(session: Session, principal: Principal, dialogue_id: str, change: bool = False) -> Dialogue:
    dialogue = session.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise DialogueNotFound()
    require_access(principal, dialogue_scope(dialogue), "dialogue")
    if change and principal.role is not Role.ADMIN and principal.account_id != dialogue.organiser_id:
        raise NotOrganiser()
    return dialogue
