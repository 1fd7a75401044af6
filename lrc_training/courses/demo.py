"""Demo courses: one running course with sessions, attendance and a completed trainee; one that needs
approval with a pending application; one upcoming course that is full with a waitlist."""

from __future__ import annotations

from datetime import time, timedelta

from ..core.timeutil import local_today
from .schemas import CourseIn, SessionIn
from .services.courses import create_course
from .services.enrollment import approve_enrollment, complete_enrollment, enroll_trainee
from .services.teaching import add_session, record_attendance


def seed_courses(users: dict, orgs: list) -> None:
    teacher, trainees = users["teacher"], [users["trainee"], users["trainee2"], users["trainee3"]]
    today = local_today()
    running = create_course(teacher, CourseIn(
        title="劳动合同管理实务（四级）", level=4, hours=12, capacity=30, starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=14), location="聊城高级技工学校 实训楼 301", work_area_codes=["LC", "RR"],
        description="劳动合同订立、履行、变更、解除和终止的实务操作，配合典型案例分析。"), publish=True)
    # They enrolled before the classes; all four sessions are over now, so the course takes no more enrollments.
    enrollments = [enroll_trainee(t, running.id) for t in trainees]
    topics = ["劳动合同的订立与审查", "劳动合同的变更与解除", "规章制度的民主程序", "典型劳动争议案例研讨"]
    sessions = [add_session(teacher, running, SessionIn(
        held_on=running.starts_on + timedelta(days=3 * i), starts_at=time(9), ends_at=time(12), topic=topic,
        hours=3, room="实训楼 301")) for i, topic in enumerate(topics)]
    for session in sessions:
        record_attendance(teacher, session, enrollments[0].id, True)
    for session in sessions[:2]:
        record_attendance(teacher, session, enrollments[1].id, True)
    complete_enrollment(teacher, enrollments[0], today=today)

    approval = create_course(teacher, CourseIn(
        title="集体协商与集体合同管理（三级）", level=3, hours=24, capacity=20, starts_on=today + timedelta(days=10),
        ends_on=today + timedelta(days=40), requires_approval=True, work_area_codes=["CB", "DM"],
        location="聊城高级技工学校 综合楼 502"), publish=True)
    pending = enroll_trainee(trainees[1], approval.id)
    enroll_trainee(trainees[2], approval.id)
    approve_enrollment(teacher, pending)

    full = create_course(teacher, CourseIn(
        title="员工申诉与劳动争议处理（四级）", level=4, hours=16, capacity=1, starts_on=today + timedelta(days=20),
        ends_on=today + timedelta(days=30), online=True, work_area_codes=["DR"]), publish=True)
    enroll_trainee(trainees[2], full.id)
    enroll_trainee(trainees[1], full.id)
