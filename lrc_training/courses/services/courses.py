"""Creating and editing courses, their life cycle and their instructors."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ...auth.models import User
from ...auth.roles import INSTRUCTOR, ORG_STAFF
from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, ValidationFailed
from ...core.models import WorkArea
from ...extensions import db
from ..models import Course, CourseStatus
from ..queries import seats_taken
from ..schemas import DEFAULT_COMPLETION_SHARE, CourseIn
from .access import can_manage
from .enrollment import promote_waitlist
from .hours import hours_text, teaching_plan


def _columns(data: CourseIn) -> dict:
    """The course's columns from its input; the work areas must exist."""
    codes = sorted(set(data.work_area_codes))
    areas = list(db.session.execute(select(WorkArea).where(WorkArea.code.in_(codes))).scalars()) if codes else []
    if len(areas) != len(codes):
        raise ValidationFailed("课程信息有误：包含不存在的职业功能代码", {"work_area_codes": "包含不存在的职业功能代码"})
    share = DEFAULT_COMPLETION_SHARE if data.completion_share is None else data.completion_share
    return {"title": data.title, "level": data.level, "hours": _decimal(data.hours), "capacity": data.capacity,
            "starts_on": data.starts_on, "ends_on": data.ends_on, "enrollment_closes_at": data.closes_at(),
            "completion_share": _decimal(share), "description": data.description, "location": data.location,
            "online": data.online, "requires_approval": data.requires_approval, "work_areas": areas}


def _decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def audit_view(course: Course) -> dict:
    return {"title": course.title, "level": course.level, "hours": course.hours, "capacity": course.capacity,
            "starts_on": course.starts_on, "ends_on": course.ends_on, "status": course.status,
            "requires_approval": course.requires_approval, "enrollment_closes_at": course.enrollment_closes_at,
            "completion_share": course.completion_share, "work_areas": [a.code for a in course.work_areas]}


def create_course(actor: User, data: CourseIn, *, publish: bool = False) -> Course:
    if not actor.has_role(INSTRUCTOR, ORG_STAFF):
        raise Forbidden("只有培训教师或机构工作人员可以创建课程")
    if actor.organization_id is None:
        raise ValidationFailed("您尚未归属任何培训机构，无法创建课程", {"organization_id": "未归属机构"})
    course = Course(organization_id=actor.organization_id, created_by_id=actor.id, status=CourseStatus.DRAFT,
                    **_columns(data))
    if actor.has_role(INSTRUCTOR):
        course.instructors.append(actor)
    if publish:
        publish_course(course)
    db.session.add(course)
    db.session.flush()
    record_audit("course.create", "course", course.id, new=audit_view(course))
    return course


def update_course(actor: User, course: Course, data: CourseIn, *, version: int) -> Course:
    """Edit a course. Raising the capacity lets waitlisted trainees move up at once."""
    if not can_manage(actor, course):
        raise Forbidden("无权修改此课程")
    if version != course.version:
        raise Conflict("课程已被他人修改，请刷新后重新编辑", {"version": "版本已过期"}, code="stale_version")
    columns = _columns(data)
    planned = sum((s.hours for s in course.sessions), Decimal("0"))
    if course.status != CourseStatus.DRAFT and columns["hours"] < planned:
        raise ValidationFailed(f"总课时不能少于已安排课次的合计（{hours_text(planned)} 课时）",
                               {"hours": f"不能少于已安排的 {hours_text(planned)} 课时"})
    taken = seats_taken(course.id)
    if columns["capacity"] < taken:
        raise ValidationFailed(f"招生人数不能少于已占用名额（{taken} 人）",
                               {"capacity": f"不能少于已占用的 {taken} 个名额"})
    old = audit_view(course)
    for key, value in columns.items():
        setattr(course, key, value)
    db.session.flush()
    record_audit("course.update", "course", course.id, old=old, new=audit_view(course))
    promote_waitlist(course)
    return course


def publish_course(course: Course) -> None:
    """A course opens for enrollment only when its sessions fit its total 课时."""
    plan = teaching_plan(course)
    if course.status == CourseStatus.DRAFT and plan.over:
        raise ValidationFailed(
            "不能发布：" + plan.summary() + "。请删减课次或调整课程总课时后再发布。",
            {"sessions": f"课次合计 {hours_text(plan.total)} 课时，超过课程总课时 {hours_text(plan.course_hours)} 课时"},
            code="sessions_exceed_hours")
    course.publish()


def change_status(actor: User, course: Course, action: str) -> Course:
    """publish / close / reopen / archive, through the model's transition methods."""
    if not can_manage(actor, course):
        raise Forbidden("无权修改此课程")
    transitions = {"publish": lambda: publish_course(course), "close": course.close_enrollment,
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
    user = db.session.execute(select(User).where(User.username == username.strip())).scalar_one_or_none()
    if user is None or not user.has_role(INSTRUCTOR) or user.organization_id != course.organization_id:
        raise ValidationFailed("只能添加本机构的培训教师", {"username": "该用户不是本机构的培训教师"})
    if user not in course.instructors:
        course.instructors.append(user)
        db.session.flush()
        record_audit("course.add_instructor", "course", course.id, new={"instructor_id": user.id})
    return user
