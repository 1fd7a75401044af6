"""JSON API for courses and enrollments (docs/api.md "Courses")."""

from __future__ import annotations

from flask import g, jsonify, request
from sqlalchemy import func, select

from ..auth.roles import ADMIN, INSTRUCTOR, ORG_STAFF, TRAINEE
from ..core.access import public, roles_required
from ..core.api import api_response, created, json_body, page_args, paginate, parse_json, query_args
from ..core.timeutil import iso_local
from ..extensions import db
from . import api_bp as bp
from .catalog import CatalogFilter, CourseInput, catalog, change_status, create_course, seats_taken
from .enrollment import (
    approve_enrollment,
    complete_enrollment,
    enroll_trainee,
    get_enrollment_for_manage,
    get_enrollment_for_owner_or_manager,
    reject_enrollment,
    waitlist_position,
    waitlist_positions,
    withdraw,
)
from .models import Course, Enrollment
from .permissions import get_course_for_manage, get_course_for_view
from .schemas import CompleteIn, CourseIn, CourseOut, CourseQuery, EnrollmentOut, RejectIn

MANAGERS = (INSTRUCTOR, ORG_STAFF, ADMIN)


def course_json(course: Course, taken: int | None = None) -> dict:
    return {
        "id": course.id, "title": course.title, "level": course.level, "hours": float(course.hours),
        "capacity": course.capacity, "starts_on": course.starts_on.isoformat(), "ends_on": course.ends_on.isoformat(),
        "enrollment_closes_at": iso_local(course.enrollment_closes_at), "requires_approval": course.requires_approval,
        "status": course.status, "organization_id": course.organization_id,
        "organization_name": course.organization.name, "description": course.description,
        "location": course.location, "online": course.online,
        "completion_share": float(course.completion_share),
        "work_areas": [area.code for area in course.work_areas],
        "seats_taken": seats_taken(course.id) if taken is None else taken, "version": course.version,
    }


def enrollment_json(enrollment: Enrollment, position: int | None = None) -> dict:
    return {"id": enrollment.id, "course_id": enrollment.course_id, "user_id": enrollment.user_id,
            "status": enrollment.status,
            "waitlist_position": position if position is not None else waitlist_position(enrollment),
            "decision_reason": enrollment.decision_reason,
            "hours_attended": float(enrollment.hours_attended) if enrollment.hours_attended is not None else None}


@bp.post("/courses")
@roles_required(INSTRUCTOR, ORG_STAFF)
@json_body(CourseIn)
@api_response(CourseOut, 201)
def courses_create(body: CourseIn):
    """Create a course in the caller's organization (draft unless status is published)."""
    course = create_course(g.api_user, CourseInput(
        title=body.title, level=body.level, hours=body.hours, capacity=body.capacity, starts_on=body.starts_on,
        ends_on=body.ends_on, requires_approval=body.requires_approval, description=body.description,
        location=body.location, online=body.online, enrollment_closes_at=body.enrollment_closes_at,
        completion_share=body.completion_share, work_area_codes=body.work_areas,
    ), publish=body.status == "published")
    db.session.commit()
    return created(course_json(course))


@bp.post("/courses/<int:course_id>/publish")
@roles_required(*MANAGERS)
@api_response(CourseOut)
def courses_publish(course_id: int):
    """Publish a draft course: trainees can enroll until enrollment_closes_at."""
    course = change_status(g.api_user, get_course_for_manage(g.api_user, course_id), "publish")
    db.session.commit()
    return jsonify(course_json(course))


@bp.get("/courses")
@public
@query_args(CourseQuery, paginated=True)
def courses_list(query: CourseQuery):
    """Published courses, filtered by ?level= (and the catalog page's other filters), paginated."""
    stmt = catalog(CatalogFilter(**query.model_dump()))
    page, per_page = page_args()
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify({"items": [course_json(course, taken) for course, taken in rows], "page": page,
                    "per_page": per_page, "total": total})


@bp.get("/courses/<int:course_id>")
@public
@api_response(CourseOut)
def courses_get(course_id: int):
    """One course (drafts only for the people who manage them)."""
    return jsonify(course_json(get_course_for_view(g.get("api_user"), course_id)))


@bp.post("/courses/<int:course_id>/enrollments")
@roles_required(TRAINEE)
@api_response(EnrollmentOut, 201)
def enrollments_create(course_id: int):
    """Enroll yourself: enrolled, pending (needs approval) or waitlisted (course full)."""
    enrollment = enroll_trainee(g.api_user, course_id)
    db.session.commit()
    return created(enrollment_json(enrollment))


@bp.get("/courses/<int:course_id>/enrollments")
@roles_required(*MANAGERS)
def enrollments_list(course_id: int):
    """The course's enrollments with waitlist positions (instructors of the course, org staff)."""
    course = get_course_for_manage(g.api_user, course_id)
    positions = waitlist_positions(course.id)
    stmt = select(Enrollment).where(Enrollment.course_id == course.id).order_by(Enrollment.id)
    return jsonify(paginate(stmt, lambda e: enrollment_json(e, positions.get(e.id))))


@bp.post("/enrollments/<int:enrollment_id>/approve")
@roles_required(*MANAGERS)
@api_response(EnrollmentOut)
def enrollments_approve(enrollment_id: int):
    """Approve a pending enrollment."""
    enrollment = approve_enrollment(g.api_user, get_enrollment_for_manage(g.api_user, enrollment_id))
    db.session.commit()
    return jsonify(enrollment_json(enrollment))


@bp.post("/enrollments/<int:enrollment_id>/reject")
@roles_required(*MANAGERS)
@api_response(EnrollmentOut)
def enrollments_reject(enrollment_id: int):
    """Reject a pending or waitlisted enrollment, optionally with {"reason"}."""
    body = parse_json(RejectIn) if request.get_data(cache=True).strip() else RejectIn()
    enrollment = reject_enrollment(g.api_user, get_enrollment_for_manage(g.api_user, enrollment_id), body.reason)
    db.session.commit()
    return jsonify(enrollment_json(enrollment))


@bp.delete("/enrollments/<int:enrollment_id>")
@roles_required(TRAINEE)
@api_response(EnrollmentOut)
def enrollments_withdraw(enrollment_id: int):
    """Withdraw from a course or its waitlist; the first waitlisted trainee moves up."""
    enrollment = withdraw(g.api_user, get_enrollment_for_owner_or_manager(g.api_user, enrollment_id))
    db.session.commit()
    return jsonify(enrollment_json(enrollment))


@bp.post("/enrollments/<int:enrollment_id>/complete")
@roles_required(*MANAGERS)
@json_body(CompleteIn)
@api_response(EnrollmentOut)
def enrollments_complete(enrollment_id: int, body: CompleteIn):
    """Mark completion with the hours attended (422 when they fall short of the completion rule)."""
    enrollment = complete_enrollment(g.api_user, get_enrollment_for_manage(g.api_user, enrollment_id),
                                     body.hours_attended)
    db.session.commit()
    return jsonify(enrollment_json(enrollment))
