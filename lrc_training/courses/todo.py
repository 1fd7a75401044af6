"""The home page's to-dos from training: a trainee's classes today and enrollments awaiting review; for the
people who run a course (its instructors, its school's staff) enrollments to approve, and for instructors the
attendance of today's classes not taken yet. One statement per part, whatever the number of courses."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import func, or_, select

from ..auth.roles import INSTRUCTOR, ORG_STAFF, TRAINEE
from ..core.timeutil import local_zone
from ..core.todo import INFO, NORMAL, NOW, SOON, TodoItem
from ..extensions import db
from .models import Attendance, Course, CourseSession, Enrollment, EnrollmentStatus, course_instructors


def todo_for(user, now: datetime) -> list[TodoItem]:
    items: list[TodoItem] = []
    local_now = now.astimezone(local_zone())
    if user.has_role(TRAINEE):
        items += _classes_today(user, local_now) + _enrollments_waiting(user)
    if user.has_role(INSTRUCTOR) or (user.has_role(ORG_STAFF) and user.organization_id):
        items += _enrollments_to_approve(user)
    if user.has_role(INSTRUCTOR):
        items += _attendance_to_take(user, local_now)
    return items


def _at(day, clock) -> datetime:
    return datetime.combine(day, clock, tzinfo=local_zone())


def _classes_today(user, local_now: datetime) -> list[TodoItem]:
    rows = db.session.execute(
        select(Course.title, CourseSession.topic, CourseSession.starts_at, CourseSession.ends_at, CourseSession.room,
               Course.location)
        .join(CourseSession, CourseSession.course_id == Course.id)
        .join(Enrollment, Enrollment.course_id == Course.id)
        .where(Enrollment.user_id == user.id, Enrollment.status == EnrollmentStatus.ENROLLED,
               CourseSession.held_on == local_now.date(),
               CourseSession.ends_at >= local_now.time().replace(tzinfo=None, microsecond=0))).all()
    items = []
    for title, topic, starts, ends, room, location in rows:
        place = room or location or ""
        detail = f"{title} · {topic} · {starts:%H:%M}–{ends:%H:%M}" + (f" · {place}" if place else "")
        started = starts <= local_now.time().replace(tzinfo=None)
        items.append(TodoItem("今日上课", url_for("courses.mine"), detail, _at(local_now.date(), starts),
                              "开始", NOW if started else SOON, "查看课程"))
    return items


def _enrollments_waiting(user) -> list[TodoItem]:
    titles = db.session.execute(
        select(Course.title).join(Enrollment, Enrollment.course_id == Course.id)
        .where(Enrollment.user_id == user.id, Enrollment.status == EnrollmentStatus.PENDING)
        .order_by(Course.starts_on)).scalars().all()
    return [TodoItem("培训报名待审核", url_for("courses.mine"), f"{title} · 学校审核后会通知您", urgency=INFO,
                     action="查看") for title in titles]


def _managed(user):
    """SQL: the courses the user runs — those they teach, and their organization's when they are its staff."""
    conditions = []
    if user.has_role(INSTRUCTOR):
        conditions.append(Course.id.in_(select(course_instructors.c.course_id)
                                        .where(course_instructors.c.user_id == user.id)))
    if user.has_role(ORG_STAFF) and user.organization_id:
        conditions.append(Course.organization_id == user.organization_id)
    return or_(*conditions)


def _enrollments_to_approve(user) -> list[TodoItem]:
    rows = db.session.execute(
        select(Course.id, Course.title, Course.starts_on, func.count(Enrollment.id))
        .join(Enrollment, Enrollment.course_id == Course.id)
        .where(_managed(user), Enrollment.status == EnrollmentStatus.PENDING)
        .group_by(Course.id, Course.title, Course.starts_on)).all()
    return [TodoItem("审核培训报名", url_for("courses.manage_course", course_id=course_id),
                     f"{title} · {n} 人待审核", _at(starts_on, datetime.min.time()), "开课", NORMAL, "去审核")
            for course_id, title, starts_on, n in rows]


def _attendance_to_take(user, local_now: datetime) -> list[TodoItem]:
    """Today's classes of the instructor's courses with no attendance recorded yet (urgent once begun)."""
    clock = local_now.time().replace(tzinfo=None, microsecond=0)
    taught = select(course_instructors.c.course_id).where(course_instructors.c.user_id == user.id)
    rows = db.session.execute(
        select(Course.id, Course.title, CourseSession.topic, CourseSession.starts_at, CourseSession.ends_at)
        .join(CourseSession, CourseSession.course_id == Course.id)
        .outerjoin(Attendance, Attendance.session_id == CourseSession.id)
        .where(Course.id.in_(taught), CourseSession.held_on == local_now.date())
        .group_by(Course.id, Course.title, CourseSession.id, CourseSession.topic, CourseSession.starts_at,
                  CourseSession.ends_at)
        .having(func.count(Attendance.id) == 0)).all()
    return [TodoItem("记录今日考勤", url_for("courses.attendance", course_id=course_id),
                     f"{title} · {topic} · {starts:%H:%M}–{ends:%H:%M}", _at(local_now.date(), starts), "上课",
                     NOW if starts <= clock else SOON, "去考勤")
            for course_id, title, topic, starts, ends in rows]
