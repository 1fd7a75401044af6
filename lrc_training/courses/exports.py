"""Excel exports of a course's roster and attendance (openpyxl)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core.timeutil import format_local
from ..extensions import db
from .enrollment import attended_hours, required_hours, waitlist_positions
from .models import Course, Enrollment
from .teaching import attendance_grid, roster

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _header(ws, titles: list[str]) -> None:
    ws.append(titles)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = ws.cell(row=ws.max_row + 1, column=1)


def _widths(ws, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _save(wb: Workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def roster_workbook(course: Course) -> io.BytesIO:
    """Every enrollment of the course: name, masked ID, phone, organization, status, hours, dates."""
    enrollments = list(db.session.execute(
        select(Enrollment).where(Enrollment.course_id == course.id)
        .options(joinedload(Enrollment.user)).order_by(Enrollment.id)).scalars())
    hours = attended_hours([e.id for e in enrollments])
    positions = waitlist_positions(course.id)
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append([f"{course.title}（{course.organization.name}）花名册"])
    ws.append([f"课程时间：{course.starts_on} 至 {course.ends_on}；总课时 {course.hours}；"
               f"结业要求 {required_hours(course)} 课时"])
    _header(ws, ["序号", "姓名", "身份证号", "手机号", "工作单位", "状态", "候补位次", "出勤课时", "报名时间",
                 "结业时间"])
    for index, e in enumerate(enrollments, start=1):
        user = e.user
        ws.append([index, user.name, user.id_number_masked, user.phone or "",
                   user.organization.name if user.organization else "", e.status_label, positions.get(e.id),
                   float(hours[e.id]), format_local(e.created_at), format_local(e.completed_at)])
    _widths(ws, [6, 10, 22, 14, 28, 10, 10, 10, 18, 18])
    return _save(wb)


def attendance_workbook(course: Course) -> io.BytesIO:
    """The attendance grid: one row per trainee, one column per session (√ present, × absent)."""
    people = roster(course)
    grid = attendance_grid(course)
    hours = attended_hours([e.id for e in people])
    wb = Workbook()
    ws = wb.active
    ws.title = "考勤表"
    ws.append([f"{course.title} 考勤表（√ 出勤，× 缺勤，空白 未记录）"])
    sessions = course.sessions
    _header(ws, ["姓名", *[f"{s.held_on:%m-%d} {s.topic}（{s.hours}课时）" for s in sessions], "出勤课时", "结业要求"])
    needed = float(required_hours(course))
    for e in people:
        marks = []
        for s in sessions:
            present = grid.get((s.id, e.id))
            marks.append("" if present is None else ("√" if present else "×"))
        ws.append([e.user.name, *marks, float(hours[e.id]), needed])
    _widths(ws, [10, *[16] * len(sessions), 10, 10])
    return _save(wb)
