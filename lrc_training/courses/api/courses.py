"""JSON API for courses and enrollments (docs/api.md "Courses"): each endpoint parses its request with a schema
from schemas.py, calls one service, commits once and answers with its declared response schema."""

from __future__ import annotations

from flask import g, jsonify, request
from sqlalchemy import func, select

from ...auth.roles import ADMIN, INSTRUCTOR, ORG_STAFF, TRAINEE
from ...core.access import public, roles_required
from ...core.api import api_response, created, json_body, page_args, paginate, parse_json, query_args
from ...core.timeutil import iso_local
from ...extensions import db
from ..models import Course, Enrollment
from ..queries import catalog, course_enrollments_stmt, seats_taken, waitlist_position, waitlist_positions
from ..schemas import (
    CompleteIn,
    CourseIn,
    CourseOut,
    CoursePage,
    CourseQuery,
    EnrollmentOut,
    EnrollmentPage,
    RejectIn,
)
from ..services.access import (
    get_course_for_manage,
    get_course_for_view,
    get_enrollment_for_manage,
    get_enrollment_for_owner_or_manager,
)
from ..services.courses import change_status, create_course
from ..services.enrollment import approve_enrollment, complete_enrollment, enroll_trainee, reject_enrollment, withdraw
from . import api_bp as bp

MANAGERS = (INSTRUCTOR, ORG_STAFF, ADMIN)


def course_out(course: Course, taken: int | None = None) -> dict:
    return CourseOut(
        id=course.id, title=course.title, level=course.level, hours=float(course.hours), capacity=course.capacity,
        starts_on=course.starts_on.isoformat(), ends_on=course.ends_on.isoformat(),
        enrollment_closes_at=iso_local(course.enrollment_closes_at), requires_approval=course.requires_approval,
        status=course.status, organization_id=course.organization_id, organization_name=course.organization.name,
        description=course.description, location=course.location, online=course.online,
        completion_share=float(course.completion_share), work_areas=[area.code for area in course.work_areas],
        seats_taken=seats_taken(course.id) if taken is None else taken, version=course.version,
    ).model_dump()


def enrollment_out(enrollment: Enrollment, position: int | None = None) -> dict:
    hours = enrollment.hours_attended
    return EnrollmentOut(
        id=enrollment.id, course_id=enrollment.course_id, user_id=enrollment.user_id, status=enrollment.status,
        waitlist_position=position if position is not None else waitlist_position(enrollment),
        decision_reason=enrollment.decision_reason, hours_attended=float(hours) if hours is not None else None,
    ).model_dump()


@bp.post("/courses")
@roles_required(INSTRUCTOR, ORG_STAFF)
@json_body(CourseIn)
@api_response(CourseOut, 201)
def courses_create(body: CourseIn):
    """Create a course in the caller's organization (draft unless status is published)."""
    course = create_course(g.api_user, body, publish=body.status == "published")
    db.session.commit()
    return created(course_out(course))


@bp.post("/courses/<int:course_id>/publish")
@roles_required(*MANAGERS)
@api_response(CourseOut)
def courses_publish(course_id: int):
    """Publish a draft course: trainees can enroll until enrollment_closes_at."""
    course = change_status(g.api_user, get_course_for_manage(g.api_user, course_id), "publish")
    db.session.commit()
    return jsonify(course_out(course))


@bp.get("/courses")
@public
@query_args(CourseQuery, paginated=True)
@api_response(CoursePage)
def courses_list(query: CourseQuery):
    """Published courses, filtered by ?level= (and the catalog page's other filters), paginated."""
    stmt = catalog(query)
    page, per_page = page_args()
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify({"items": [course_out(course, taken) for course, taken in rows], "page": page,
                    "per_page": per_page, "total": total})


@bp.get("/courses/<int:course_id>")
@public
@api_response(CourseOut)
def courses_get(course_id: int):
    """One course (drafts only for the people who manage them)."""
    return jsonify(course_out(get_course_for_view(g.get("api_user"), course_id)))


@bp.post("/courses/<int:course_id>/enrollments")
@roles_required(TRAINEE)
@api_response(EnrollmentOut, 201)
def enrollments_create(course_id: int):
    """Enroll yourself: enrolled, pending (needs approval) or waitlisted (course full)."""
    enrollment = enroll_trainee(g.api_user, course_id)
    db.session.commit()
    return created(enrollment_out(enrollment))


@bp.get("/courses/<int:course_id>/enrollments")
@roles_required(*MANAGERS)
@api_response(EnrollmentPage)
def enrollments_list(course_id: int):
    """The course's enrollments with waitlist positions (instructors of the course, org staff)."""
    course = get_course_for_manage(g.api_user, course_id)
    positions = waitlist_positions(course.id)
    return jsonify(paginate(course_enrollments_stmt(course.id), lambda e: enrollment_out(e, positions.get(e.id))))


@bp.post("/enrollments/<int:enrollment_id>/approve")
@roles_required(*MANAGERS)
@api_response(EnrollmentOut)
def enrollments_approve(enrollment_id: int):
    """Approve a pending enrollment."""
    enrollment = approve_enrollment(g.api_user, get_enrollment_for_manage(g.api_user, enrollment_id))
    db.session.commit()
    return jsonify(enrollment_out(enrollment))


@bp.post("/enrollments/<int:enrollment_id>/reject")
@roles_required(*MANAGERS)
@api_response(EnrollmentOut)
def enrollments_reject(enrollment_id: int):
    """Reject a pending or waitlisted enrollment, optionally with {"reason"}."""
    body = parse_json(RejectIn) if request.get_data(cache=True).strip() else RejectIn()
    enrollment = reject_enrollment(g.api_user, get_enrollment_for_manage(g.api_user, enrollment_id), body.reason)
    db.session.commit()
    return jsonify(enrollment_out(enrollment))


@bp.delete("/enrollments/<int:enrollment_id>")
@roles_required(TRAINEE)
@api_response(EnrollmentOut)
def enrollments_withdraw(enrollment_id: int):
    """Withdraw from a course or its waitlist; the first waitlisted trainee moves up."""
    enrollment = withdraw(g.api_user, get_enrollment_for_owner_or_manager(g.api_user, enrollment_id))
    db.session.commit()
    return jsonify(enrollment_out(enrollment))


@bp.post("/enrollments/<int:enrollment_id>/complete")
@roles_required(*MANAGERS)
@json_body(CompleteIn)
@api_response(EnrollmentOut)
def enrollments_complete(enrollment_id: int, body: CompleteIn):
    """Mark completion with the hours attended (422 when they fall short of the completion rule)."""
    enrollment = complete_enrollment(g.api_user, get_enrollment_for_manage(g.api_user, enrollment_id),
                                     body.hours_attended)
    db.session.commit()
    return jsonify(enrollment_out(enrollment))
