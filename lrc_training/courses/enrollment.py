"""Enrollment rules: seats, approval, the waitlist, withdrawal and completion.

Seats are held by pending, enrolled and completed enrollments. Every change that takes or frees a seat
locks the course row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers), so
concurrent enrollments can never exceed the capacity.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from ..auth.models import User
from ..auth.roles import TRAINEE
from ..core.audit import record_audit
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.locking import dialect, take_write_lock
from ..core.notifications import notify
from ..db import utcnow
from ..extensions import db
from .catalog import local_today, seats_taken
from .hours import round_up_to_half
from .models import (
    ACTIVE,
    SEAT_HOLDING,
    Attendance,
    Course,
    CourseSession,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
)
from .permissions import can_manage


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
    enrollment = db.session.execute(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id == actor.id)).scalar_one_or_none()
    if enrollment is not None and enrollment.status in ACTIVE:
        raise Conflict("您已报名该课程", {"course": "不能重复报名"}, code="duplicate")
    if seats_taken(course.id) < course.capacity:
        status = EnrollmentStatus.PENDING if course.requires_approval else EnrollmentStatus.ENROLLED
        seq = None
    else:
        status, seq = EnrollmentStatus.WAITLISTED, _next_waitlist_seq(course.id)
    if enrollment is None:
        enrollment = Enrollment(course_id=course.id, user_id=actor.id)
        db.session.add(enrollment)
    enrollment.status, enrollment.waitlist_seq, enrollment.decision_reason = status, seq, None
    db.session.flush()
    return enrollment


def _next_waitlist_seq(course_id: int) -> int:
    last = db.session.execute(select(func.max(Enrollment.waitlist_seq)).where(
        Enrollment.course_id == course_id)).scalar()
    return (last or 0) + 1


def waitlist_positions(course_id: int) -> dict[int, int]:
    """{enrollment id: 1-based place in the waitlist}, in one query."""
    ids = db.session.execute(select(Enrollment.id).where(
        Enrollment.course_id == course_id, Enrollment.status == EnrollmentStatus.WAITLISTED,
    ).order_by(Enrollment.waitlist_seq, Enrollment.id)).scalars()
    return {enrollment_id: place for place, enrollment_id in enumerate(ids, start=1)}


def waitlist_position(enrollment: Enrollment) -> int | None:
    if enrollment.status != EnrollmentStatus.WAITLISTED:
        return None
    return waitlist_positions(enrollment.course_id).get(enrollment.id)


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


def get_enrollment_for_manage(actor: User, enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or not can_manage(actor, enrollment.course):
        raise NotFound("报名记录不存在")
    return enrollment


def get_enrollment_for_owner_or_manager(actor: User, enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or not (enrollment.user_id == actor.id or can_manage(actor, enrollment.course)):
        raise NotFound("报名记录不存在")
    return enrollment


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
    reason = (reason or "").strip() or None
    if reason and len(reason) > 200:
        raise ValidationFailed("原因不能超过 200 个字符", {"reason": "原因不能超过 200 个字符"})
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


def attended_hours(enrollment_ids: list[int]) -> dict[int, Decimal]:
    """Hours of the sessions each enrollment attended, in one query."""
    if not enrollment_ids:
        return {}
    rows = db.session.execute(
        select(Attendance.enrollment_id, func.coalesce(func.sum(CourseSession.hours), 0))
        .join(CourseSession, CourseSession.id == Attendance.session_id)
        .where(Attendance.enrollment_id.in_(enrollment_ids), Attendance.present.is_(True))
        .group_by(Attendance.enrollment_id))
    hours = {eid: Decimal(str(total)) for eid, total in rows}
    return {eid: hours.get(eid, Decimal("0")) for eid in enrollment_ids}


def required_hours(course: Course) -> Decimal:
    """The course's share of its 课时, rounded up to a half 课时 (12 × 80% = 9.6 → 10)."""
    return round_up_to_half(course.hours * course.completion_share)


def complete_enrollment(actor: User, enrollment: Enrollment, hours_attended=None,
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
    if hours_attended is None:
        hours = attended_hours([enrollment.id])[enrollment.id]
    else:
        try:
            hours = Decimal(str(hours_attended)).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            raise ValidationFailed("出勤课时应为数字", {"hours_attended": "应为数字"}) from None
        if hours < 0 or hours > course.hours:
            raise ValidationFailed(f"出勤课时应在 0 到 {course.hours} 之间",
                                   {"hours_attended": f"应在 0 到 {course.hours} 之间"})
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


def completed_courses_of(user_id: int) -> list[Enrollment]:
    """Completed enrollments of a person; the exams area reads these for eligibility."""
    return list(db.session.execute(select(Enrollment).where(
        Enrollment.user_id == user_id, Enrollment.status == EnrollmentStatus.COMPLETED)).scalars())
