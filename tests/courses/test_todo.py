"""The home page's training to-dos: a trainee's classes today and pending enrollments, an instructor's attendance
to take and enrollments to approve (also their school's staff) — never another school's."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lrc_training.courses.models import Enrollment
from lrc_training.courses.schemas import SessionIn as SessionInput
from lrc_training.courses.services.teaching import add_session, record_attendance
from lrc_training.extensions import db
from tests.conftest import login
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.factories import make_user
from tests.home import todo_section

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def half_past_nine():
    with time_machine.travel(datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def enroll(course, user, status="enrolled"):
    enrollment = Enrollment(course_id=course.id, user_id=user.id, status=status)
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


def class_at(teacher, course, day, start, end, topic):
    session = add_session(teacher, course, SessionInput(held_on=day, starts_at=time(start), ends_at=time(end),
                                                        topic=topic, hours=2, room="302 教室"))
    db.session.commit()
    return session


@pytest.fixture
def course_today():
    school, teacher = make_school_and_teacher()
    teacher.username = "teacher"
    course = make_course(teacher, capacity=5, starts_on=date(2026, 3, 9), title="劳动合同管理实务")
    morning = class_at(teacher, course, TODAY, 9, 11, "劳动合同订立")
    class_at(teacher, course, TODAY, 14, 16, "劳动合同变更")
    class_at(teacher, course, date(2026, 3, 11), 9, 11, "明天的课")
    db.session.commit()
    return school, teacher, course, morning


def test_a_trainee_sees_todays_classes(client, course_today):
    school, teacher, course, morning = course_today
    trainee = make_user("trainee", username="learner")
    enroll(course, trainee)
    make_user("trainee", username="stranger")
    login(client, "learner")
    html = todo_section(client)
    assert "今日上课" in html and "劳动合同管理实务 · 劳动合同订立 · 09:00–11:00 · 302 教室" in html
    assert "劳动合同变更 · 14:00–16:00" in html and "明天的课" not in html
    assert 'href="/courses/mine"' in html
    stranger = client.application.test_client()
    login(stranger, "stranger")
    assert "今日上课" not in todo_section(stranger)


def test_the_instructor_takes_attendance_of_todays_classes(client, course_today):
    school, teacher, course, morning = course_today
    trainee = make_user("trainee", username="learner")
    enrollment = enroll(course, trainee)
    other_school, other_teacher = make_school_and_teacher("另一所技工学校")
    other_teacher.username = "other_teacher"
    db.session.commit()
    login(client, "teacher")
    html = todo_section(client)
    assert html.count("记录今日考勤") == 2 and f'href="/courses/{course.id}/attendance"' in html
    assert "劳动合同订立 · 09:00–11:00" in html and "明天的课" not in html
    record_attendance(teacher, morning, enrollment.id, True)
    db.session.commit()
    html = todo_section(client)
    assert html.count("记录今日考勤") == 1 and "劳动合同订立" not in html and "劳动合同变更" in html
    other = client.application.test_client()
    login(other, "other_teacher")
    assert "劳动合同" not in todo_section(other)


def test_enrollments_to_approve_for_the_teacher_and_the_schools_staff_only(client):
    school, teacher = make_school_and_teacher()
    teacher.username = "teacher"
    course = make_course(teacher, capacity=5, requires_approval=True, title="集体协商实务")
    applicant = make_user("trainee", username="applicant")
    enroll(course, applicant, "pending")
    make_user("org_staff", username="school_staff", org=school)
    other_school, _ = make_school_and_teacher("另一所技工学校")
    make_user("org_staff", username="other_staff", org=other_school)
    login(client, "teacher")
    html = todo_section(client)
    assert "审核培训报名" in html and "集体协商实务 · 1 人待审核" in html
    assert f'href="/courses/{course.id}/manage"' in html
    for username, sees in (("school_staff", True), ("other_staff", False)):
        staff = client.application.test_client()
        login(staff, username)
        assert ("集体协商实务" in todo_section(staff)) is sees
    mine = client.application.test_client()
    login(mine, "applicant")
    assert "培训报名待审核" in todo_section(mine)


def test_the_instructors_home_costs_the_same_queries_for_one_course_or_four(client, count_queries):
    school, teacher = make_school_and_teacher()
    teacher.username = "teacher"
    db.session.commit()

    def course_with_a_class_and_an_applicant(n):
        course = make_course(teacher, capacity=5, requires_approval=True, starts_on=date(2026, 3, 9), title=f"课程{n}")
        class_at(teacher, course, TODAY, 9, 11, f"第{n}课")
        enroll(course, make_user("trainee"), "pending")

    course_with_a_class_and_an_applicant(0)
    login(client, "teacher")
    with count_queries() as one:
        assert todo_section(client).count("记录今日考勤") == 1
    for n in range(1, 4):
        course_with_a_class_and_an_applicant(n)
    with count_queries() as four:
        html = todo_section(client)
    assert html.count("记录今日考勤") == 4 and html.count("审核培训报名") == 4
    assert four.count == one.count
