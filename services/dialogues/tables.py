"""Dialogues, registrations and the scheduled jobs around them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.store.types import EncryptedText, UtcDateTime
from workflows.dialogues.seating import Allocation


class DialogueStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Dialogue(SQLModel, table=True):
    __tablename__ = "dialogue"

    id: str = Field(primary_key=True, max_length=36)
    organiser_id: str = Field(foreign_key="account.id", index=True, max_length=36)
    municipality_ags: str = Field(max_length=8)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    format: str = Field(max_length=32)
    starts_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    ends_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    venue: str = Field(default="", max_length=300)  # name and address, or "online"
    online_url: str | None = Field(default=None, max_length=500)
    accessibility: str = Field(
        default="", max_length=300
    )  # comma-separated facts: step_free, hearing_loop, ...
    capacity: int
    waitlist_enabled: bool = True
    registration_opens_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    registration_closes_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    languages: str = Field(default="de", max_length=100)
    allocation: Allocation = Field(default=Allocation.FCFS, sa_column=Column(String(10), nullable=False))
    quotas: str = Field(default="{}", sa_column=Column(Text, nullable=False))  # {"group": seats}
    reminder_hours: str = Field(default="48,2", max_length=50)
    brief_days: str = Field(default="7,2", max_length=50)
    retention_days: int = 30
    survey_url: str | None = Field(default=None, max_length=500)
    privacy_version: str = Field(default="2026-1", max_length=20)
    status: DialogueStatus = Field(default=DialogueStatus.DRAFT, sa_column=Column(String(10), nullable=False))
    lottery_seed: int | None = None
    lottery_drawn_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    alerted_thresholds: str = Field(default="", max_length=20)  # capacity alerts already sent: "80,100"
    # Kept by the worker, which decides every seat of a dialogue in turn (partition key, row lock).
    seats_taken: int = 0
    waitlist_last: int = 0
    # When the registration that holds the last waiting-list place was made: a registration made
    # earlier but decided later (its transaction committed later) is put before those made after it.
    waitlist_last_requested_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime, nullable=True)
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class Registration(SQLModel, table=True):
    """A resident's registration. Name, e-mail, phone and free text are personal data: they are
    anonymised ``retention_days`` after the dialogue; statuses and needs counts stay."""

    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("dialogue_id", "email_hash", name="uq_registration_dialogue_email"),
        Index("ix_registration_dialogue_status", "dialogue_id", "status", "waitlist_position"),
    )

    id: str = Field(primary_key=True, max_length=36)
    dialogue_id: str = Field(foreign_key="dialogue.id", max_length=36)
    # Encrypted at rest; the e-mail is found through its keyed hash.
    name: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    email: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    email_hash: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    language: str = Field(default="de", max_length=8)
    step_free: bool = False
    sign_language: bool = False
    simple_language: bool = False
    interpreter_languages: str = Field(default="", max_length=100)
    children_ages: str = Field(default="", max_length=100)
    dietary: str = Field(default="", sa_column=Column(EncryptedText, nullable=False))
    needs_note: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    groups: str = Field(default="", max_length=200)  # quota groups, e.g. "district:Nord,first_time"
    consent_version: str = Field(max_length=20)
    status: str = Field(default="requested", max_length=12)
    waitlist_position: int | None = None
    held_seat_when_cancelled: bool = False  # the worker gives the seat back exactly once
    requested_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    anonymised_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    # When its owner was last sent their link because the address registered again (at most every
    # ten minutes, so the public form cannot flood a mailbox).
    link_sent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    # The SEQUENCE of the last calendar invite or cancellation sent for it (RFC 5545: each is higher).
    calendar_sequence: int = 0


class DialogueJob(SQLModel, table=True):
    """Something due at a time: a reminder, a brief, the lottery, the survey, the retention purge."""

    __tablename__ = "dialogue_job"
    __table_args__ = (
        UniqueConstraint("dialogue_id", "kind", name="uq_dialogue_job"),
        Index("ix_dialogue_job_due", "done_at", "due_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    dialogue_id: str = Field(foreign_key="dialogue.id", max_length=36)
    kind: str = Field(max_length=20)
    due_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))


class DialogueTask(SQLModel, table=True):
    """A task of the logistics brief the organiser ticked off (the tasks themselves are computed
    from the registrations' needs; ``key`` is the task's stable id, e.g. "interpreter:ar")."""

    __tablename__ = "dialogue_task"

    dialogue_id: str = Field(foreign_key="dialogue.id", primary_key=True, max_length=36)
    key: str = Field(primary_key=True, max_length=60)
    done_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    done_by: str = Field(max_length=36)
