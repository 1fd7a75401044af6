"""Reads of the courses area: the catalog, management lists, seats, the waitlist, attendance.

Other areas read courses only through this module: `completed_course_levels` (exams: eligibility) and
`completed_courses_of`. Everything here is a read; list reads cost a constant number of queries."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..auth.models import Organization, User
from ..auth.roles import ADMIN, INSTRUCTOR, ORG_STAFF
from ..core.timeutil import local_zone
from ..db import utcnow, year_month
from ..extensions import db
from .models import (
    SEAT_HOLDING,
    Attendance,
    Course,
    CourseSession,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    course_instructors,
    course_work_areas,
)
from .schemas import CourseQuery

# Enrollments that attend the course: they are on the roster and the attendance grid.
ATTENDING = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)


# -- for other areas -------------------------------------------------------------------------------------------

def completed_courses_of(user_id: int) -> list[Enrollment]:
    """Completed enrollments of a person."""
    return list(db.session.execute(select(Enrollment).where(
        Enrollment.user_id == user_id, Enrollment.status == EnrollmentStatus.COMPLETED)).scalars())


def completion_record_of(user_id: int) -> list[dict]:
    """A person's completed courses, latest first, as plain values (title, hours attended, completed_at): what the
    registry's record of a coordinator shows."""
    return [{"title": title, "hours": float(hours or 0), "completed_at": completed_at}
            for title, hours, completed_at in db.session.execute(
                select(Course.title, Enrollment.hours_attended, Enrollment.completed_at)
                .join(Course, Course.id == Enrollment.course_id)
                .where(Enrollment.user_id == user_id, Enrollment.status == EnrollmentStatus.COMPLETED)
                .order_by(Enrollment.completed_at.desc()))]


def completions_by_month(since: datetime, people=None) -> dict[str, int]:
    """{'YYYY-MM': courses completed that month} since a moment, by these people (a subquery) or anyone."""
    month = year_month(Enrollment.completed_at, db.engine.dialect.name)
    stmt = select(month, func.count()).where(Enrollment.status == EnrollmentStatus.COMPLETED,
                                             Enrollment.completed_at >= since)
    if people is not None:
        stmt = stmt.where(Enrollment.user_id.in_(people))
    return dict(db.session.execute(stmt.group_by(month)).all())


def completed_course_levels(user_id: int) -> tuple[int, ...]:
    """The levels of the courses a person completed (exams: eligibility), as plain values."""
    return tuple(db.session.execute(
        select(Course.level).join(Enrollment, Enrollment.course_id == Course.id)
        .where(Enrollment.user_id == user_id, Enrollment.status == EnrollmentStatus.COMPLETED)
        .order_by(Enrollment.id)).scalars())


# -- seats and the waitlist ------------------------------------------------------------------------------------

def seats_taken(course_id: int) -> int:
    return db.session.execute(select(func.count()).where(
        Enrollment.course_id == course_id, Enrollment.status.in_(SEAT_HOLDING))).scalar_one()


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


def next_waitlist_seq(course_id: int) -> int:
    last = db.session.execute(select(func.max(Enrollment.waitlist_seq)).where(
        Enrollment.course_id == course_id)).scalar()
    return (last or 0) + 1


# -- the catalog and the management list -----------------------------------------------------------------------

def _seat_counts():
    return (select(Enrollment.course_id, func.count().label("taken"))
            .where(Enrollment.status.in_(SEAT_HOLDING)).group_by(Enrollment.course_id).subquery())


def catalog(filters: CourseQuery) -> Select:
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


def _fill_counts():
    status = Enrollment.status
    return (select(
        Enrollment.course_id,
        func.sum(case((status.in_(SEAT_HOLDING), 1), else_=0)).label("taken"),
        func.sum(case((status.in_(ATTENDING), 1), else_=0)).label("admitted"),
        func.sum(case((status == EnrollmentStatus.COMPLETED, 1), else_=0)).label("completed"),
        func.sum(case((status == EnrollmentStatus.WAITLISTED, 1), else_=0)).label("waitlisted"),
    ).group_by(Enrollment.course_id).subquery())


def managed_courses(actor: User) -> Select:
    """Courses the actor manages, with fill and completion figures: rows of (Course, taken, admitted, completed,
    waitlisted)."""
    counts = _fill_counts()
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


# -- enrollments -----------------------------------------------------------------------------------------------

def course_enrollments(course_id: int) -> list[Enrollment]:
    """Every enrollment of a course with its person, in order of arrival."""
    return list(db.session.execute(
        select(Enrollment).where(Enrollment.course_id == course_id)
        .options(joinedload(Enrollment.user)).order_by(Enrollment.id)).scalars())


def course_enrollments_stmt(course_id: int) -> Select:
    return select(Enrollment).where(Enrollment.course_id == course_id).order_by(Enrollment.id)


def enrollment_of(user_id: int, course_id: int) -> Enrollment | None:
    return db.session.execute(select(Enrollment).where(
        Enrollment.course_id == course_id, Enrollment.user_id == user_id)).scalar_one_or_none()


def enrollments_in(user_id: int, course_ids: list[int]) -> dict[int, Enrollment]:
    """{course id: the person's enrollment} for the courses of a catalog page, in one query."""
    if not course_ids:
        return {}
    return {e.course_id: e for e in db.session.execute(select(Enrollment).where(
        Enrollment.user_id == user_id, Enrollment.course_id.in_(course_ids))).scalars()}


def enrollments_of(user_id: int) -> list[Enrollment]:
    """A trainee's enrollments with their courses, newest first ("my courses")."""
    return list(db.session.execute(
        select(Enrollment).where(Enrollment.user_id == user_id)
        .options(selectinload(Enrollment.course)).order_by(Enrollment.id.desc())).scalars())


def waitlist_positions_of(enrollments: list[Enrollment]) -> dict[int, int]:
    """Waitlist places of the waitlisted ones among `enrollments` (one query per course they wait for)."""
    positions: dict[int, int] = {}
    for course_id in {e.course_id for e in enrollments if e.status == EnrollmentStatus.WAITLISTED}:
        positions.update(waitlist_positions(course_id))
    return positions


# -- attendance ------------------------------------------------------------------------------------------------

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


def roster(course: Course) -> list[Enrollment]:
    """Trainees who attend the course (enrolled or completed), by name."""
    return list(db.session.execute(
        select(Enrollment).join(User, User.id == Enrollment.user_id)
        .where(Enrollment.course_id == course.id, Enrollment.status.in_(ATTENDING))
        .order_by(User.name, User.id)).scalars())


def attendance_grid(course: Course) -> dict[tuple[int, int], bool]:
    """{(session id, enrollment id): present} for the whole course in one query."""
    rows = db.session.execute(
        select(Attendance.session_id, Attendance.enrollment_id, Attendance.present)
        .join(CourseSession, CourseSession.id == Attendance.session_id)
        .where(CourseSession.course_id == course.id))
    return {(sid, eid): present for sid, eid, present in rows}


def is_attending(user_id: int, course_id: int) -> bool:
    return db.session.execute(select(Enrollment.id).where(
        Enrollment.course_id == course_id, Enrollment.user_id == user_id,
        Enrollment.status.in_(ATTENDING))).scalar() is not None
