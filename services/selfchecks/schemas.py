"""What the API and the pages take and show of self-check rounds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field

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
    respondents: list[dict[str, str | None]]


class RespondentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1, max_length=120, description="e.g. 'Bürgeramt' or 'Integrationsbeirat'")
    email: EmailStr | None = Field(
        default=None, description="mail the answer link here (kept until the round closes)"
    )
    perspective: str | None = Field(
        default=None,
        max_length=40,
        description="the part of the administration they answer for (the questionnaire's perspectives); "
        "they can change it when they answer",
    )


class AnswersUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, Any] = Field(
        default_factory=dict, description="question id -> answer; null means 'we cannot say'"
    )
    perspective: str | None = Field(
        default=None, max_length=40, description="the part of the administration you answer for"
    )


class RespondentLink(BaseModel):
    id: str
    answer_url: str = Field(description="the respondent's secret link; send it to them, keep it from others")


class AnswersPublic(BaseModel):
    label: str
    perspective: str | None
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


class LabelledValue(BaseModel):
    value: str | int
    text: dict[str, str] = Field(description="what a person reads, in German and English")


class QuestionPublic(BaseModel):
    id: str
    type: str
    weight: float
    text: dict[str, str]
    help: dict[str, str]
    skippable: bool
    options: list[LabelledValue] | None = Field(description="a choice question's values and their texts")
    goal: str | None = Field(default=None, description="the goal it is an indicator of (2026.2 on)")
    criterion: str | None = Field(default=None, description="and the criterion")


class CriterionPublic(BaseModel):
    id: str
    title: dict[str, str]
    weight: float
    questions: list[str] = Field(description="the ids of its indicator questions")


class GoalPublic(BaseModel):
    id: str
    title: dict[str, str]
    weight: float
    criteria: list[CriterionPublic]


class FieldPublic(BaseModel):
    id: str
    title: dict[str, str]
    questions: list[QuestionPublic]
    goals: list[GoalPublic] = Field(description="empty where the questions roll up to the field directly")


class QuestionnairePublic(BaseModel):
    """The questions of one questionnaire version, in German and English."""

    version: str
    title: dict[str, str]
    maturity_scale: list[LabelledValue] = Field(description="the steps 0-4 of a maturity answer")
    perspectives: list[LabelledValue] = Field(description="the parts of the administration, 'other' last")
    fields: list[FieldPublic]


class FieldScorePublic(BaseModel):
    field: str
    score: float | None = Field(description="0-100; null when every question of the field was skipped")
    coverage: float = Field(description="share of the field's weight that was answered, 0-1")


class GoalScorePublic(BaseModel):
    goal: str
    field: str
    score: float | None
    coverage: float


class CriterionScorePublic(BaseModel):
    criterion: str
    goal: str
    score: float | None
    coverage: float


class PerspectiveFieldPublic(BaseModel):
    field: str
    scores: dict[str, float | None] = Field(
        description="perspective -> score; null: withheld, as it rests on too few answers"
    )
    respondents: dict[str, int]
    spread: float | None
    high: list[str] = Field(description="when the perspectives are far apart: those at the top")
    low: list[str] = Field(description="and those at the bottom")


class PerspectiveQuestionPublic(BaseModel):
    question: str
    spread: float
    perspectives: list[str] = Field(description="those at either end; never who answered what")


class PerspectivesPublic(BaseModel):
    fields: list[PerspectiveFieldPublic] = []
    questions: list[PerspectiveQuestionPublic] = []


class ComparisonPublic(BaseModel):
    previous_version: str
    fields: dict[str, float | None] = Field(description="change per field both versions have")
    goals: dict[str, float | None] = Field(description="change per goal that kept its id")
    only_now: list[str]
    only_before: list[str]
    questions_changed: list[str] = Field(
        description="compared fields and goals asked with other questions: their change may come from "
        "the questionnaire"
    )


class DivergencePublic(BaseModel):
    question: str
    spread: float = Field(description="highest minus lowest respondent score, 0-100")


class PeersPublic(BaseModel):
    peers: int
    shown: bool = Field(description="only with enough peers, so no single municipality can be recognised")
    median: dict[str, float]
    lower_quartile: dict[str, float]
    upper_quartile: dict[str, float]


class RecommendationPublic(BaseModel):
    id: str
    field: str
    score: float | None
    offers: list[str]
    dialogue_format: str | None
    peer_ags: str | None
    dialogue_id: str | None


class ResultPublic(BaseModel):
    fields: list[FieldScorePublic]
    overall: float | None
    level: dict[str, str] | None = Field(description="the level's name, in German and English")
    divergent: list[DivergencePublic]
    respondents: int
    coverage: float = Field(default=0.0, description="of the index: the mean of the fields' coverage")
    goals: list[GoalScorePublic] = []
    criteria: list[CriterionScorePublic] = []
    perspectives: PerspectivesPublic = PerspectivesPublic()
    trend: dict[str, float | None] | None = Field(description="change per field since the previous round")
    previous_round: str | None
    comparison: ComparisonPublic | None = None
    peers: PeersPublic
    size_class: str
    recommendations: list[RecommendationPublic]
