"""Who may see and manage what: a course's instructors, staff of its organization and admins manage it; its
trainees read its materials. Each `get_*` loads and authorises in one step, 404 for anyone else (another school's
course stays invisible)."""

from __future__ import annotations

from ...auth.roles import ADMIN, INSTRUCTOR, ORG_STAFF
from ...core.errors import NotFound
from ...extensions import db
from ..models import Course, CourseMaterial, CourseSession, CourseStatus, Enrollment
from ..queries import is_attending


def can_manage(user, course: Course) -> bool:
    if user is None:
        return False
    if user.has_role(ADMIN):
        return True
    if user.has_role(ORG_STAFF) and user.organization_id == course.organization_id:
        return True
    return is_course_instructor(user, course)


def is_course_instructor(user, course: Course) -> bool:
    return user is not None and user.has_role(INSTRUCTOR) and any(i.id == user.id for i in course.instructors)


def sees_full_phones(user, course: Course) -> bool:
    """The course's instructors call their trainees: they see full phone numbers. Everyone else sees them masked."""
    return is_course_instructor(user, course)


def sees_id_numbers(user, course: Course) -> bool:
    """Masked ID numbers for the organization's staff and admins; an instructor (only teaching) sees none."""
    return user is not None and (user.has_role(ADMIN) or (
        user.has_role(ORG_STAFF) and user.organization_id == course.organization_id))


def can_view(user, course: Course) -> bool:
    """Published courses are public; drafts only to the people who manage them."""
    return course.status in (CourseStatus.PUBLISHED, CourseStatus.CLOSED) or can_manage(user, course)


def can_download(user, material: CourseMaterial) -> bool:
    return can_manage(user, material.course) or is_attending(user.id, material.course_id)


def get_course_for_manage(user, course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not can_manage(user, course):
        raise NotFound("课程不存在")
    return course


def get_course_for_view(user, course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not can_view(user, course):
        raise NotFound("课程不存在")
    return course


def get_session_for_manage(user, session_id: int) -> CourseSession:
    session = db.session.get(CourseSession, session_id)
    if session is None or not can_manage(user, session.course):
        raise NotFound("课次不存在")
    return session


def get_material_for_manage(user, material_id: int) -> CourseMaterial:
    material = db.session.get(CourseMaterial, material_id)
    if material is None or not can_manage(user, material.course):
        raise NotFound("资料不存在")
    return material


def get_material_for_download(user, material_id: int) -> CourseMaterial:
    material = db.session.get(CourseMaterial, material_id)
    if material is None or not can_download(user, material):
        raise NotFound("资料不存在")
    return material


def get_enrollment_for_manage(user, enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or not can_manage(user, enrollment.course):
        raise NotFound("报名记录不存在")
    return enrollment


def get_enrollment_for_owner_or_manager(user, enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or not (enrollment.user_id == user.id or can_manage(user, enrollment.course)):
        raise NotFound("报名记录不存在")
    return enrollment
