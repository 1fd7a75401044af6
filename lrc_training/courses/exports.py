"""Documents of a course: Excel exports of its roster and attendance (openpyxl), and a trainee's training
completion record (培训结业证明) PDF. Personal data is shown as on the roster page (services.access.sees_full_phones /
sees_id_numbers) and every text cell goes through the formula-safe writer."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..auth.services.identity import mask_phone
from ..core.downloads import ExportFile
from ..core.levels import LEVEL_LABELS
from ..core.occupation import occupation_name
from ..core.pdf import render_pdf
from ..core.timeutil import format_local, to_local
from ..core.xlsx import HEADER_FILL, append_row, save_workbook
from .models import Course, Enrollment
from .queries import attendance_grid, attended_hours, course_enrollments, roster, waitlist_positions
from .services.access import sees_full_phones, sees_id_numbers
from .services.hours import required_hours


def _header(ws, titles: list[str]) -> None:
    append_row(ws, titles)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=1)


def _widths(ws, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def roster_workbook(course: Course, viewer) -> ExportFile:
    """Every enrollment of the course: name, masked ID (not for instructors), phone (full for the course's
    instructors, masked for everyone else), organization, status, hours, dates."""
    enrollments = course_enrollments(course.id)
    hours = attended_hours([e.id for e in enrollments])
    positions = waitlist_positions(course.id)
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    append_row(ws, [f"{course.title}（{course.organization.name}）花名册"])
    append_row(ws, [f"课程时间：{course.starts_on} 至 {course.ends_on}；总课时 {course.hours}；"
                    f"结业要求 {required_hours(course)} 课时"])
    show_ids, full_phones = sees_id_numbers(viewer, course), sees_full_phones(viewer, course)
    _header(ws, ["序号", "姓名", *(["身份证号"] if show_ids else []), "手机号", "工作单位", "状态", "候补位次",
                 "出勤课时", "报名时间", "结业时间"])
    for index, e in enumerate(enrollments, start=1):
        user = e.user
        append_row(ws, [index, user.name, *([user.id_number_masked] if show_ids else []),
                        (user.phone if full_phones else mask_phone(user.phone)) or "",
                        user.organization.name if user.organization else "", e.status_label, positions.get(e.id),
                        float(hours[e.id]), format_local(e.created_at), format_local(e.completed_at)])
    _widths(ws, [6, 10, *([22] if show_ids else []), 14, 28, 10, 10, 10, 18, 18])
    return ExportFile(save_workbook(wb), len(enrollments))


def attendance_workbook(course: Course) -> ExportFile:
    """The attendance grid: one row per trainee, one column per session (√ present, × absent)."""
    people = roster(course)
    grid = attendance_grid(course)
    hours = attended_hours([e.id for e in people])
    wb = Workbook()
    ws = wb.active
    ws.title = "考勤表"
    append_row(ws, [f"{course.title} 考勤表（√ 出勤，× 缺勤，空白 未记录）"])
    sessions = course.sessions
    _header(ws, ["姓名", *[f"{s.held_on:%m-%d} {s.topic}（{s.hours}课时）" for s in sessions], "出勤课时", "结业要求"])
    needed = float(required_hours(course))
    for e in people:
        marks = []
        for s in sessions:
            present = grid.get((s.id, e.id))
            marks.append("" if present is None else ("√" if present else "×"))
        append_row(ws, [e.user.name, *marks, float(hours[e.id]), needed])
    _widths(ws, [10, *[16] * len(sessions), 10, 10])
    return ExportFile(save_workbook(wb), len(people))


# -- the training completion record -----------------------------------------------------------------------------

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
