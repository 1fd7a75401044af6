"""The inputs of the exams area and the shapes of its API responses."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, RootModel

from ..core.api import ApiModel, QueryModel
from .models import NOTE_MAX, STEM_MAX


class QuestionIn(ApiModel):
    kind: Literal["single", "multiple", "true_false", "essay"]
    level: int = Field(ge=1, le=4)
    function_code: str = Field(min_length=1, max_length=8)
    stem: str = Field(min_length=1, max_length=STEM_MAX)
    options: dict[str, str] | None = None
    answer: bool | str | list[str]
    points: float = Field(default=1, gt=0, le=100)
    difficulty: int = Field(default=3, ge=1, le=5)
    explanation: str | None = Field(default=None, max_length=NOTE_MAX)
    rubric: str | None = Field(default=None, max_length=NOTE_MAX)


class QuestionQuery(QueryModel):
    """The question bank's filters: `GET /api/v1/questions` and the bank page (/exams/bank, its Excel export)."""

    level: int | None = Field(default=None, ge=1, le=4, description="等级 1–4")
    kind: Literal["single", "multiple", "true_false", "essay"] | None = Field(default=None, description="题型")
    function_code: str | None = Field(default=None, max_length=8, description="职业功能代码")
    q: str | None = Field(default=None, max_length=50, description="题干关键词")


class BlueprintRow(ApiModel):
    function_code: str = Field(min_length=1, max_length=8)
    kind: Literal["single", "multiple", "true_false", "essay"]
    count: int = Field(ge=1, le=500)
    points_each: float = Field(gt=0, le=100)
    difficulty: int | None = Field(default=None, ge=1, le=5)


class SessionIn(ApiModel):
    title: str = Field(min_length=1, max_length=200)
    level: int = Field(ge=1, le=4)
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    duration_minutes: int = Field(default=90, ge=10, le=600)
    blueprint: list[BlueprintRow] = Field(min_length=1, max_length=100)
    pass_mark: float = Field(default=60, ge=1, le=100)
    applications_close_at: AwareDatetime | None = None
    parts: list[Literal["theory", "practical", "review"]] | None = None
    partial_credit: bool = False
    examiners_per_paper: int = 3
    arbitration_share: float = Field(default=0.2, gt=0, le=1)
    allow_review: bool = True
    part_validity_years: int = Field(default=2, ge=1, le=5)  # a passed part exempts retakes this long


class ApplicationIn(ApiModel):
    """work_years: total years of work in the occupation or a related one; work_started_on (YYYY-MM-DD), when
    given, decides instead (full years to the application date). prior_certificate_issued_on and
    prior_certificate_level are needed only for a certificate issued elsewhere (the level can be read from a
    standard 22-character number); a platform certificate's date and level are known."""

    work_years: float | None = Field(default=None, ge=0, le=60)
    work_started_on: date | None = None
    prior_certificate_number: str | None = Field(default=None, max_length=40)
    prior_certificate_issued_on: date | None = None
    prior_certificate_level: int | None = Field(default=None, ge=1, le=4)
    education: Literal["none", "technical_school", "senior_technical", "junior_college", "bachelor", "master"] = "none"
    related_major: bool = False


class DecisionIn(ApiModel):
    reason: str | None = Field(default=None, max_length=500)
    override_reason: str | None = Field(default=None, max_length=500)


class ResponseIn(ApiModel):
    response: bool | str | list[str] | None


class GradeIn(ApiModel):
    score: float
    comment: str | None = Field(default=None, max_length=2000)


class PracticalScoreIn(ApiModel):
    application_id: int
    score: float
    part: Literal["practical", "review"] = "practical"


class RegradeIn(ApiModel):
    application_id: int
    part: Literal["practical", "review"] = "practical"
    score: float
    reason: str = Field(min_length=1, max_length=500)


class ExtendIn(ApiModel):
    minutes: int = Field(ge=1, le=120)
    reason: str = Field(min_length=1, max_length=500)


# -- the API's responses ---------------------------------------------------------------------------------------------
# Built by api.py from the models (lax: a Decimal column becomes a number), so /api/v1/openapi.json describes every
# exams endpoint; levels, counts and ids are integers, scores and points numbers, times ISO 8601 with the offset.

class Out(BaseModel):
    """Base of the response shapes: documentation and conversion, no input rules (text goes out as stored)."""


Answer = bool | str | list[str] | None


class QuestionOut(Out):
    id: int
    kind: str
    level: int
    function_code: str
    difficulty: int
    stem: str
    options: dict[str, str] | None
    points: float
    revision: int
    active: bool
    answer: Answer = Field(default=None, description="staff only: the key")
    explanation: str | None = None
    rubric: str | None = None


class QuestionPage(Out):
    items: list[QuestionOut]
    page: int
    per_page: int
    total: int


class SessionOut(Out):
    id: int
    title: str
    level: int
    parts: list[str]
    opens_at: str
    closes_at: str
    applications_close_at: str
    duration_minutes: int
    pass_mark: float
    blueprint: list[dict[str, Any]]
    total_points: float
    state: str
    organization_id: int
    partial_credit: bool
    examiners_per_paper: int
    version: int
    part_validity_years: int
    issues_certificates: bool


class SessionPage(Out):
    items: list[SessionOut]
    page: int
    per_page: int
    total: int


class ApplicationOut(Out):
    id: int
    status: str
    session_id: int
    eligibility: str | None
    exempt_parts: list[str] | None
    work_years: float


class DecisionOut(Out):
    id: int
    status: str
    anonymous_code: str | None


class PaperQuestion(Out):
    """A question as the candidate sees it: never the key; options relabelled A, B, C … after shuffling."""

    id: int
    position: int
    kind: str
    stem: str
    options: dict[str, str] | None
    points: float


class AttemptOut(Out):
    id: int
    status: str
    started_at: str
    deadline: str
    questions: list[PaperQuestion]
    responses: dict[str, Answer] = Field(description="question id → the saved answer")
    objective_score: float | None


class SavedOut(Out):
    saved_at: str
    question_id: int


class SubmittedOut(Out):
    status: str
    objective_score: float
    submitted_at: str


class GradingTaskOut(Out):
    id: int
    anonymous_code: str | None
    session: str
    question_id: int
    stem: str
    reference_answer: Answer
    rubric: str | None
    points: float
    answer: Answer
    score: float | None
    comment: str | None
    is_arbitration: bool
    locked: bool


class GradingTaskList(Out):
    items: list[GradingTaskOut]
    total: int


class GradeOut(Out):
    id: int
    score: float
    comment: str | None


class PartScoreOut(Out):
    application_id: int
    part: str
    score: float


class RegradeOut(PartScoreOut):
    passed: bool | None


class ResultOut(Out):
    application_id: int
    user_id: int
    theory: float | None
    practical: float | None
    review: float | None
    passed: bool | None
    parts_passed: dict[str, bool | None]
    exempt_parts: list[str]


class ResultList(RootModel[list[ResultOut]]):
    """Every approved candidate's part scores and pass/fail."""


class PublishOut(Out):
    state: str
    published_at: str
    candidates: int
    passed: int


class ItemStatsOut(Out):
    question_id: int
    kind: str
    answered: int
    candidates: int
    facility: float | None
    discrimination: float | None
    options: dict[str, int]
    flag: str | None


class ReliabilityOut(Out):
    method: str
    value: float | None
    common_items: int


class AnalysisOut(Out):
    candidates: int
    items: list[ItemStatsOut]
    reliability: ReliabilityOut


class MonitorRowOut(Out):
    application_id: int
    anonymous_code: str | None
    room: str | None
    seat: str | None
    attempt_id: int | None
    state: str
    answered: int
    last_saved_at: str | None
    deadline: str | None
    devices: int
    addresses: int
    focus_losses: int
    extensions: int
    takeovers: int
    paused: bool
    voided: bool


class MonitorList(RootModel[list[MonitorRowOut]]):
    """Each approved candidate's state by anonymous code and seat."""


class ExtendedOut(Out):
    id: int
    status: str
    deadline: str
