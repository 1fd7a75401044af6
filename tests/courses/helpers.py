"""Course factories for tests."""

from __future__ import annotations

from datetime import date, timedelta

from lrc_training.courses.schemas import CourseIn as CourseInput
from lrc_training.courses.services.courses import create_course
from lrc_training.extensions import db
from tests.factories import make_org, make_user


def make_school_and_teacher(name: str = "聊城高级技工学校"):
    school = make_org(name, kind="school", region_code="371502")
    teacher = make_user("instructor", org=school, name="李秀梅")
    return school, teacher


def make_course(teacher, *, capacity: int = 2, requires_approval: bool = False, publish: bool = True,
                starts_on: date | None = None, hours: int = 40, **extra):
    starts_on = starts_on or date.today() + timedelta(days=7)
    course = create_course(teacher, CourseInput(
        title=extra.pop("title", "劳动合同管理实务"), level=extra.pop("level", 4), hours=hours, capacity=capacity,
        starts_on=starts_on, ends_on=starts_on + timedelta(days=30), requires_approval=requires_approval,
        work_area_codes=extra.pop("work_area_codes", ["LC"]), **extra), publish=publish)
    db.session.commit()
    return course
