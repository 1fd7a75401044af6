"""Request schemas of the courses API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from ..core.api import ApiModel


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
