"""The inputs of the selections API (strict, as every API input) and the shapes of its responses (declared with
`@api_response`, so /api/v1/openapi.json describes every selections endpoint). The page forms (forms.py) still carry
their own WTForms validators; the services check every rule again (rounds.check_round, nominate, submit_score …)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, Field

from ...core.api import ApiModel
from .models import DEFAULT_NOTICE_DAYS, DEFAULT_PER_ORG_LIMIT, DEFAULT_TITLE, KINDS


class RoundIn(ApiModel):
    title: str = Field(default=DEFAULT_TITLE, min_length=1, max_length=100)
    kind: Literal[KINDS] = "person"  # type: ignore[valid-type]
    standard: str = Field(min_length=1, max_length=5000)
    quota: int = Field(ge=1, le=1000)
    per_org_limit: int = Field(default=DEFAULT_PER_ORG_LIMIT, ge=1, le=50)
    nomination_deadline: AwareDatetime
    review_deadline: AwareDatetime
    notice_days: int = Field(default=DEFAULT_NOTICE_DAYS, ge=1, le=30)


class ActionIn(ApiModel):
    action: Literal["open", "review", "notice", "finalize"]


class NominationIn(ApiModel):
    user_id: int | None = None  # person rounds: one of the caller's organization's coordinators
    grounds: str = Field(min_length=1, max_length=5000)


class ReviewerIn(ApiModel):
    username: str = Field(min_length=1, max_length=32)


class ScoreIn(ApiModel):
    nomination_id: int
    score: float = Field(ge=0, le=100)
    comment: str = Field(min_length=1, max_length=1000)
    version: int | None = None  # the score's version when changing one


class ObjectionIn(ApiModel):
    nomination_id: int | None = None
    text: str = Field(min_length=1, max_length=2000)
    contact: str = Field(min_length=1, max_length=100)


class ObjectionDecisionIn(ApiModel):
    outcome: Literal["dismissed", "upheld"]
    reply: str = Field(min_length=1, max_length=2000)


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
