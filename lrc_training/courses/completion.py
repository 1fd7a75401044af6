"""The training completion record (培训结业证明) PDF, rendered through the core PDF helper."""

from __future__ import annotations

import io

from ..core.levels import LEVEL_LABELS
from ..core.occupation import occupation_name
from ..core.pdf import render_pdf
from ..core.timeutil import format_local, to_local
from .models import Enrollment


def completion_record_number(enrollment: Enrollment) -> str:
    """A stable record number: JY + year of completion + course id + enrollment id."""
    year = format_local(enrollment.completed_at, "%Y")
    return f"JY{year}{enrollment.course_id:05d}{enrollment.id:07d}"


def completion_context(enrollment: Enrollment) -> dict:
    """Plain values for pdf/training_completion.html (see that template's header for each key)."""
    course, user = enrollment.course, enrollment.user
    context = {
        "number": completion_record_number(enrollment),
        "holder_name": user.name,
        "course_title": course.title,
        "occupation": occupation_name(),
        "level_label": LEVEL_LABELS[course.level],
        "start_date": course.starts_on,
        "end_date": course.ends_on,
        "hours": course.hours.normalize(),
        "hours_attended": enrollment.hours_attended.normalize() if enrollment.hours_attended is not None else None,
        "organization_name": course.organization.name,
        "issue_date": to_local(enrollment.completed_at).date(),
    }
    if user.id_number:
        context.update(id_type="居民身份证", id_number=user.id_number_masked)
    return context


def completion_record_pdf(enrollment: Enrollment) -> io.BytesIO:
    return io.BytesIO(render_pdf("pdf/training_completion.html", completion_context(enrollment)))
