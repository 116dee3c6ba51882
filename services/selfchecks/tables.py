"""Self-check rounds, their respondents' answers, results and recommendations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from services.store.types import EncryptedText, UtcDateTime


class SelfCheckRound(SQLModel, table=True):
    __tablename__ = "selfcheck_round"

    id: str = Field(primary_key=True, max_length=36)
    municipality_ags: str = Field(max_length=8, index=True)
    municipality_account_id: str = Field(foreign_key="account.id", max_length=36)
    municipality_name: str = Field(max_length=200)
    population: int
    questionnaire_version: str = Field(max_length=20)
    peer_exchange_opt_in: bool = False
    status: str = Field(
        default="open", sa_column=Column(String(10), nullable=False)
    )  # open, submitted, scored
    result: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    overall: float | None = None
    opened_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    scored_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime, nullable=True))
    workshop_dialogue_id: str | None = Field(default=None, max_length=36)  # the workshop, drafted once


class Respondent(SQLModel, table=True):
    """A department, the integration officer, the advisory council...: answers through a secret link."""

    __tablename__ = "selfcheck_respondent"

    id: str = Field(primary_key=True, max_length=36)
    round_id: str = Field(foreign_key="selfcheck_round.id", index=True, max_length=36)
    label: str = Field(max_length=120)
    # The part of the administration they answer for (the questionnaire's list); stated by them, or
    # preset by the municipality that invited them.
    perspective: str | None = Field(default=None, max_length=40)
    # Where the link was sent, if it was mailed; personal, so encrypted, and erased when the round closes.
    email: str | None = Field(default=None, sa_column=Column(EncryptedText, nullable=True))
    answers: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class SelfCheckRecommendation(SQLModel, table=True):
    __tablename__ = "selfcheck_recommendation"

    id: str = Field(primary_key=True, max_length=36)
    round_id: str = Field(foreign_key="selfcheck_round.id", index=True, max_length=36)
    field: str = Field(max_length=40)
    score: float
    offers: str = Field(max_length=200)
    dialogue_format: str = Field(max_length=40)
    peer_ags: str | None = Field(default=None, max_length=8)
    dialogue_id: str | None = Field(default=None, max_length=36)
