"""What the API and the pages take and show of self-check rounds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.selfchecks.questionnaire_files import LATEST


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    population: int = Field(ge=1, le=5_000_000, description="inhabitants, for the size class of peers")
    peer_exchange_opt_in: bool = Field(
        default=False, description="other municipalities may be pointed to you"
    )
    questionnaire_version: str = LATEST


class RoundPublic(BaseModel):
    id: str
    municipality_ags: str
    questionnaire_version: str
    status: str
    overall: float | None
    respondents: list[dict[str, str]]


class RespondentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=120, description="e.g. 'Bürgeramt' or 'Integrationsbeirat'")


class AnswersUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Any] = Field(description="question id -> answer; null means 'we cannot say'")


class RespondentLink(BaseModel):
    id: str
    answer_url: str = Field(description="the respondent's secret link; send it to them, keep it from others")


class AnswersPublic(BaseModel):
    label: str
    questionnaire_version: str
    status: str
    answers: dict[str, Any]


class AnswersSaved(BaseModel):
    saved: int
    answered: int
    of: int


class DraftCreated(BaseModel):
    dialogue_id: str
    status: str


class DraftDialogue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organiser_id: str
