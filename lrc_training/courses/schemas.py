"""The one declaration of every input of the courses area, and the shapes of its API responses.

The API parses the `*In` schemas strictly, the page forms (views/forms.py) only render them and carry CSRF, and
services take them as they are. Limits come from models.py (what the columns hold) and are written here once;
the `title` of a field names it in Chinese messages ("总课时应在 0.5 到 2000 之间")."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from ..core.api import ApiModel, InputModel, OptionalText, QueryModel
from ..core.timeutil import local_zone
from .models import LOCATION_MAX, MATERIAL_TITLE_MAX, REASON_MAX, ROOM_MAX, TITLE_MAX, TOPIC_MAX

DESCRIPTION_MAX = 5000
DEFAULT_COMPLETION_SHARE = 0.8


class CourseIn(InputModel):
    """A course as its organization creates or edits it (`POST /api/v1/courses`, the course form)."""

    model_config = ConfigDict(populate_by_name=True)

    title: str = Field(min_length=1, max_length=TITLE_MAX, title="课程名称")
    level: int = Field(ge=1, le=4, title="培训等级")
    hours: float = Field(ge=0.5, le=2000, title="总课时")
    capacity: int = Field(ge=1, le=10000, title="招生人数")
    starts_on: date = Field(title="开始日期")
    ends_on: date = Field(title="结束日期")
    requires_approval: bool = Field(default=False, title="报名需审核")
    status: Literal["draft", "published"] = "draft"
    enrollment_closes_at: datetime | None = Field(
        default=None, title="报名截止时间", description="留空则为课程结束日当天 23:59；开课后仍可报名直至截止")
    description: OptionalText = Field(default=None, max_length=DESCRIPTION_MAX, title="课程简介")
    location: OptionalText = Field(default=None, max_length=LOCATION_MAX, title="上课地点")
    online: bool = Field(default=False, title="线上授课")
    work_area_codes: list[str] = Field(default_factory=list, max_length=20, alias="work_areas",
                                       title="涵盖的职业功能")
    completion_share: float | None = Field(
        default=None, ge=0.1, le=1, title="结业出勤比例",
        description="出勤课时达到总课时的该比例即可结业，默认 0.8（80%）")

    @field_validator("ends_on")
    @classmethod
    def _ends_after_start(cls, value: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on is not None and value < starts_on:
            raise ValueError("结束日期不能早于开始日期")
        return value

    @field_validator("enrollment_closes_at")
    @classmethod
    def _closes_by_the_last_day(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=local_zone())
        ends_on = info.data.get("ends_on")
        if ends_on is not None and value > default_enrollment_close(ends_on):
            raise ValueError("报名截止时间不能晚于课程结束日")
        return value

    def closes_at(self) -> datetime:
        return self.enrollment_closes_at or default_enrollment_close(self.ends_on)


def default_enrollment_close(ends_on: date) -> datetime:
    """The end of the course's last day, local time."""
    return datetime.combine(ends_on, time(23, 59, 59), tzinfo=local_zone())


class SessionIn(InputModel):
    """One class session (the session form on the course management page)."""

    held_on: date = Field(title="上课日期")
    starts_at: time = Field(title="开始时间")
    ends_at: time = Field(title="结束时间")
    topic: str = Field(min_length=1, max_length=TOPIC_MAX, title="主题")
    hours: float = Field(ge=0.5, le=24, title="课时")
    room: OptionalText = Field(default=None, max_length=ROOM_MAX, title="教室")

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, value: time, info: ValidationInfo) -> time:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and value <= starts_at:
            raise ValueError("结束时间应晚于开始时间")
        return value


class MaterialIn(InputModel):
    """A teaching file's title (the file itself is checked by services.teaching.upload_material)."""

    title: str | None = Field(default=None, max_length=MATERIAL_TITLE_MAX, title="资料名称")


class InstructorIn(InputModel):
    username: str = Field(min_length=1, max_length=32, title="教师用户名")


class RejectIn(InputModel):
    reason: OptionalText = Field(default=None, max_length=REASON_MAX, title="原因")


class CompleteIn(ApiModel):
    hours_attended: float = Field(ge=0)


class CourseQuery(QueryModel):
    """The course catalog's filters: `GET /api/v1/courses` and the catalog page (/courses/) read the same ones."""

    level: int | None = Field(default=None, ge=1, le=4, description="等级 1–4")
    q: str | None = Field(default=None, max_length=50, description="课程名称关键词")
    work_area: str | None = Field(default=None, max_length=8, description="职业功能代码")
    region: str | None = Field(default=None, pattern=r"^[0-9]{2}(?:[0-9]{2}){0,2}$",
                               description="开课机构所在地区代码前缀（2、4 或 6 位）")
    starts_after: date | None = Field(default=None, description="开课不早于（YYYY-MM-DD）")
    open_seats: bool = Field(default=False, description="只看仍可报名且有空位的课程")


# -- responses ---------------------------------------------------------------------------------------------------

class CourseOut(ApiModel):
    id: int
    title: str
    level: int = Field(description="等级 1–4（整数）")
    hours: float
    capacity: int
    starts_on: str = Field(description="YYYY-MM-DD")
    ends_on: str = Field(description="YYYY-MM-DD")
    enrollment_closes_at: str = Field(description="ISO 8601，带时区")
    requires_approval: bool
    status: str = Field(description="draft / published / closed / archived")
    organization_id: int
    organization_name: str
    description: str | None
    location: str | None
    online: bool
    completion_share: float
    work_areas: list[str]
    seats_taken: int
    version: int


class CoursePage(ApiModel):
    items: list[CourseOut]
    page: int
    per_page: int
    total: int


class EnrollmentOut(ApiModel):
    id: int
    course_id: int
    user_id: int
    status: str = Field(description="pending / enrolled / waitlisted / rejected / completed / withdrawn")
    waitlist_position: int | None
    decision_reason: str | None
    hours_attended: float | None


class EnrollmentPage(ApiModel):
    items: list[EnrollmentOut]
    page: int
    per_page: int
    total: int
