"""Enrollment rules: seats, approval, the waitlist, withdrawal and completion.

Seats are held by pending, enrolled and completed enrollments. Every change that takes or frees a seat
locks the course row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers), so
concurrent enrollments can never exceed the capacity.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ...auth.models import User
from ...auth.roles import TRAINEE
from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.locking import dialect, take_write_lock
from ...core.notifications import notify
from ...core.timeutil import local_today
from ...db import utcnow
from ...extensions import db
from ..models import ACTIVE, SEAT_HOLDING, Course, CourseStatus, Enrollment, EnrollmentStatus
from ..queries import attended_hours, enrollment_of, next_waitlist_seq, seats_taken
from ..schemas import RejectIn
from .access import can_manage
from .hours import required_hours


def _lock_course(course_id: int) -> Course:
    if dialect() == "sqlite":
        take_write_lock(f"course:{course_id}")  # PostgreSQL uses the row lock below
    course = db.session.execute(
        select(Course).where(Course.id == course_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if course is None:
        raise NotFound("课程不存在")
    return course


def _course_link(course: Course) -> str:
    """The course page (a plain path, so jobs and the CLI can build it without a request)."""
    return f"/courses/{course.id}"


def enroll_trainee(actor: User, course_id: int) -> Enrollment:
    """Enroll the actor: `enrolled`, `pending` (needs approval) or `waitlisted` (course full)."""
    if not actor.has_role(TRAINEE):
        raise Forbidden("只有学员可以报名课程")
    course = _lock_course(course_id)
    if course.status not in (CourseStatus.PUBLISHED, CourseStatus.CLOSED):
        raise NotFound("课程不存在")
    if not course.enrollment_open():
        raise ValidationFailed("该课程已停止报名", {"course": "报名已截止"}, code="enrollment_closed")
    enrollment = enrollment_of(actor.id, course.id)
    if enrollment is not None and enrollment.status in ACTIVE:
        raise Conflict("您已报名该课程", {"course": "不能重复报名"}, code="duplicate")
    if seats_taken(course.id) < course.capacity:
        status = EnrollmentStatus.PENDING if course.requires_approval else EnrollmentStatus.ENROLLED
        seq = None
    else:
        status, seq = EnrollmentStatus.WAITLISTED, next_waitlist_seq(course.id)
    if enrollment is None:
        enrollment = Enrollment(course_id=course.id, user_id=actor.id)
        db.session.add(enrollment)
    enrollment.status, enrollment.waitlist_seq, enrollment.decision_reason = status, seq, None
    db.session.flush()
    return enrollment


def promote_waitlist(course: Course) -> list[Enrollment]:
    """Move waitlisted trainees into free seats, first come first served, and tell them."""
    course = _lock_course(course.id)
    if course.status not in (CourseStatus.PUBLISHED, CourseStatus.CLOSED):
        return []
    free = course.capacity - seats_taken(course.id)
    if free <= 0:
        return []
    promoted = list(db.session.execute(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.WAITLISTED,
    ).order_by(Enrollment.waitlist_seq, Enrollment.id).limit(free)).scalars())
    for enrollment in promoted:
        enrollment.status = EnrollmentStatus.PENDING if course.requires_approval else EnrollmentStatus.ENROLLED
        enrollment.waitlist_seq = None
        record_audit("enrollment.promote", "enrollment", enrollment.id, old={"status": "waitlisted"},
                     new={"status": enrollment.status})
        notify(enrollment.user_id, f"候补成功：《{course.title}》",
               "有名额空出，您已从候补名单递补" + ("，请等待审核。" if course.requires_approval else "为正式学员。"),
               _course_link(course), kind="enrollment")
    db.session.flush()
    return promoted


def approve_enrollment(actor: User, enrollment: Enrollment) -> Enrollment:
    if not can_manage(actor, enrollment.course):
        raise NotFound("报名记录不存在")
    if enrollment.status != EnrollmentStatus.PENDING:
        raise Conflict("只有待审核的报名可以通过", {"status": "当前状态不能审核"}, code="wrong_state")
    enrollment.status = EnrollmentStatus.ENROLLED
    db.session.flush()
    record_audit("enrollment.approve", "enrollment", enrollment.id, old={"status": "pending"},
                 new={"status": "enrolled"})
    notify(enrollment.user_id, f"报名已通过：《{enrollment.course.title}》", "请按课程安排准时参加培训。",
           _course_link(enrollment.course), kind="enrollment")
    return enrollment


def reject_enrollment(actor: User, enrollment: Enrollment, reason: str | None) -> Enrollment:
    if not can_manage(actor, enrollment.course):
        raise NotFound("报名记录不存在")
    if enrollment.status not in (EnrollmentStatus.PENDING, EnrollmentStatus.WAITLISTED):
        raise Conflict("只有待审核或候补中的报名可以拒绝", {"status": "当前状态不能拒绝"}, code="wrong_state")
    reason = RejectIn(reason=reason).reason  # pages and the API parsed it already; Python callers too
    old = enrollment.status
    enrollment.status = EnrollmentStatus.REJECTED
    enrollment.decision_reason = reason
    enrollment.waitlist_seq = None
    db.session.flush()
    record_audit("enrollment.reject", "enrollment", enrollment.id, old={"status": old},
                 new={"status": "rejected"}, reason=reason)
    notify(enrollment.user_id, f"报名未通过：《{enrollment.course.title}》", reason or "如有疑问请联系培训机构。",
           _course_link(enrollment.course), kind="enrollment")
    if old == EnrollmentStatus.PENDING:
        promote_waitlist(enrollment.course)
    return enrollment


def withdraw(actor: User, enrollment: Enrollment) -> Enrollment:
    """The trainee leaves the course or the waitlist; a freed seat goes to the first waitlisted trainee."""
    if enrollment.user_id != actor.id:
        raise NotFound("报名记录不存在")
    if enrollment.status not in ACTIVE or enrollment.status == EnrollmentStatus.COMPLETED:
        raise Conflict("当前状态不能退出", {"status": "当前状态不能退出"}, code="wrong_state")
    held_seat = enrollment.status in SEAT_HOLDING
    old = enrollment.status
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.waitlist_seq = None
    db.session.flush()
    record_audit("enrollment.withdraw", "enrollment", enrollment.id, old={"status": old},
                 new={"status": "withdrawn"})
    if held_seat:
        promote_waitlist(enrollment.course)
    return enrollment


def _hours_attended(enrollment: Enrollment, given: float | None) -> Decimal:
    """The hours given (up to the course's total), or else those the attendance grid records."""
    if given is None:
        return attended_hours([enrollment.id])[enrollment.id]
    hours = Decimal(str(given)).quantize(Decimal("0.1"))
    if hours < 0 or hours > enrollment.course.hours:
        raise ValidationFailed(f"出勤课时应在 0 到 {enrollment.course.hours} 之间",
                               {"hours_attended": f"应在 0 到 {enrollment.course.hours} 之间"})
    return hours


def complete_enrollment(actor: User, enrollment: Enrollment, hours_attended: float | None = None,
                        today: date | None = None) -> Enrollment:
    """Mark completion once the course has started, when attended hours meet the course's share (default 80%).
    Without `hours_attended`, the hours recorded in the attendance grid count."""
    course = enrollment.course
    if not can_manage(actor, course):
        raise NotFound("报名记录不存在")
    if enrollment.status == EnrollmentStatus.COMPLETED:
        raise Conflict("该学员已结业", {"status": "已结业"}, code="wrong_state")
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise Conflict("只有已录取的学员可以结业", {"status": "当前状态不能结业"}, code="wrong_state")
    if not course.has_started(today or local_today()):
        raise ValidationFailed("课程尚未开始，不能办理结业", {"course": "课程尚未开始"}, code="not_started")
    hours = _hours_attended(enrollment, hours_attended)
    needed = required_hours(course)
    if hours < needed:
        raise ValidationFailed(
            f"出勤 {hours} 课时，未达到结业要求的 {needed} 课时（总课时的 {course.completion_share:.0%}）",
            {"hours_attended": f"至少需要 {needed} 课时"}, code="insufficient_hours")
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.hours_attended = hours
    enrollment.completed_at = utcnow()
    db.session.flush()
    record_audit("enrollment.complete", "enrollment", enrollment.id, old={"status": "enrolled"},
                 new={"status": "completed", "hours_attended": hours})
    notify(enrollment.user_id, f"已结业：《{course.title}》", "可在“我的课程”中下载培训结业证明。",
           _course_link(course), kind="enrollment")
    return enrollment


