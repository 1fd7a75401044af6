"""Creating and editing courses, their life cycle, the public catalog and the organization overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from ..auth.models import Organization, User
from ..auth.roles import ADMIN, INSTRUCTOR, ORG_STAFF
from ..core.audit import record_audit
from ..core.errors import Conflict, Forbidden, ValidationFailed
from ..core.levels import LEVEL_LABELS
from ..core.models import WorkArea
from ..core.timeutil import local_zone
from ..db import utcnow
from ..extensions import db
from .hours import hours_text
from .models import (
    SEAT_HOLDING,
    Course,
    CourseSession,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    course_instructors,
    course_work_areas,
)
from .permissions import can_manage


@dataclass
class CourseInput:
    title: str
    level: int
    hours: Decimal | float | int | str
    capacity: int
    starts_on: date
    ends_on: date
    requires_approval: bool = False
    description: str | None = None
    location: str | None = None
    online: bool = False
    enrollment_closes_at: datetime | None = None
    completion_share: Decimal | float | str | None = None
    work_area_codes: list[str] | None = None


def default_enrollment_close(ends_on: date) -> datetime:
    """The end of the course's last day, local time."""
    return datetime.combine(ends_on, time(23, 59, 59), tzinfo=local_zone())


def _decimal(value, field: str, errors: dict, *, low: Decimal, high: Decimal, label: str) -> Decimal | None:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors[field] = f"{label}应为数字"
        return None
    if not (low <= number <= high):
        errors[field] = f"{label}应在 {low} 到 {high} 之间"
        return None
    return number


def _validate(data: CourseInput) -> dict:
    errors: dict[str, str] = {}
    clean: dict = {}
    title = (data.title or "").strip()
    if not title or len(title) > 120:
        errors["title"] = "课程名称不能为空且不超过 120 个字符"
    clean["title"] = title
    if data.level not in LEVEL_LABELS:
        errors["level"] = "培训等级应为 4、3、2 或 1"
    clean["level"] = data.level
    clean["hours"] = _decimal(data.hours, "hours", errors, low=Decimal("0.5"), high=Decimal("2000"), label="总课时")
    if not isinstance(data.capacity, int) or not (1 <= data.capacity <= 10000):
        errors["capacity"] = "招生人数应为 1 到 10000 的整数"
    clean["capacity"] = data.capacity
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = "结束日期不能早于开始日期"
    clean["starts_on"], clean["ends_on"] = data.starts_on, data.ends_on
    closes = data.enrollment_closes_at
    if closes is not None and closes.tzinfo is None:
        closes = closes.replace(tzinfo=local_zone())
    if closes is None and data.ends_on:
        closes = default_enrollment_close(data.ends_on)
    if closes is not None and data.ends_on and closes > default_enrollment_close(data.ends_on):
        errors["enrollment_closes_at"] = "报名截止时间不能晚于课程结束日"
    clean["enrollment_closes_at"] = closes
    share = Decimal("0.80") if data.completion_share in (None, "") else _decimal(
        data.completion_share, "completion_share", errors, low=Decimal("0.1"), high=Decimal("1"), label="结业出勤比例")
    clean["completion_share"] = share
    for field, limit, label in (("description", 5000, "课程简介"), ("location", 200, "上课地点")):
        value = (getattr(data, field) or "").strip() or None
        if value and len(value) > limit:
            errors[field] = f"{label}不能超过 {limit} 个字符"
        clean[field] = value
    clean["online"] = bool(data.online)
    clean["requires_approval"] = bool(data.requires_approval)
    codes = sorted(set(data.work_area_codes or []))
    areas = list(db.session.execute(select(WorkArea).where(WorkArea.code.in_(codes))).scalars()) if codes else []
    if len(areas) != len(codes):
        errors["work_area_codes"] = "包含不存在的职业功能代码"
    clean["work_areas"] = areas
    if errors:
        raise ValidationFailed("课程信息有误：" + "；".join(errors.values()), errors)
    return clean


def audit_view(course: Course) -> dict:
    return {"title": course.title, "level": course.level, "hours": course.hours, "capacity": course.capacity,
            "starts_on": course.starts_on, "ends_on": course.ends_on, "status": course.status,
            "requires_approval": course.requires_approval, "enrollment_closes_at": course.enrollment_closes_at,
            "completion_share": course.completion_share, "work_areas": [a.code for a in course.work_areas]}


def create_course(actor: User, data: CourseInput, *, publish: bool = False) -> Course:
    if not actor.has_role(INSTRUCTOR, ORG_STAFF):
        raise Forbidden("只有培训教师或机构工作人员可以创建课程")
    if actor.organization_id is None:
        raise ValidationFailed("您尚未归属任何培训机构，无法创建课程", {"organization_id": "未归属机构"})
    clean = _validate(data)
    course = Course(organization_id=actor.organization_id, created_by_id=actor.id, status=CourseStatus.DRAFT,
                    **clean)
    if actor.has_role(INSTRUCTOR):
        course.instructors.append(actor)
    if publish:
        course.publish()
    db.session.add(course)
    db.session.flush()
    record_audit("course.create", "course", course.id, new=audit_view(course))
    return course


def update_course(actor: User, course: Course, data: CourseInput, *, version: int) -> Course:
    """Edit a course. Raising the capacity lets waitlisted trainees move up at once."""
    from .enrollment import promote_waitlist

    if not can_manage(actor, course):
        raise Forbidden("无权修改此课程")
    if version != course.version:
        raise Conflict("课程已被他人修改，请刷新后重新编辑", {"version": "版本已过期"}, code="stale_version")
    clean = _validate(data)
    planned = sum((s.hours for s in course.sessions), Decimal("0"))
    if course.status != CourseStatus.DRAFT and clean["hours"] is not None and clean["hours"] < planned:
        raise ValidationFailed(f"总课时不能少于已安排课次的合计（{hours_text(planned)} 课时）",
                               {"hours": f"不能少于已安排的 {hours_text(planned)} 课时"})
    taken = seats_taken(course.id)
    if clean["capacity"] < taken:
        raise ValidationFailed(f"招生人数不能少于已占用名额（{taken} 人）",
                               {"capacity": f"不能少于已占用的 {taken} 个名额"})
    old = audit_view(course)
    for key, value in clean.items():
        setattr(course, key, value)
    db.session.flush()
    record_audit("course.update", "course", course.id, old=old, new=audit_view(course))
    promote_waitlist(course)
    return course


def change_status(actor: User, course: Course, action: str) -> Course:
    """publish / close / reopen / archive, through the model's transition methods."""
    if not can_manage(actor, course):
        raise Forbidden("无权修改此课程")
    transitions = {"publish": course.publish, "close": course.close_enrollment,
                   "reopen": course.reopen_enrollment, "archive": course.archive}
    if action not in transitions:
        raise ValidationFailed("未知操作", {"action": "未知操作"})
    old = course.status
    transitions[action]()
    db.session.flush()
    record_audit(f"course.{action}", "course", course.id, old={"status": old}, new={"status": course.status})
    return course


def add_instructor(actor: User, course: Course, username: str) -> User:
    if not can_manage(actor, course):
        raise Forbidden("无权修改此课程")
    user = db.session.execute(select(User).where(User.username == (username or "").strip())).scalar_one_or_none()
    if user is None or not user.has_role(INSTRUCTOR) or user.organization_id != course.organization_id:
        raise ValidationFailed("只能添加本机构的培训教师", {"username": "该用户不是本机构的培训教师"})
    if user not in course.instructors:
        course.instructors.append(user)
        db.session.flush()
        record_audit("course.add_instructor", "course", course.id, new={"instructor_id": user.id})
    return user


# -- queries -------------------------------------------------------------------

def seats_taken(course_id: int) -> int:
    return db.session.execute(select(func.count()).where(
        Enrollment.course_id == course_id, Enrollment.status.in_(SEAT_HOLDING))).scalar_one()


def _seat_counts():
    return (select(Enrollment.course_id, func.count().label("taken"))
            .where(Enrollment.status.in_(SEAT_HOLDING)).group_by(Enrollment.course_id).subquery())


@dataclass
class CatalogFilter:
    q: str | None = None
    level: int | None = None
    work_area: str | None = None
    region: str | None = None  # a region code prefix (2, 4 or 6 digits)
    starts_after: date | None = None
    open_seats: bool = False


def catalog(filters: CatalogFilter) -> Select:
    """Published courses with their seats taken: rows of (Course, taken), one query per page."""
    seats = _seat_counts()
    taken = func.coalesce(seats.c.taken, 0).label("taken")
    stmt = (select(Course, taken).join(Organization, Organization.id == Course.organization_id)
            .outerjoin(seats, seats.c.course_id == Course.id)
            .where(Course.status.in_([CourseStatus.PUBLISHED, CourseStatus.CLOSED]))
            .options(selectinload(Course.work_areas), selectinload(Course.organization),
                     selectinload(Course.sessions))
            .order_by(Course.starts_on, Course.id))
    if filters.q:
        stmt = stmt.where(Course.title.ilike(f"%{filters.q.strip()}%"))
    if filters.level:
        stmt = stmt.where(Course.level == filters.level)
    if filters.work_area:
        stmt = stmt.where(Course.id.in_(select(course_work_areas.c.course_id).where(
            course_work_areas.c.work_area_code == filters.work_area)))
    if filters.region:
        stmt = stmt.where(Organization.region_code.startswith(filters.region))
    if filters.starts_after:
        stmt = stmt.where(Course.starts_on >= filters.starts_after)
    if filters.open_seats:
        stmt = stmt.where(and_(Course.status == CourseStatus.PUBLISHED, Course.enrollment_closes_at >= utcnow(),
                               taken < Course.capacity, _sessions_not_over()))
    return stmt


def _sessions_not_over():
    """SQL: the course has no sessions yet, or one that has not ended (Course.sessions_over, in the query)."""
    now = datetime.now(local_zone())
    today, clock = now.date(), now.time().replace(tzinfo=None, microsecond=0)
    any_session = select(CourseSession.id).where(CourseSession.course_id == Course.id)
    ongoing = any_session.where(or_(CourseSession.held_on > today,
                                    and_(CourseSession.held_on == today, CourseSession.ends_at >= clock)))
    return or_(~any_session.exists(), ongoing.exists())


def managed_courses(actor: User) -> Select:
    """Courses the actor manages, with fill and completion figures: rows of (Course, taken, enrolled, completed)."""
    counts = (select(
        Enrollment.course_id,
        func.sum(case((Enrollment.status.in_(SEAT_HOLDING), 1), else_=0)).label("taken"),
        func.sum(case((Enrollment.status.in_([EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED]), 1),
                      else_=0)).label("admitted"),
        func.sum(case((Enrollment.status == EnrollmentStatus.COMPLETED, 1), else_=0)).label("completed"),
        func.sum(case((Enrollment.status == EnrollmentStatus.WAITLISTED, 1), else_=0)).label("waitlisted"),
    ).group_by(Enrollment.course_id).subquery())
    stmt = (select(Course, func.coalesce(counts.c.taken, 0), func.coalesce(counts.c.admitted, 0),
                   func.coalesce(counts.c.completed, 0), func.coalesce(counts.c.waitlisted, 0))
            .outerjoin(counts, counts.c.course_id == Course.id)
            .options(selectinload(Course.instructors), selectinload(Course.organization),
                     selectinload(Course.sessions))
            .order_by(Course.starts_on.desc(), Course.id.desc()))
    if actor.has_role(ADMIN):
        return stmt
    conditions = []
    if actor.has_role(ORG_STAFF) and actor.organization_id:
        conditions.append(Course.organization_id == actor.organization_id)
    if actor.has_role(INSTRUCTOR):
        conditions.append(Course.id.in_(select(course_instructors.c.course_id)
                                        .where(course_instructors.c.user_id == actor.id)))
    if not conditions:
        return stmt.where(False)
    return stmt.where(or_(*conditions))


def local_today() -> date:
    return datetime.now(local_zone()).date()

