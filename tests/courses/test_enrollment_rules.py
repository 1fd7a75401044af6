"""Enrollment rules as plain service calls: seats, approval, waitlist, withdrawal, completion."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from lrc_training.core.errors import Conflict, NotFound, ValidationFailed
from lrc_training.core.models import AuditLog, Notification
from lrc_training.courses.models import Enrollment
from lrc_training.courses.queries import completed_courses_of, waitlist_position
from lrc_training.courses.schemas import CourseIn as CourseInput
from lrc_training.courses.schemas import SessionIn as SessionInput
from lrc_training.courses.services.courses import change_status, update_course
from lrc_training.courses.services.enrollment import (
    approve_enrollment,
    complete_enrollment,
    enroll_trainee,
    reject_enrollment,
    withdraw,
)
from lrc_training.courses.services.teaching import add_session, record_attendance
from lrc_training.extensions import db
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.factories import make_user


@pytest.fixture
def teacher():
    return make_school_and_teacher()[1]


def trainees(n):
    return [make_user("trainee", name=f"学员{i}") for i in range(n)]


def test_seats_then_waitlist_in_arrival_order(teacher):
    course = make_course(teacher, capacity=2)
    a, b, c, d = trainees(4)
    statuses = [enroll_trainee(t, course.id).status for t in (a, b, c, d)]
    assert statuses == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    third = db.session.execute(select(Enrollment).where(Enrollment.user_id == c.id)).scalar_one()
    fourth = db.session.execute(select(Enrollment).where(Enrollment.user_id == d.id)).scalar_one()
    assert (waitlist_position(third), waitlist_position(fourth)) == (1, 2)


def test_enrolling_twice_is_a_conflict(teacher):
    course = make_course(teacher)
    (a,) = trainees(1)
    enroll_trainee(a, course.id)
    with pytest.raises(Conflict):
        enroll_trainee(a, course.id)


def test_withdrawal_promotes_first_waitlisted_and_notifies(teacher):
    course = make_course(teacher, capacity=1)
    a, b, c = trainees(3)
    first = enroll_trainee(a, course.id)
    second = enroll_trainee(b, course.id)
    third = enroll_trainee(c, course.id)
    withdraw(a, first)
    assert (first.status, second.status, third.status) == ("withdrawn", "enrolled", "waitlisted")
    assert waitlist_position(third) == 1
    note = db.session.execute(select(Notification).where(Notification.user_id == b.id)).scalar_one()
    assert "候补成功" in note.title and note.kind == "enrollment" and note.email_status == "pending"


def test_withdrawn_trainee_may_enroll_again_at_the_back(teacher):
    course = make_course(teacher, capacity=1)
    a, b = trainees(2)
    first = enroll_trainee(a, course.id)
    enroll_trainee(b, course.id)
    withdraw(a, first)
    again = enroll_trainee(a, course.id)
    assert again.id == first.id and again.status == "waitlisted"


def test_approval_flow_pending_holds_a_seat_and_rejection_frees_it(teacher):
    course = make_course(teacher, capacity=1, requires_approval=True)
    a, b = trainees(2)
    pending = enroll_trainee(a, course.id)
    waiting = enroll_trainee(b, course.id)
    assert (pending.status, waiting.status) == ("pending", "waitlisted")
    reject_enrollment(teacher, pending, "不符合报名条件：非相关专业")
    assert pending.status == "rejected" and pending.decision_reason == "不符合报名条件：非相关专业"
    assert waiting.status == "pending"  # moved up, still needs approval
    approve_enrollment(teacher, waiting)
    assert waiting.status == "enrolled"
    actions = db.session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert {"enrollment.reject", "enrollment.promote", "enrollment.approve"} <= set(actions)


def test_capacity_increase_promotes_waitlist(teacher):
    course = make_course(teacher, capacity=1)
    a, b, c = trainees(3)
    for t in (a, b, c):
        enroll_trainee(t, course.id)
    update_course(teacher, course, CourseInput(
        title=course.title, level=course.level, hours=course.hours, capacity=3, starts_on=course.starts_on,
        ends_on=course.ends_on, work_area_codes=["LC"]), version=course.version)
    statuses = sorted(e.status for e in db.session.execute(select(Enrollment)).scalars())
    assert statuses == ["enrolled", "enrolled", "enrolled"]


def test_capacity_cannot_drop_below_seats_taken(teacher):
    course = make_course(teacher, capacity=2)
    for t in trainees(2):
        enroll_trainee(t, course.id)
    with pytest.raises(ValidationFailed) as info:
        update_course(teacher, course, CourseInput(
            title=course.title, level=course.level, hours=course.hours, capacity=1, starts_on=course.starts_on,
            ends_on=course.ends_on), version=course.version)
    assert "capacity" in info.value.fields


def test_stale_course_edit_is_refused(teacher):
    course = make_course(teacher)
    data = CourseInput(title="新名称", level=4, hours=40, capacity=2, starts_on=course.starts_on,
                       ends_on=course.ends_on)
    with pytest.raises(Conflict):
        update_course(teacher, course, data, version=course.version - 1)


def test_enrollment_closed_and_drafts_are_refused(teacher):
    draft = make_course(teacher, publish=False)
    (a,) = trainees(1)
    with pytest.raises(NotFound):
        enroll_trainee(a, draft.id)
    course = make_course(teacher)
    change_status(teacher, course, "close")
    with pytest.raises(ValidationFailed, match="停止报名"):
        enroll_trainee(a, course.id)


def test_enrollment_allowed_after_start_until_deadline(teacher):
    course = make_course(teacher, starts_on=date.today() - timedelta(days=3))
    (a,) = trainees(1)
    assert enroll_trainee(a, course.id).status == "enrolled"


def test_course_state_machine_refuses_illegal_moves(teacher):
    course = make_course(teacher, publish=False)
    with pytest.raises(Conflict):
        change_status(teacher, course, "close")
    change_status(teacher, course, "publish")
    with pytest.raises(Conflict):
        change_status(teacher, course, "publish")
    change_status(teacher, course, "archive")
    assert course.status == "archived"


def test_completion_rule_from_attendance(teacher):
    course = make_course(teacher, starts_on=date.today() - timedelta(days=1), hours=10)
    (a,) = trainees(1)
    enrollment = enroll_trainee(a, course.id)
    sessions = [add_session(teacher, course, SessionInput(
        held_on=course.starts_on + timedelta(days=i), starts_at=time(9),
        ends_at=time(12), topic=f"第{i + 1}讲", hours="2.5")) for i in range(4)]
    for session in sessions[:3]:
        record_attendance(teacher, session, enrollment.id, True)
    record_attendance(teacher, sessions[3], enrollment.id, False)
    with pytest.raises(ValidationFailed) as info:  # 7.5 of 10 hours < 80%
        complete_enrollment(teacher, enrollment)
    assert "8.0" in info.value.fields["hours_attended"]
    record_attendance(teacher, sessions[3], enrollment.id, True)
    complete_enrollment(teacher, enrollment)
    assert enrollment.status == "completed" and enrollment.hours_attended == Decimal("10.0")
    assert [e.id for e in completed_courses_of(a.id)] == [enrollment.id]
    with pytest.raises(ValidationFailed, match="已结业"):
        record_attendance(teacher, sessions[0], enrollment.id, False)


def test_completion_needs_the_course_to_have_started(teacher):
    course = make_course(teacher)
    (a,) = trainees(1)
    enrollment = enroll_trainee(a, course.id)
    with pytest.raises(ValidationFailed, match="尚未开始"):
        complete_enrollment(teacher, enrollment, hours_attended=40)


def test_completion_share_is_a_course_setting(teacher):
    course = make_course(teacher, starts_on=date.today(), hours=10, completion_share="0.5")
    (a,) = trainees(1)
    enrollment = enroll_trainee(a, course.id)
    complete_enrollment(teacher, enrollment, hours_attended=5)
    assert enrollment.status == "completed"


def test_instructor_of_another_school_cannot_manage(teacher):
    course = make_course(teacher, requires_approval=True)
    other_school_teacher = make_school_and_teacher("济南技师学院")[1]
    (a,) = trainees(1)
    enrollment = enroll_trainee(a, course.id)
    with pytest.raises(NotFound):
        approve_enrollment(other_school_teacher, enrollment)


def test_only_owner_can_withdraw(teacher):
    course = make_course(teacher)
    a, b = trainees(2)
    enrollment = enroll_trainee(a, course.id)
    with pytest.raises(NotFound):
        withdraw(b, enrollment)
