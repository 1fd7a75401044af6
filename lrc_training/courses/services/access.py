"""Who may see and manage what: a course's instructors, staff of its organization and admins manage it; its
trainees read its materials. Each `get_*` loads and authorises in one step, 404 for anyone else (another school's
course stays invisible)."""

from __future__ import annotations

from ...auth.roles import ADMIN, INSTRUCTOR, ORG_STAFF
from ...core.loading import get_allowed
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
    return get_allowed(Course, course_id, lambda course: can_manage(user, course), "课程不存在")


def get_course_for_view(user, course_id: int) -> Course:
    return get_allowed(Course, course_id, lambda course: can_view(user, course), "课程不存在")


def get_session_for_manage(user, session_id: int) -> CourseSession:
    return get_allowed(CourseSession, session_id, lambda session: can_manage(user, session.course), "课次不存在")


def get_material_for_manage(user, material_id: int) -> CourseMaterial:
    return get_allowed(CourseMaterial, material_id, lambda material: can_manage(user, material.course), "资料不存在")


def get_material_for_download(user, material_id: int) -> CourseMaterial:
    return get_allowed(CourseMaterial, material_id, lambda material: can_download(user, material), "资料不存在")


def get_enrollment_for_manage(user, enrollment_id: int) -> Enrollment:
    return get_allowed(Enrollment, enrollment_id, lambda enrollment: can_manage(user, enrollment.course),
                       "报名记录不存在")


def get_enrollment_for_owner_or_manager(user, enrollment_id: int) -> Enrollment:
    return get_allowed(Enrollment, enrollment_id,
                       lambda enrollment: enrollment.user_id == user.id or can_manage(user, enrollment.course),
                       "报名记录不存在")
