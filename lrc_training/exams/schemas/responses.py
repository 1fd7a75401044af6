"""The shapes of the exams API's responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, RootModel

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
