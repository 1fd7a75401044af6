"""The shapes of the registry's API responses (declared with `@api_response`, so /api/v1/openapi.json describes
every registry endpoint)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ...core.api import ApiModel


class Page(ApiModel):
    """One page of a list: `items` (declared by each list) and where it is."""

    page: int
    per_page: int
    total: int


class HonorOut(ApiModel):
    title: str
    granted_by: str
    granted_on: str


class RegistryRowOut(ApiModel):
    user_id: int
    name: str
    organization_id: int | None
    organization_name: str | None
    organization_kind: str | None
    region_code: str | None
    highest_level: str | None = Field(description="最高等级 \"1\"–\"4\"；无等级的登记记录为 null")
    certificate_numbers: list[str]
    honors: list[HonorOut]


class RegistryPage(Page):
    items: list[RegistryRowOut]


class RegistryEntryOut(ApiModel):
    id: int
    user_id: int
    level: int | None
    certificate_number: str | None
    position: str | None
    full_time: bool


class CompetitionRecordOut(ApiModel):
    title: str
    rank: int | None
    award: str | None
    rewards: list[str]


class RecordOut(RegistryRowOut):
    position: str | None
    full_time: bool
    started_on: str | None
    category: list[str]
    version: int | None
    training_hours: float
    competitions: list[CompetitionRecordOut]


class SubregionOut(ApiModel):
    region_code: str
    name: str
    total: int


class CoverageOut(ApiModel):
    enterprises: int
    covered: int
    covered_by_own: int
    covered_by_platform: int
    enterprises_with_coordinator: int


class TargetActualOut(ApiModel):
    coordinators: int | float | None
    coverage_share: float | None


class TargetProgressOut(ApiModel):
    year: int
    coordinators: int
    coverage_share: float
    actual: TargetActualOut
    progress: TargetActualOut


class StatisticsOut(ApiModel):
    region_code: str | None
    scope: str
    total: int
    by_level: dict[str, int]
    by_organization_kind: dict[str, int]
    by_subregion: list[SubregionOut]
    by_category: dict[str, int]
    coverage: CoverageOut
    target: TargetProgressOut | None = Field(default=None, description="本年度目标（设有目标时）")


class MonthOut(ApiModel):
    month: str
    certificates: int
    completions: int
    exam_candidates: int
    exam_passed: int
    pass_rate: float | None


class LargeEnterpriseOut(ApiModel):
    id: int
    name: str
    region_code: str
    employees: int | None
    coordinators: int


class LargeEnterprisesOut(ApiModel):
    threshold: int
    needed: int
    large: int
    short: int
    enterprises: list[LargeEnterpriseOut]


class TrendsOut(ApiModel):
    region_code: str | None
    months: list[MonthOut]
    large_enterprises: LargeEnterprisesOut


class EnterpriseOut(ApiModel):
    id: int
    name: str
    region_code: str


class ServiceAreaOut(ApiModel):
    organization_id: int
    enterprise_ids: list[int]
    enterprises: list[EnterpriseOut]


class TargetOut(ApiModel):
    region_code: str
    year: int
    coordinators: int
    coverage_share: float


class ReportOut(ApiModel):
    id: int
    region_code: str
    name: str
    period: str
    status: Literal["draft", "submitted", "returned", "approved"]
    status_label: str
    version: int
    created_by_id: int | None
    created_at: str | None
    snapshot_at: str | None
    submitted_at: str | None
    decided_at: str | None
    decided_by_id: int | None
    return_reason: str | None
    snapshot: dict[str, Any] = Field(description="报表冻结的数据：统计、覆盖、报告期内工作情况与风险隐患、下级汇总")


class ChildReportOut(ApiModel):
    region_code: str
    name: str
    report_id: int | None
    status: Literal["missing", "draft", "submitted", "returned", "approved"]


class ReportOverviewOut(ApiModel):
    own: ReportOut | None
    children: list[ChildReportOut]


class RiskReportRefOut(ApiModel):
    id: int
    status: str


class WorkRecordOut(ApiModel):
    id: int
    user_id: int
    kind: str
    kind_label: str
    occurred_on: str
    enterprise_id: int
    enterprise_name: str
    summary: str
    people: int
    severity: str | None
    recorded_by_id: int
    created_at: str
    risk_report: RiskReportRefOut | None


class WorkRecordPage(Page):
    items: list[WorkRecordOut]


class PersonRefOut(ApiModel):
    user_id: int
    name: str


class RiskReportOut(ApiModel):
    id: int
    status: str
    status_label: str
    severity: str
    severity_label: str
    enterprise_id: int
    enterprise_name: str
    region_code: str
    work_record_id: int
    occurred_on: str
    summary: str
    people: int
    coordinator: PersonRefOut
    opened_at: str
    closed_at: str | None
    closed_by_id: int | None
    handling: str | None


class RiskReportPage(Page):
    items: list[RiskReportOut]
