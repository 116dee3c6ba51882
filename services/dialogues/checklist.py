"""The logistics brief's tasks as the organiser's checklist: each task with its deadline, whether it
is overdue, and whether (and when) it was ticked off. The tasks follow the registrations' needs; a
tick stays with the task's key, so a task that disappears and comes back keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from services.access import Principal
from services.dialogues.dialogue_access import organised
from services.dialogues.dialogue_views import figures
from services.dialogues.tables import DialogueTask
from services.store.uow import UnitOfWork
from workflows.errors import NotFound


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title_de: str
    title_en: str
    deadline: datetime
    overdue: bool  # not done and the deadline has passed
    done_at: datetime | None


class NoSuchTask(NotFound):
    def __init__(self) -> None:
        super().__init__("this dialogue's brief has no such task (any more)")


def checklist(session: Session, principal: Principal, dialogue_id: str, now: datetime) -> list[ChecklistItem]:
    """Open tasks first (overdue ones at the top), then those done."""
    dialogue = organised(session, principal, dialogue_id, change=True)
    done = {
        t.key: t.done_at
        for t in session.exec(select(DialogueTask).where(col(DialogueTask.dialogue_id) == dialogue.id)).all()
    }
    items = [
        ChecklistItem(
            t.key, t.title_de, t.title_en, t.deadline, t.overdue and t.key not in done, done.get(t.key)
        )
        for t in figures(session, principal, dialogue_id, now).logistics.tasks
    ]
    return sorted(items, key=lambda i: (i.done_at is not None, not i.overdue, i.deadline))


def mark_task(uow: UnitOfWork, principal: Principal, dialogue_id: str, key: str, done: bool) -> None:
    """Tick a task off (or untick it). The caller commits."""
    dialogue = organised(uow.session, principal, dialogue_id, change=True)
    if key not in {t.key for t in figures(uow.session, principal, dialogue.id).logistics.tasks}:
        raise NoSuchTask()
    existing = uow.session.get(DialogueTask, (dialogue.id, key))
    if done and existing is None:
        uow.session.add(
            DialogueTask(dialogue_id=dialogue.id, key=key, done_at=uow.clock(), done_by=principal.account_id)
        )
    elif not done and existing is not None:
        uow.session.delete(existing)
