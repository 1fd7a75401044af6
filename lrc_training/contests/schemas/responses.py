"""The shapes of the contests API's responses: `api_response` puts each in /api/v1/openapi.json, so every
endpoint is described completely (levels are integers, times ISO 8601 strings with their zone)."""

from __future__ import annotations

from pydantic import Field, RootModel

from ...core.api import ApiModel


class CompetitionCriterionOut(ApiModel):
    id: int
    name: str
    max_points: float


class CompetitionItemOut(ApiModel):
    index: int = Field(description="0 起的项目序号（item_index）")
    name: str
    kind: str = Field(description="theory / practical")
    weight: float
    exam_session_id: int | None
    criteria: list[CompetitionCriterionOut]


class CompetitionOut(ApiModel):
    id: int
    title: str
    tier: str = Field(description="city / provincial / national")
    level: int = Field(description="标准等级 1–4（整数）")
    state: str = Field(description="registration / drawn / published / final")
    registration_closes_at: str = Field(description="ISO 8601，带时区")
    award_mode: str
    award_ratios: dict[str, float]
    aggregation: str
    eligibility: dict
    organization_id: int
    version: int
    stage: str
    advance_count: int | None
    tie_break: list[str]
    notice_days: int
    appeal_hours: int
    promotion_awards: list[str]
    promotion_requires_certificate: bool
    honor_top_n: int
    honor_title: str
    venue: str | None
    starts_on: str | None
    ends_on: str | None
    registration_opens_at: str | None
    published_at: str | None
    notice_ends_at: str | None
    items: list[CompetitionItemOut]


class CompetitionRegistrationOut(ApiModel):
    id: int
    status: str = Field(description="pending / approved / rejected")
    competition_id: int
    user_id: int


class RegistrationDecisionOut(ApiModel):
    id: int
    status: str


class JudgeAssignmentOut(ApiModel):
    id: int
    user_id: int
    item_index: int
    is_chief: bool


class JudgeLoadOut(ApiModel):
    user_id: int
    name: str
    organization: str | None
    items: list[str]
    chief_of: list[str]
    sheets: int
    submitted: int
    elsewhere: int
    conflict: bool


class JudgeLoadList(RootModel[list[JudgeLoadOut]]):
    pass


class AutoPanelOut(ApiModel):
    added: int
    judges: list[JudgeLoadOut]


class ContestantCodeOut(ApiModel):
    registration_id: int
    user_id: int
    contestant_code: str | None
    station_number: str | None


class CheckInCloseOut(ApiModel):
    state: str
    present: int


class RegistrationRef(ApiModel):
    id: int
    user_id: int


class QualifiersOut(ApiModel):
    taken: int
    registrations: list[RegistrationRef]


class BulkRegisteredRow(ApiModel):
    row: int
    name: str
    status: str


class BulkErrorRow(ApiModel):
    row: int
    message: str


class BulkRegistrationOut(ApiModel):
    registered: list[BulkRegisteredRow]
    errors: list[BulkErrorRow]


class ItemProgressOut(ApiModel):
    item_index: int
    item_name: str
    sheets: int
    submitted: int
    judges: list[dict] = Field(description="每位裁判：name, total, submitted, drafts, chief")
    outliers: list[dict] = Field(description="偏离裁判组中位数的评分：sheet_id, code, judge, total, mean …")


class ProgressList(RootModel[list[ItemProgressOut]]):
    pass


class SheetReopenOut(ApiModel):
    id: int
    version: int
    submitted: bool


class CompetitionAppealOut(ApiModel):
    id: int
    competition_id: int
    contestant_code: str | None
    text: str
    status: str = Field(description="pending / upheld / dismissed")
    decision: str | None
    version: int
    filed_at: str
    decided_at: str | None


class CompetitionAppealList(RootModel[list[CompetitionAppealOut]]):
    pass


class DrawOut(ApiModel):
    codes: list[ContestantCodeOut]


class JudgingSheetOut(ApiModel):
    id: int
    item_index: int
    item_name: str
    contestant_code: str | None = Field(description="实操项目按工位评分时为 null")
    station_number: str | None
    criteria: list[CompetitionCriterionOut]
    scores: dict[str, float] = Field(description="{评分标准 id: 分数}")
    total: float
    version: int
    submitted: bool


class JudgingSheetList(RootModel[list[JudgingSheetOut]]):
    pass


class ResultRowOut(ApiModel):
    rank: int
    contestant_code: str | None
    user_id: int | None = Field(description="全部评分提交前为 null")
    name: str | None = Field(description="全部评分提交前为 null")
    item_scores: dict[str, float | None]
    item_details: dict
    total: float = Field(description="四舍五入到两位小数，即排名所用的分数")
    total_exact: str
    award: str | None
    award_pending: bool


class ResultsOut(ApiModel):
    state: str
    rows: list[ResultRowOut]


class CompetitionPublishOut(ApiModel):
    state: str
    published_at: str
    rows: list[ResultRowOut]


class PromotionRequestOut(ApiModel):
    id: int
    status: str
    evaluator_organization_id: int
    evaluator: str
    decision_reason: str | None


class PromotionOut(ApiModel):
    registration_id: int
    user_id: int
    name: str
    title: str
    level: int | None = Field(description="晋升到的等级 1–4（整数）")
    eligible: bool
    ineligible_reason: str | None
    status: str
    status_text: str
    request: PromotionRequestOut | None


class EvaluatorOut(ApiModel):
    organization_id: int
    name: str


class PromotionsOut(ApiModel):
    state: str
    promotion_requires_certificate: bool
    promotions: list[PromotionOut]
    evaluators: list[EvaluatorOut]


class PromotionRequestsOut(ApiModel):
    requested: int
    issued: int
    numbers: list[str]
    skipped: int
    not_covered: int
