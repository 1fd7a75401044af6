"""Every input of the registry, declared once: the API parses these strictly, the page forms (views/forms.py)
render them and carry CSRF (core.forms.SchemaForm), services take them as they are. `GET /api/v1/registry` and the
registry list page read the same filters (RegistryQuery). Rules that need the database (who is in the caller's
scope, a version, a date not in the future) stay in the services, which name the field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from ...auth.roles import ORG_KINDS
from ...core.api import ApiModel, HiddenInt, InputModel, OptionalText, QueryModel
from ..models import CATEGORIES, CATEGORY_LABELS, SEVERITIES, TEXT_MAX, WORK_KINDS

# -- the coordinator list and records ----------------------------------------------------------------------------

class RegistryQuery(QueryModel):
    region_code: str | None = Field(default=None, max_length=12,
                                    description="地区代码（默认为调用者的管辖范围；超出范围 403）")
    level: int | None = Field(default=None, ge=1, le=4, description="最高等级 1–4")
    organization_kind: Literal[ORG_KINDS] | None = Field(default=None, description="单位类型")  # type: ignore[valid-type]


class RegistryIn(ApiModel):
    """A coordinator certified elsewhere, by user id (`POST /api/v1/registry`)."""

    user_id: int
    position: str | None = Field(default=None, max_length=100)
    full_time: bool = False
    certificate_number: str | None = Field(default=None, max_length=40)
    level: int | None = Field(default=None, ge=1, le=4)


class AddIn(InputModel):
    """The same, by username or ID number (the 加入信息库 page)."""

    person: str = Field(min_length=1, max_length=32, title="用户名或身份证号")
    certificate_number: OptionalText = Field(default=None, max_length=40, title="外部证书编号",
                                             description="在其他机构取得的证书；平台签发的证书无需填写")
    level: int | None = Field(default=None, ge=1, le=4, title="证书等级")
    position: OptionalText = Field(default=None, max_length=100, title="职务")
    full_time: bool = Field(default=False, title="专职")


class EntryIn(InputModel):
    """The fields staff maintain on a record (`PUT /api/v1/registry/{user_id}`). `category`: None keeps the
    categories as they are; `version`: the record's version as read (null: it had none yet)."""

    position: OptionalText = Field(default=None, max_length=100, title="职务")
    full_time: bool = Field(default=False, title="专职/兼职")
    started_on: date | None = Field(default=None, title="从事本职业起始日期")
    category: list[Literal[CATEGORIES]] | None = None  # type: ignore[valid-type]
    version: int | None = None


class EntryFormIn(EntryIn):
    """The record page's form: the categories as three checkboxes, the version in a hidden field."""

    version: HiddenInt = None
    negotiation_instructor: bool = Field(default=False, title=CATEGORY_LABELS["negotiation_instructor"])
    party_member: bool = Field(default=False, title=CATEGORY_LABELS["party_member"])
    union_cadre: bool = Field(default=False, title=CATEGORY_LABELS["union_cadre"])

    @model_validator(mode="after")
    def _categories(self) -> EntryFormIn:
        self.category = [key for key in CATEGORIES if getattr(self, key)]
        return self


def _not_in_future(value: date) -> date:
    if value > date.today():
        raise ValueError("授予日期不能晚于今天")
    return value


class HonorIn(InputModel):
    """An honor staff record for a person in their scope: the picker's choice (`user_id`) or the typed text."""

    person: str = Field(min_length=1, max_length=80, title="获得者",
                        description="输入姓名、身份证号或用户名查找，只列出您管辖范围内的人员")
    user_id: HiddenInt = None
    title: str = Field(min_length=1, max_length=100, title="荣誉称号",
                       description="例如 金牌劳动关系协调员、技术能手、五一劳动奖章、先进个人")
    granted_by: str = Field(min_length=1, max_length=100, title="授予单位")
    granted_on: Annotated[date, AfterValidator(_not_in_future)] = Field(title="授予日期")


# -- what 人社 departments set -----------------------------------------------------------------------------------

YEAR = {"ge": 2000, "le": 2100}
COORDINATORS = {"ge": 0, "le": 10_000_000}


class ServiceAreaIn(ApiModel):
    enterprise_ids: list[int] = Field(max_length=5000)


class TargetIn(InputModel):
    """A region's yearly target (`PUT /api/v1/targets/{region_code}`): coordinators and the covered share 0–1."""

    year: int = Field(title="年度", **YEAR)
    coordinators: int = Field(title="协调员人数目标", **COORDINATORS)
    coverage_share: float = Field(ge=0, le=1, title="企业覆盖率目标")


def _percent(value: float) -> float:
    if not 0 <= value <= 100:
        raise ValueError("应在 0–100 之间")
    return value


class TargetFormIn(InputModel):
    """The same on the 目标考核 page: the region picked from the list, the share typed as a percentage."""

    region_code: str = Field(min_length=1, max_length=12, title="地区")
    year: int = Field(title="年度", **YEAR)
    coordinators: int = Field(title="协调员人数目标", **COORDINATORS)
    coverage_percent: Annotated[float, AfterValidator(_percent)] = Field(title="企业覆盖率目标（%）")

    def target(self) -> TargetIn:
        return TargetIn(year=self.year, coordinators=self.coordinators, coverage_share=self.coverage_percent / 100)


# -- reports upward ----------------------------------------------------------------------------------------------

class ReportIn(InputModel):
    period: str = Field(max_length=20, title="报告期")


class VersionIn(InputModel):
    version: int | None = None  # the version the caller read; a different one → 409 stale_version


class ReturnIn(VersionIn):
    reason: OptionalText = Field(default=None, max_length=2000, title="退回原因",  # the service names it when empty
                                 description="写明需要核实或修改的内容，下级地区会收到通知")


class ReturnFormIn(ReturnIn):
    """The return form on the report page: the version in a hidden field."""

    version: HiddenInt = None


# -- coordinators' work and risk reports ------------------------------------------------------------------------

class WorkRecordIn(InputModel):
    """A piece of a coordinator's work; a `risk` record needs a severity and opens a risk report."""

    kind: Literal[WORK_KINDS] = Field(title="工作类型")  # type: ignore[valid-type]
    occurred_on: date = Field(title="日期")
    enterprise_id: int = Field(title="企业")
    summary: str = Field(min_length=1, max_length=TEXT_MAX, title="工作内容")
    people: int = Field(ge=0, title="涉及职工人数")
    severity: Literal[SEVERITIES] | None = Field(  # type: ignore[valid-type]  # risk records only
        default=None, title="严重程度（风险隐患报告必填）")


class WorkRecordFormIn(WorkRecordIn):
    """The work form on a coordinator's pages: the enterprise is the picker's choice (a hidden id) or, without
    JavaScript, the typed name, which the page resolves to one enterprise before the service runs. Whether it is
    one the recorder may name, and the date not in the future, the service checks."""

    enterprise: OptionalText = Field(default=None, max_length=100, title="企业",
                                     description="输入企业名称中的字词查找，从结果中选择（只列出您可以记录的企业）")
    enterprise_id: HiddenInt = None


class CloseIn(InputModel):
    """How a risk report was handled, to close it."""

    handling: str = Field(min_length=1, max_length=TEXT_MAX, title="处置情况")


class CloseFormIn(CloseIn):
    """The close form on the 风险隐患 page: an empty box reaches the service, which asks for the handling in its own
    words (请填写处置情况) at the report's row."""

    handling: OptionalText = Field(default=None, max_length=TEXT_MAX, title="处置情况")


class RiskReportQuery(QueryModel):
    status: Literal["open", "closed"] | None = Field(default=None, description="open 待处理 / closed 已处置")
