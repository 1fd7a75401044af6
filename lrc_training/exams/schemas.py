"""Request schemas of the exams API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from ..core.api import ApiModel, QueryModel


class QuestionIn(ApiModel):
    kind: Literal["single", "multiple", "true_false", "essay"]
    level: int = Field(ge=1, le=4)
    function_code: str = Field(min_length=1, max_length=8)
    stem: str = Field(min_length=1, max_length=5000)
    options: dict[str, str] | None = None
    answer: bool | str | list[str]
    points: float = Field(default=1, gt=0, le=100)
    difficulty: int = Field(default=3, ge=1, le=5)
    explanation: str | None = Field(default=None, max_length=5000)
    rubric: str | None = Field(default=None, max_length=5000)


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
