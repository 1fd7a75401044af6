"""Applying for an exam session: eligibility with the reason shown, staff decisions and overrides,
exemption of parts passed recently, anonymous codes, rooms and seats."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.roles import TRAINEE
from ..certificates.issuing import find_by_number, highest_level_of
from ..core.audit import record_audit
from ..core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ..core.notifications import notify
from ..courses.enrollment import completed_courses_of
from ..db import utcnow
from ..extensions import db
from .eligibility import EDUCATION_LABELS, Facts, check_eligibility
from .models import Application, ExamSession, PartResult
from .sessions import get_session_for_staff

ADMITTED_TEXT = "请按时参加考试，准考证可在“我的认定”中下载。"


class Ineligible(DomainError):
    status = 422
    code = "ineligible"


def _facts(user, work_years: Decimal, education: str, related_major: bool, prior_number: str | None) -> Facts:
    prior = highest_level_of(user.id)
    if prior_number:
        cert = find_by_number(prior_number)
        if cert is not None and cert.status == "valid" and cert.kind == "level" and (
                cert.holder_user_id == user.id or (cert.id_number and cert.id_number == user.id_number)):
            prior = cert.level if prior is None else min(prior, cert.level)
    courses = tuple(e.course.level for e in completed_courses_of(user.id))
    return Facts(work_years=work_years, education=education, related_major=related_major, prior_level=prior,
                 completed_course_levels=courses)


def exempt_parts_for(user_id: int, session: ExamSession) -> list[str]:
    """Parts of this level the person passed within the validity period: they retake only the rest."""
    since = utcnow() - timedelta(days=365 * session.part_validity_years)
    rows = db.session.execute(select(PartResult.part).where(
        PartResult.user_id == user_id, PartResult.level == session.level, PartResult.passed.is_(True),
        PartResult.published_at >= since)).scalars()
    return sorted(set(rows) & set(session.parts))


def apply(actor, session_id: int, *, work_years, education: str = "none", related_major: bool = False,
          prior_certificate_number: str | None = None) -> Application:
    if not actor.has_role(TRAINEE):
        raise Forbidden("只有学员可以报名认定")
    session = db.session.get(ExamSession, session_id)
    if session is None or session.state == "draft":
        raise NotFound("认定批次不存在")
    if session.state != "open" or utcnow() > session.applications_close_at:
        raise ValidationFailed("该批次报名已截止", {"session": "报名已截止"}, code="closed")
    try:
        years = Decimal(str(work_years)).quantize(Decimal("0.1"))
        if not (Decimal("0") <= years <= Decimal("60")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValidationFailed("工作年限应为 0 到 60 之间的数字", {"work_years": "应为 0 到 60 之间的数字"}) from None
    if education not in EDUCATION_LABELS:
        raise ValidationFailed("学历取值无效", {"education": "取值无效"})
    number = (prior_certificate_number or "").strip().upper() or None
    if number and len(number) > 40:
        raise ValidationFailed("证书编号过长", {"prior_certificate_number": "证书编号过长"})
    existing = db.session.execute(select(Application).where(
        Application.session_id == session.id, Application.user_id == actor.id)).scalar_one_or_none()
    if existing is not None:
        raise Conflict("您已报名该批次", {"session": "不能重复报名"}, code="duplicate")
    verdict = check_eligibility(session.level, _facts(actor, years, education, related_major, number))
    if not verdict.eligible:
        raise Ineligible(verdict.reason, {"eligibility": verdict.reason})
    application = Application(session_id=session.id, user_id=actor.id, status="pending", work_years=years,
                              education=education, related_major=related_major, prior_certificate_number=number,
                              eligibility_note=verdict.reason, exempt_parts=exempt_parts_for(actor.id, session))
    try:
        with db.session.begin_nested():  # a double click racing past the check above hits the unique key
            db.session.add(application)
    except IntegrityError:
        raise Conflict("您已报名该批次", {"session": "不能重复报名"}, code="duplicate") from None
    return application


def staff_register(actor, session: ExamSession, user, *, override_reason: str | None = None, **facts) -> Application:
    """Staff enter an application for someone; with a recorded reason they may admit a person the rules refuse."""
    try:
        return apply(user, session.id, **facts)
    except Ineligible as exc:
        if not (override_reason or "").strip():
            raise
        application = Application(
            session_id=session.id, user_id=user.id, status="pending",
            work_years=Decimal(str(facts.get("work_years", 0))), education=facts.get("education", "none"),
            related_major=facts.get("related_major", False), eligibility_note=f"不符合：{exc.message}",
            prior_certificate_number=(facts.get("prior_certificate_number") or "").strip().upper() or None,
            override_reason=override_reason.strip(), exempt_parts=exempt_parts_for(user.id, session))
        db.session.add(application)
        db.session.flush()
        record_audit("exam_application.override", "exam_application", application.id, reason=override_reason,
                     new={"user_id": user.id, "rule": exc.message})
        return application


def _new_code(session_id: int) -> str:
    taken = set(db.session.execute(select(Application.anonymous_code).where(
        Application.session_id == session_id, Application.anonymous_code.is_not(None))).scalars())
    while True:
        code = f"K{secrets.randbelow(10**6):06d}"
        if code not in taken:
            return code


def decide(actor, application: Application, approve: bool, reason: str | None = None,
           override_reason: str | None = None) -> Application:
    if application.status != "pending":
        raise Conflict("该报名已审核", {"status": "已审核"}, code="wrong_state")
    application.session.ensure_not_published()
    if approve:
        if application.eligibility_note and application.eligibility_note.startswith("不符合") and not (
                application.override_reason or (override_reason or "").strip()):
            raise ValidationFailed("该申请不符合报名条件，如需破格通过请填写理由",
                                   {"override_reason": "请填写破格理由"})
        if override_reason:
            application.override_reason = override_reason.strip()
        application.status = "approved"
        application.anonymous_code = _new_code(application.session_id)
    else:
        application.status = "rejected"
    application.decision_reason = (reason or "").strip() or None
    db.session.flush()
    record_audit("exam_application.approve" if approve else "exam_application.reject", "exam_application",
                 application.id, old={"status": "pending"}, new={"status": application.status},
                 reason=application.decision_reason or application.override_reason)
    notify(application.user_id, f"认定报名{'已通过' if approve else '未通过'}：{application.session.title}",
           application.decision_reason or (ADMITTED_TEXT if approve else None), "/exams/mine",
           kind="exam_application")
    return application


def assign_seats(actor, session: ExamSession, room_size: int, room_prefix: str = "第") -> int:
    """Seat every approved candidate in order of application: rooms of `room_size`, seats 01, 02 ..."""
    if not (1 <= room_size <= 200):
        raise ValidationFailed("每个考场人数应在 1 到 200 之间", {"room_size": "应在 1 到 200 之间"})
    approved = list(db.session.execute(select(Application).where(
        Application.session_id == session.id, Application.status == "approved").order_by(Application.id)).scalars())
    for index, application in enumerate(approved):
        application.room = f"{room_prefix}{index // room_size + 1:02d}考场"
        application.seat = f"{index % room_size + 1:02d}"
    db.session.flush()
    record_audit("exam_session.assign_seats", "exam_session", session.id, new={"candidates": len(approved)})
    return len(approved)


def get_application_for_staff(actor, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound("报名记录不存在")
    get_session_for_staff(actor, application.session_id)
    return application
