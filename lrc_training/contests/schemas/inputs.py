"""The input schemas of the contests area: what the API parses strictly, the competition form builds and
services take as they are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field, ValidationInfo, field_validator
from pydantic import ValidationError as PydanticValidationError

from ...core.api import ApiModel, InputModel, describe_error
from ...core.errors import ValidationFailed
from ..services.eligibility import MAX_REGIONS, WHOLE_LIMITS, WORK_YEARS, eligibility_errors

DEFAULT_AWARD_RATIOS = {"first": 0.1, "second": 0.2, "third": 0.3}
DEFAULT_TIE_BREAK = ["practical", "theory"]
DEFAULT_HONOR_TITLE = "技术能手"
RATIO_AWARDS = ("first", "second", "third")
AwardName = Literal["first", "second", "third", "gold", "silver", "bronze", "excellence"]


def _two_places(value: float, low: str, high: str) -> float:
    if not Decimal(low) <= Decimal(str(value)) <= Decimal(high) or Decimal(str(value)).as_tuple().exponent < -2:
        raise ValueError(f"应在 {low} 到 {high} 之间，最多两位小数")
    return value


class CriterionIn(InputModel):
    name: str = Field(min_length=1, max_length=100, title="评分标准名称")
    max_points: float = Field(title="满分")

    @field_validator("max_points")
    @classmethod
    def _points(cls, value: float) -> float:
        return _two_places(value, "0.5", "1000")


class ItemIn(InputModel):
    name: str = Field(min_length=1, max_length=100, title="项目名称")
    kind: Literal["theory", "practical"] = Field(title="类型")
    weight: float = Field(title="权重")
    exam_session_id: int | None = None  # a theory item scored by an online exam (then no criteria)
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=50, validate_default=True)

    @field_validator("weight")
    @classmethod
    def _weight(cls, value: float) -> float:
        return _two_places(value, "0.01", "100")

    @field_validator("criteria")
    @classmethod
    def _judged_by_criteria(cls, value: list[CriterionIn], info: ValidationInfo) -> list[CriterionIn]:
        if info.data.get("exam_session_id") is None and not value:
            raise ValueError("每个项目至少需要一条评分标准")
        return value


def _range(condition: str) -> dict:
    """The OpenAPI bounds of an eligibility condition; services/eligibility.py declares and enforces them."""
    low, high = WORK_YEARS if condition == "min_work_years" else WHOLE_LIMITS[condition]
    return {"minimum": low, "maximum": high}


class EligibilityIn(InputModel):
    """报名条件：各项均可省略；全部省略时任何有账号的人都可报名。"""

    model_config = ConfigDict(extra="forbid")

    min_level: int | None = Field(default=None, json_schema_extra=_range("min_level"),
                                  description="最低证书等级（4 最低，1 最高）")
    min_work_years: float | None = Field(default=None, json_schema_extra=_range("min_work_years"),
                                         description="最低本职业工作年限")
    regions: list[str] | None = Field(default=None, min_length=1, max_length=MAX_REGIONS,
                                      description="允许报名的单位所在地区（6、9 或 12 位行政区划代码）")
    quota_per_organization: int | None = Field(default=None, json_schema_extra=_range("quota_per_organization"),
                                               description="每单位名额")
    quota_per_city: int | None = Field(default=None, json_schema_extra=_range("quota_per_city"),
                                       description="每市名额")

    @field_validator("min_level", "min_work_years", "regions", "quota_per_organization", "quota_per_city")
    @classmethod
    def _allowed(cls, value, info: ValidationInfo):
        """The limits of each condition are declared once, in services/eligibility.py (stored rules are read
        back through the same function)."""
        reason = eligibility_errors({info.field_name: value}).get(f"eligibility.{info.field_name}") \
            if value is not None else None
        if reason:
            raise ValueError(reason)
        return value

    def rules(self) -> dict:
        return self.model_dump(exclude_none=True)


class CompetitionIn(InputModel):
    """A competition as its committee creates it (`POST /api/v1/competitions`, the competition form)."""

    title: str = Field(min_length=1, max_length=200, title="竞赛名称")
    tier: Literal["city", "provincial", "national"] = Field(title="级别")
    level: int = Field(ge=1, le=4, title="标准等级")
    registration_closes_at: AwareDatetime = Field(title="报名截止")
    items: list[ItemIn] = Field(min_length=1, max_length=20, title="竞赛项目")
    award_ratios: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_AWARD_RATIOS), title="获奖比例")
    award_mode: Literal["ratio", "national"] = "ratio"
    aggregation: Literal["auto", "mean", "trimmed", "median"] = "auto"
    eligibility: EligibilityIn | None = None
    notice_days: int = Field(default=5, ge=0, le=30, title="公示期（天）")
    stage: Literal["single", "preliminary", "final"] = "single"
    advance_count: int | None = Field(default=None, ge=1, le=10000, validate_default=True, title="初赛晋级决赛人数")
    tie_break: list[Literal["practical", "theory"]] = Field(default_factory=lambda: list(DEFAULT_TIE_BREAK),
                                                            max_length=2)
    appeal_hours: int = Field(default=2, ge=1, le=240, title="申诉时限（公布后小时数）")
    promotion_awards: list[AwardName] = Field(default_factory=list, max_length=7)
    promotion_requires_certificate: bool = True
    honor_top_n: int = Field(default=0, ge=0, le=1000, title="前 N 名授予荣誉称号")
    honor_title: str = Field(default=DEFAULT_HONOR_TITLE, min_length=1, max_length=100, title="荣誉称号")
    registration_opens_at: AwareDatetime | None = Field(default=None, title="报名开始")
    venue: str | None = Field(default=None, max_length=200, title="比赛地点")
    starts_on: date | None = Field(default=None, title="比赛开始日期")
    ends_on: date | None = Field(default=None, title="比赛结束日期")

    @field_validator("level")
    @classmethod
    def _provincial_standard(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("tier") == "provincial" and value > 3:
            raise ValueError("省级竞赛以三级（高级工）及以上为标准")
        return value

    @field_validator("items")
    @classmethod
    def _weights_make_100(cls, items: list[ItemIn]) -> list[ItemIn]:
        total = sum((Decimal(str(item.weight)) for item in items), Decimal("0"))
        if total != 100:
            raise ValueError(f"各项目权重之和应为 100（当前 {total.normalize():f}）")
        return items

    @field_validator("award_ratios")
    @classmethod
    def _ratios(cls, ratios: dict[str, float]) -> dict[str, float]:
        if set(ratios) - set(RATIO_AWARDS) or not all(0 <= v <= 1 for v in ratios.values()):
            raise ValueError("获奖比例应为 first/second/third，取值 0 到 1")
        if sum(ratios.values()) > 1:
            raise ValueError("获奖比例之和不能超过 1")
        return ratios

    @field_validator("advance_count")
    @classmethod
    def _preliminary_advances(cls, value: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("stage") == "preliminary" and not value:
            raise ValueError("初赛需要填写晋级决赛的人数")
        return value

    @field_validator("tie_break")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("同分比较顺序只能包含 practical、theory，且不重复")
        return value

    @field_validator("registration_opens_at")
    @classmethod
    def _opens_before_close(cls, value, info: ValidationInfo):
        closes = info.data.get("registration_closes_at")
        if value is not None and closes is not None and value >= closes:
            raise ValueError("报名开始时间应早于报名截止时间")
        return value

    @field_validator("ends_on")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if value is not None and starts_on is not None and value < starts_on:
            raise ValueError("结束日期不能早于开始日期")
        return value

    def rules(self) -> dict:
        return self.eligibility.rules() if self.eligibility else {}


def competition_in(**values) -> CompetitionIn:
    """The schema from plain values (the form, demo data, tests), or ValidationFailed naming each field as the API
    does (`items.0.weight`, `eligibility.regions`)."""
    try:
        return CompetitionIn.model_validate(values)
    except PydanticValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors(include_url=False):
            fields.setdefault(".".join(str(part) for part in error["loc"]) or "competition",
                              describe_error(error, CompetitionIn))
        raise ValidationFailed("竞赛设置有误：" + "；".join(fields.values()), fields) from None


class RegistrationFormIn(InputModel):
    """A trainee registering themself (the page); the API also names the person (RegistrationIn)."""

    work_years: float | None = Field(default=None, ge=0, le=60, title="从事本职业工作年限")


class RegistrationIn(RegistrationFormIn):
    user_id: int


class JudgeIn(InputModel):
    user_id: int
    item_index: int = Field(ge=0, le=19, title="项目")
    is_chief: bool = Field(default=False, title="担任裁判长")


class JudgeFormIn(InputModel):
    """The panels page names the judge by user name (the API by id)."""

    username: str = Field(min_length=1, max_length=32, title="裁判员用户名")
    item_index: int = Field(ge=0, le=19, title="项目")
    is_chief: bool = Field(default=False, title="担任裁判长")


class AutoPanelIn(InputModel):
    per_item: int = Field(ge=1, le=15, title="每个项目的裁判人数")


class OfficialIn(InputModel):
    username: str = Field(min_length=1, max_length=32, title="用户名")
    duty: str = Field(min_length=1, max_length=20, title="职责")  # the service names the duties it knows


class CheckInIn(ApiModel):
    registration_id: int


class QualifiersIn(InputModel):
    source_id: int = Field(title="晋级来源")
    top_n: int | None = Field(default=None, ge=1, le=10000, title="取前 N 名")


class BulkRegistrationIn(ApiModel):
    identifiers: list[str] = Field(min_length=1, max_length=2000)


class BulkListFormIn(InputModel):
    """The bulk registration page's typed list: one person a line, by user name or ID number, optionally a comma and
    the years of work. The page may take an Excel file instead (the form checks that one of them is given). Kept as
    typed, blank lines too: the report numbers the rows by the lines of the box."""

    model_config = ConfigDict(str_strip_whitespace=False)

    people: str = Field(default="", max_length=100_000, title="每行一人：用户名或身份证号（可加逗号和工作年限）")


class AppealIn(InputModel):
    # 10 to 2,000 characters is the service's rule (file_appeal), checked after the appeal window
    text: str = Field(min_length=1, max_length=2000, title="申诉内容")


class AppealDecisionIn(InputModel):
    upheld: bool = Field(title="处理结果")
    decision: str = Field(min_length=1, max_length=2000, title="处理意见")
    version: int


class ReopenIn(InputModel):
    reason: str = Field(min_length=1, max_length=500, title="理由")


class SheetIn(ApiModel):
    scores: dict[str, float | int]
    version: int


class ReasonIn(ApiModel):
    reason: str | None = Field(default=None, max_length=500)


class PromotionRequestsIn(InputModel):
    evaluator_organization_id: int = Field(ge=1, title="发证评价机构")
