"""Request schemas of the competitions API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field, field_validator

from ..core.api import ApiModel
from .services.eligibility import MAX_REGIONS, eligibility_errors


class CriterionIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    max_points: float = Field(gt=0, le=1000)


class ItemIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["theory", "practical"]
    weight: float = Field(gt=0, le=100)
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=50)
    exam_session_id: int | None = None  # a theory item scored by an online exam (then no criteria)


class EligibilityIn(ApiModel):
    """报名条件：各项均可省略；全部省略时任何有账号的人都可报名。"""

    model_config = ConfigDict(extra="forbid")

    min_level: int | None = Field(default=None, ge=1, le=4, description="最低证书等级（4 最低，1 最高）")
    min_work_years: float | None = Field(default=None, ge=0, le=60, description="最低本职业工作年限")
    regions: list[str] | None = Field(default=None, min_length=1, max_length=MAX_REGIONS,
                                      description="允许报名的单位所在地区（6、9 或 12 位行政区划代码）")
    quota_per_organization: int | None = Field(default=None, ge=1, le=1000, description="每单位名额")
    quota_per_city: int | None = Field(default=None, ge=1, le=10000, description="每市名额")

    @field_validator("regions")
    @classmethod
    def _region_codes(cls, regions: list[str] | None) -> list[str] | None:
        reason = eligibility_errors({"regions": regions}).get("eligibility.regions") if regions else None
        if reason:
            raise ValueError(reason)
        return regions

    def rules(self) -> dict:
        return self.model_dump(exclude_none=True)


class CompetitionIn(ApiModel):
    title: str = Field(min_length=1, max_length=200)
    tier: Literal["city", "provincial", "national"]
    level: int = Field(ge=1, le=4)
    registration_closes_at: AwareDatetime
    items: list[ItemIn] = Field(min_length=1, max_length=20)
    award_ratios: dict[str, float] = Field(default_factory=lambda: {"first": 0.1, "second": 0.2, "third": 0.3})
    award_mode: Literal["ratio", "national"] = "ratio"
    aggregation: Literal["auto", "mean", "trimmed", "median"] = "auto"
    eligibility: EligibilityIn | None = None
    notice_days: int = Field(default=5, ge=0, le=30)
    stage: Literal["single", "preliminary", "final"] = "single"
    advance_count: int | None = Field(default=None, ge=1, le=10000)
    tie_break: list[Literal["practical", "theory"]] = Field(default_factory=lambda: ["practical", "theory"],
                                                            max_length=2)
    appeal_hours: int = Field(default=2, ge=1, le=240)
    promotion_awards: list[Literal["first", "second", "third", "gold", "silver", "bronze", "excellence"]] = Field(
        default_factory=list, max_length=7)
    promotion_requires_certificate: bool = True
    honor_top_n: int = Field(default=0, ge=0, le=1000)
    honor_title: str = Field(default="技术能手", min_length=1, max_length=100)
    registration_opens_at: AwareDatetime | None = None
    venue: str | None = Field(default=None, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None


class RegistrationIn(ApiModel):
    user_id: int
    work_years: float | None = Field(default=None, ge=0, le=60)


class JudgeIn(ApiModel):
    user_id: int
    item_index: int = Field(ge=0, le=19)
    is_chief: bool = False


class AutoPanelIn(ApiModel):
    per_item: int = Field(ge=1, le=15)


class CheckInIn(ApiModel):
    registration_id: int


class QualifiersIn(ApiModel):
    source_id: int
    top_n: int | None = Field(default=None, ge=1, le=10000)


class BulkRegistrationIn(ApiModel):
    identifiers: list[str] = Field(min_length=1, max_length=2000)


class AppealIn(ApiModel):
    text: str = Field(min_length=1, max_length=2000)


class AppealDecisionIn(ApiModel):
    upheld: bool
    decision: str = Field(min_length=1, max_length=2000)
    version: int


class ReopenIn(ApiModel):
    reason: str = Field(min_length=1, max_length=500)


class SheetIn(ApiModel):
    scores: dict[str, float | int]
    version: int


class ReasonIn(ApiModel):
    reason: str | None = Field(default=None, max_length=500)


class PromotionRequestsIn(ApiModel):
    evaluator_organization_id: int = Field(ge=1)
