"""Every input of selections (评选), declared once: the API parses these strictly, the page forms (views/forms.py,
core.forms.SchemaForm) through the `...FormIn` variants where a page types differently (local times, a hidden
version, a choice of "none" as 0) or as they are, and services take them. A field's `title` names it in Chinese
messages ("名额应在 1 到 1000 之间"). Rules that need the database or the clock (the deadline still ahead, the
nominee one of the organization's coordinators, a version, recusal) stay in the services, which name the field.

Below the inputs: the shapes of the API's responses (declared with `@api_response`, so /api/v1/openapi.json
describes every selections endpoint)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BeforeValidator, Field, ValidationInfo, field_validator

from ...core.api import ApiModel, HiddenInt, InputModel
from ...core.timeutil import parse_local
from .models import (
    COMMENT_MAX,
    CONTACT_MAX,
    DEFAULT_NOTICE_DAYS,
    DEFAULT_PER_ORG_LIMIT,
    DEFAULT_TITLE,
    GROUNDS_MAX,
    KINDS,
    NOTICE_MAX,
    PER_ORG_MAX,
    QUOTA_MAX,
    REPLY_MAX,
    STANDARD_MAX,
    TEXT_MAX,
    TITLE_MAX,
    USERNAME_MAX,
)

# -- rounds ------------------------------------------------------------------------------------------------------

# A round's fields with a default in the API, which the form asks for (it shows the default): declared once here.
def _title(**default: Any) -> Any:
    return Field(min_length=1, max_length=TITLE_MAX, title="评选名称", **default)


def _per_org_limit(**default: Any) -> Any:
    return Field(ge=1, le=PER_ORG_MAX, title="每个单位最多推荐", **default)


def _notice_days(**default: Any) -> Any:
    return Field(ge=1, le=NOTICE_MAX, title="公示天数", **default)


class RoundIn(InputModel):
    """A round's settings (`POST /api/v1/selections`, the round form through RoundFormIn). The review deadline
    follows the nomination deadline; that the nomination deadline is still ahead, services.rounds checks."""

    title: str = _title(default=DEFAULT_TITLE)
    kind: Literal[KINDS] = Field(default="person", title="评选对象")  # type: ignore[valid-type]
    standard: str = Field(min_length=1, max_length=STANDARD_MAX, title="评选标准", description="推荐单位和评审专家都会看到")
    quota: int = Field(ge=1, le=QUOTA_MAX, title="名额")
    per_org_limit: int = _per_org_limit(default=DEFAULT_PER_ORG_LIMIT)
    nomination_deadline: AwareDatetime = Field(title="推荐截止")
    review_deadline: AwareDatetime = Field(title="评审截止")
    notice_days: int = _notice_days(default=DEFAULT_NOTICE_DAYS)

    @field_validator("review_deadline")
    @classmethod
    def _after_nominations(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("nomination_deadline")
        if start is not None and value <= start:
            raise ValueError("应晚于推荐截止时间")
        return value


def _local_time(value: Any) -> Any:
    """"2026-05-01T09:00" (a datetime-local box) as 09:00 local time; a time with its offset as it is."""
    if not isinstance(value, str):
        return value
    moment = parse_local(value)
    if moment is None:
        raise ValueError("时间格式不正确")
    return moment


LocalTime = Annotated[AwareDatetime, BeforeValidator(_local_time)]


class RoundFormIn(RoundIn):
    """The round form: the deadlines typed in local time, every box asked for (the form shows the API's
    defaults), the round's version in a hidden field."""

    title: str = _title()
    per_org_limit: int = _per_org_limit()
    nomination_deadline: LocalTime = Field(title="推荐截止")
    review_deadline: LocalTime = Field(title="评审截止")
    notice_days: int = _notice_days()
    version: HiddenInt = None


class ActionIn(ApiModel):
    action: Literal["open", "review", "notice", "finalize"]


# -- nominations and the panel -----------------------------------------------------------------------------------

class NominationIn(InputModel):
    """A nomination: `user_id` names one of the caller's organization's coordinators in a person round (the
    service checks who), nobody in an organization round."""

    user_id: int | None = Field(default=None, title="被推荐人")
    grounds: str = Field(min_length=1, max_length=GROUNDS_MAX, title="推荐理由")


class NominationFormIn(NominationIn):
    """The nomination form of a person round: the picker's first entry (0, "— 请选择 —") is no choice."""

    user_id: int = Field(title="被推荐人")

    @field_validator("user_id")
    @classmethod
    def _chosen(cls, value: int) -> int:
        if value == 0:
            raise ValueError("请选择被推荐人")
        return value


class ReviewerIn(InputModel):
    username: str = Field(min_length=1, max_length=USERNAME_MAX, title="评审专家用户名")


class ScoreFields(InputModel):
    """What a score's API body (ScoreIn) and the review sheet's form (ScoreFormIn) share. At most two decimals:
    services.review checks (a float cannot say)."""

    score: float = Field(ge=0, le=100, title="分数")
    comment: str = Field(min_length=1, max_length=COMMENT_MAX, title="评语")


class ScoreIn(ScoreFields):
    nomination_id: int
    version: int | None = None  # the score's version when changing one


class ScoreFormIn(ScoreFields):
    """A row of the review sheet (the nomination is in the address): the score's version in a hidden field."""

    version: HiddenInt = None


# -- the public notice -------------------------------------------------------------------------------------------

class ObjectionIn(InputModel):
    """An objection to a shortlisted nomination (`nomination_id`) or to the whole round (none)."""

    nomination_id: int | None = Field(default=None, title="异议对象")
    text: str = Field(min_length=1, max_length=TEXT_MAX, title="异议内容", description="请写明事实和依据")
    contact: str = Field(min_length=1, max_length=CONTACT_MAX, title="联系方式", description="仅评选单位可见，用于核实")


def _zero_is_none(value: Any) -> Any:
    return None if value in ("0", 0) else value


class ObjectionFormIn(ObjectionIn):
    """The notice page's objection form: its picker's first entry (0, "对评选整体") is the whole round."""

    nomination_id: Annotated[int | None, BeforeValidator(_zero_is_none)] = Field(default=None, title="异议对象")


class ObjectionDecisionIn(InputModel):
    outcome: Literal["dismissed", "upheld"] = Field(title="处理结果")
    reply: str = Field(min_length=1, max_length=REPLY_MAX, title="处理意见")


# -- responses ---------------------------------------------------------------------------------------------------

class RoundOut(ApiModel):
    id: int
    title: str
    kind: str
    standard: str
    quota: int
    per_org_limit: int
    nomination_deadline: str | None
    review_deadline: str | None
    notice_days: int
    state: str
    organization_id: int
    region_code: str
    notice_ends_at: str | None
    finalized_at: str | None
    version: int
    capacities: list[str] = Field(description="调用者在本次评选中的身份：manage / nominate / review")


class RoundPage(ApiModel):
    items: list[RoundOut]
    page: int
    per_page: int
    total: int


class NomineeOut(ApiModel):
    user_id: int
    name: str


class NominationOut(ApiModel):
    id: int
    organization_id: int
    organization_name: str
    nominee: NomineeOut | None
    grounds: str
    snapshot: dict[str, Any]
    disqualified: bool
    created_at: str | None
    mean_score: float | None = Field(default=None, description="仅评选单位可见（及 rank、scores、shortlisted）")
    rank: int | None = None
    scores: int | None = None
    shortlisted: bool | None = None


class RoundDetailOut(RoundOut):
    nominations: list[NominationOut]


class ReviewerOut(ApiModel):
    round_id: int
    user_id: int


class ScoreOut(ApiModel):
    id: int
    nomination_id: int
    score: float
    comment: str
    version: int


class ObjectionOut(ApiModel):
    id: int
    nomination_id: int | None
    text: str
    contact: str
    status: str
    reply: str | None
    created_at: str | None


class ObjectionList(ApiModel):
    items: list[ObjectionOut]


class ObjectionStatusOut(ApiModel):
    id: int
    status: str
    reply: str | None = None


class ShortlistRowOut(ApiModel):
    nomination_id: int
    rank: int
    name: str
    organization_name: str
    region_code: str
    disqualified: bool


class NoticeOut(ApiModel):
    id: int
    title: str
    state: str
    notice_ends_at: str | None
    shortlist: list[ShortlistRowOut]
