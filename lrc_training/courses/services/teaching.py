"""Class sessions, the attendance grid and course materials."""

from __future__ import annotations

import io
import secrets
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from ...auth.models import User
from ...core.audit import record_audit
from ...core.errors import Forbidden, NotFound, ValidationFailed
from ...core.storage import storage
from ...db import utcnow
from ...extensions import db
from ..models import (
    FILENAME_MAX,
    MATERIAL_TITLE_MAX,
    Attendance,
    Course,
    CourseMaterial,
    CourseSession,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
)
from ..queries import ATTENDING
from ..schemas import MaterialIn, SessionIn
from .access import can_manage
from .hours import hours_text, lesson_minutes, max_session_hours, teaching_plan

# -- sessions --------------------------------------------------------------------


def _check_session(course: Course, data: SessionIn) -> Decimal:
    """The session's 课时, once its date is within the course and its 课时 fit its times."""
    errors = {}
    if not (course.starts_on <= data.held_on <= course.ends_on):
        errors["held_on"] = f"上课日期应在课程期间（{course.starts_on} 至 {course.ends_on}）"
    hours = Decimal(str(data.hours)).quantize(Decimal("0.1"))
    allowed = max_session_hours(data.starts_at, data.ends_at)
    if hours > allowed:
        errors["hours"] = (f"{data.starts_at:%H:%M}–{data.ends_at:%H:%M} 最多计 {hours_text(allowed)} 课时"
                           f"（每课时 {lesson_minutes()} 分钟）")
    if errors:
        raise ValidationFailed("课次信息有误：" + "；".join(errors.values()), errors)
    return hours


def add_session(actor: User, course: Course, data: SessionIn) -> CourseSession:
    if not can_manage(actor, course):
        raise Forbidden("无权修改此课程")
    hours = _check_session(course, data)
    plan = teaching_plan(course)
    if course.status != CourseStatus.DRAFT and plan.total + hours > plan.course_hours:
        # A draft may be over-planned while it is worked on (publishing refuses it); a published course may not.
        left = max(plan.course_hours - plan.total, 0)
        raise ValidationFailed(
            f"课次合计将达到 {hours_text(plan.total + hours)} 课时，超过课程总课时 "
            f"{hours_text(plan.course_hours)} 课时（尚可安排 {hours_text(left)} 课时）",
            {"hours": f"尚可安排 {hours_text(left)} 课时"}, code="sessions_exceed_hours")
    session = CourseSession(held_on=data.held_on, starts_at=data.starts_at, ends_at=data.ends_at, topic=data.topic,
                            hours=hours, room=data.room)
    course.sessions.append(session)  # the course's list stays current for the plan and the deadline
    db.session.flush()
    record_audit("course.add_session", "course", course.id, new={"session_id": session.id, "topic": session.topic})
    return session


def delete_session(actor: User, session: CourseSession) -> None:
    if not can_manage(actor, session.course):
        raise Forbidden("无权修改此课程")
    record_audit("course.delete_session", "course", session.course_id,
                 old={"session_id": session.id, "topic": session.topic, "held_on": session.held_on})
    session.course.sessions.remove(session)
    db.session.delete(session)
    db.session.flush()


# -- attendance ------------------------------------------------------------------

def record_attendance(actor: User, session: CourseSession, enrollment_id: int, present: bool) -> Attendance:
    """Set one cell of the attendance grid (idempotent)."""
    course = session.course
    if not can_manage(actor, course):
        raise Forbidden("无权记录考勤")
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.course_id != course.id or enrollment.status not in ATTENDING:
        raise NotFound("该学员不在本课程名单中")
    if enrollment.status == EnrollmentStatus.COMPLETED:
        raise ValidationFailed("该学员已结业，考勤已锁定", {"enrollment_id": "已结业，考勤已锁定"})
    row = db.session.execute(select(Attendance).where(
        Attendance.session_id == session.id, Attendance.enrollment_id == enrollment_id)).scalar_one_or_none()
    old = None if row is None else row.present
    if row is None:
        row = Attendance(session_id=session.id, enrollment_id=enrollment_id)
        db.session.add(row)
    row.present, row.recorded_by_id, row.recorded_at = present, actor.id, utcnow()
    db.session.flush()
    if old != present:
        record_audit("attendance.record", "enrollment", enrollment_id, old={"session_id": session.id, "present": old},
                     new={"session_id": session.id, "present": present})
    return row


# -- materials -------------------------------------------------------------------

MATERIAL_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_OOXML_PART = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}


def sniff_type(head: bytes, stream: BinaryIO) -> str | None:
    """The real type from the file's content (not its name or the browser's claim), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        for kind, prefix in _OOXML_PART.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    return None


def _read_upload(filename: str, stream: BinaryIO) -> tuple[bytes, str]:
    """The file's bytes and its real type, which must match its extension."""
    limit = current_app.config["LRC_MATERIAL_MAX_BYTES"]
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise ValidationFailed(f"文件超过 {limit // (1024 * 1024)} MB 上限", {"file": "文件过大"})
    if not content:
        raise ValidationFailed("文件为空", {"file": "文件为空"})
    kind = sniff_type(content[:8], io.BytesIO(content))
    extension = Path(filename or "").suffix.lower().lstrip(".")
    if kind is None or kind != extension:
        raise ValidationFailed(
            "只支持 PDF、Word（.docx）、PowerPoint（.pptx）、Excel（.xlsx）文件，且内容须与扩展名一致",
            {"file": "文件类型不受支持或与扩展名不符"})
    return content, kind


def upload_material(actor: User, course: Course, data: MaterialIn, filename: str, stream: BinaryIO) -> CourseMaterial:
    if not can_manage(actor, course):
        raise Forbidden("无权上传资料")
    content, kind = _read_upload(filename, stream)
    title = data.title or Path(filename).stem[:MATERIAL_TITLE_MAX]
    stored = f"{secrets.token_hex(16)}.{kind}"
    storage().put(material_key(stored), content, MATERIAL_TYPES[kind])
    material = CourseMaterial(course_id=course.id, title=title, filename=Path(filename).name[:FILENAME_MAX],
                              stored_name=stored, mime_type=MATERIAL_TYPES[kind], size=len(content),
                              uploaded_by_id=actor.id)
    db.session.add(material)
    db.session.flush()
    record_audit("course.upload_material", "course", course.id, new={"material_id": material.id, "title": title})
    return material


def material_key(stored_name: str) -> str:
    """Materials live under `materials/` in the platform's storage (core/storage.py)."""
    return f"materials/{stored_name}"


def delete_material(actor: User, material: CourseMaterial) -> None:
    if not can_manage(actor, material.course):
        raise Forbidden("无权删除资料")
    key = material_key(material.stored_name)
    record_audit("course.delete_material", "course", material.course_id,
                 old={"material_id": material.id, "title": material.title})
    db.session.delete(material)
    db.session.flush()
    storage().delete(key)
