"""Who may manage a course: its instructors, staff of its organization, and admins."""

from __future__ import annotations

from ..auth.roles import ADMIN, INSTRUCTOR, ORG_STAFF
from ..core.errors import NotFound
from ..extensions import db
from .models import Course, CourseStatus


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


def get_course_for_manage(user, course_id: int) -> Course:
    """The course if the user may manage it; 404 otherwise (another school's course stays invisible)."""
    course = db.session.get(Course, course_id)
    if course is None or not can_manage(user, course):
        raise NotFound("课程不存在")
    return course


def get_course_for_view(user, course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or not can_view(user, course):
        raise NotFound("课程不存在")
    return course
