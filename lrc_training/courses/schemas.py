"""Request schemas of the courses API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from ..core.api import ApiModel, QueryModel


class CourseIn(ApiModel):
    title: str = Field(min_length=1, max_length=120)
    level: int = Field(ge=1, le=4)
    hours: float = Field(gt=0, le=2000)
    capacity: int = Field(ge=1, le=10000)
    starts_on: date
    ends_on: date
    requires_approval: bool = False
    status: Literal["draft", "published"] = "draft"
    enrollment_closes_at: datetime | None = None
    description: str | None = Field(default=None, max_length=5000)
    location: str | None = Field(default=None, max_length=200)
    online: bool = False
    work_areas: list[str] = Field(default_factory=list, max_length=20)
    completion_share: float | None = Field(default=None, gt=0, le=1)


class CourseQuery(QueryModel):
    """The course catalog's filters: `GET /api/v1/courses` and the catalog page (/courses/) read the same ones."""

    level: int | None = Field(default=None, ge=1, le=4, description="等级 1–4")
    q: str | None = Field(default=None, max_length=50, description="课程名称关键词")
    work_area: str | None = Field(default=None, max_length=8, description="职业功能代码")
    region: str | None = Field(default=None, pattern=r"^[0-9]{2}(?:[0-9]{2}){0,2}$",
                               description="开课机构所在地区代码前缀（2、4 或 6 位）")
    starts_after: date | None = Field(default=None, description="开课不早于（YYYY-MM-DD）")
    open_seats: bool = Field(default=False, description="只看仍可报名且有空位的课程")


class RejectIn(ApiModel):
    reason: str | None = Field(default=None, max_length=200)


class CompleteIn(ApiModel):
    hours_attended: float = Field(ge=0)


class CourseOut(ApiModel):
    id: int
    title: str
    level: int
    hours: float
    capacity: int
    starts_on: str
    ends_on: str
    enrollment_closes_at: str
    requires_approval: bool
    status: str
    organization_id: int
    work_areas: list[str]
    seats_taken: int
    version: int


class EnrollmentOut(ApiModel):
    id: int
    course_id: int
    user_id: int
    status: str
    waitlist_position: int | None
