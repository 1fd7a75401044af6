"""Applying for an exam session: eligibility with the reason shown, staff decisions and overrides,
exemption of parts passed recently, anonymous codes, rooms and seats."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from ...auth.roles import TRAINEE
from ...certificates.models import Certificate
from ...certificates.services.issuing import find_by_number
from ...core.audit import record_audit
from ...core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ...core.levels import LEVEL_NAMES
from ...core.notifications import notify
from ...core.timeutil import to_local
from ...courses.queries import completed_course_levels
from ...db import utcnow
from ...extensions import db
from ..models import Application, ExamSession, PartResult
from .eligibility import EDUCATION_LABELS, Facts, HeldCertificate, check_eligibility, full_years
from .sessions import get_session_for_staff

ADMITTED_TEXT = "请按时参加考试，准考证可在“我的认定”中下载。"


class Ineligible(DomainError):
    status = 422
    code = "ineligible"


STANDARD_NUMBER = re.compile(r"^[YS]\d{21}$")  # letter + org + province + site + year + level + serial


@dataclass
class Declared:
    """What an application states, checked: the values stored on it and the facts the rules read."""

    work_years: Decimal
    work_started_on: date | None
    education: str
    related_major: bool
    prior_certificate_number: str | None
    prior_certificate_issued_on: date | None
    prior_certificate_level: int | None
    facts: Facts

    def columns(self) -> dict:
        return {"work_years": self.work_years, "work_started_on": self.work_started_on, "education": self.education,
                "related_major": self.related_major, "prior_certificate_number": self.prior_certificate_number,
                "prior_certificate_issued_on": self.prior_certificate_issued_on,
                "prior_certificate_level": self.prior_certificate_level}


def application_date() -> date:
    """Eligibility is judged as of the day of application, in the platform's time zone."""
    return to_local(utcnow()).date()


def _platform_certificates(user) -> list[HeldCertificate]:
    rows = db.session.execute(select(Certificate.level, Certificate.issued_on).where(
        Certificate.holder_user_id == user.id, Certificate.kind == "level", Certificate.status == "valid")).all()
    return [HeldCertificate(level, issued_on) for level, issued_on in rows]


def _date(value, name: str, label: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = f"{label}格式应为 年-月-日，如 2019-06-01"
        return None


def _prior_certificate(user, number: str | None, issued_on: date | None, level: int | None, for_level: int,
                       on: date, errors: dict, certificates: list[HeldCertificate]) -> tuple[date | None, int | None]:
    """Check the certificate the applicant names: one issued here is known (its level and date, and it must be
    theirs and valid); one issued elsewhere needs its date, and its level unless the standard number carries it.
    Adds it to `certificates` when it counts; returns its issue date and level."""
    if number and len(number) > 40:
        errors["prior_certificate_number"] = "证书编号过长"
    elif number:
        cert = find_by_number(number)
        if cert is not None:  # issued here: the platform knows its level and date
            if cert.kind != "level" or not (cert.holder_user_id == user.id or (
                    cert.id_number and cert.id_number == user.id_number)):
                errors["prior_certificate_number"] = "该编号不是您本人的职业技能等级证书"
            elif cert.status != "valid":
                errors["prior_certificate_number"] = "该证书已撤销，不能作为申报依据"
            else:
                certificates.append(HeldCertificate(cert.level, cert.issued_on))
                issued_on, level = cert.issued_on, cert.level
        else:  # issued elsewhere: the applicant states its date (and level), staff check the paper
            if STANDARD_NUMBER.match(number):
                coded = int(number[15])
                if coded not in (1, 2, 3, 4):
                    errors["prior_certificate_number"] = "证书编号中的等级位应为 1 到 4"
                elif level is not None and level != coded:
                    errors["prior_certificate_level"] = f"与证书编号中的等级（{LEVEL_NAMES[coded]}）不一致"
                level = level or coded
            if level is None and "prior_certificate_level" not in errors and for_level < 4:
                errors["prior_certificate_level"] = "请选择该证书的等级"
            if issued_on is None and "prior_certificate_issued_on" not in errors and for_level < 4:
                errors["prior_certificate_issued_on"] = "非本平台签发的证书请填写发证日期"
            elif issued_on and not (date(1990, 1, 1) <= issued_on <= on):
                errors["prior_certificate_issued_on"] = "发证日期应在 1990-01-01 到今天之间"
            if level and issued_on and not errors:
                certificates.append(HeldCertificate(level, issued_on))
    elif issued_on or level:
        errors["prior_certificate_number"] = "填写了发证日期或等级，请同时填写证书编号"
    return issued_on, level


def declare(user, *, work_years=None, work_started_on=None, education: str = "none", related_major: bool = False,
            prior_certificate_number: str | None = None, prior_certificate_issued_on=None,
            prior_certificate_level=None, for_level: int = 3, on: date | None = None) -> Declared:
    """Check what the applicant states and gather the facts: certificates issued on the platform are known
    (number and issue date); a certificate issued elsewhere needs its issue date, and its level when the number
    is not a standard 22-character one (asked only when `for_level` builds on a certificate, i.e. 3 and up).
    A work start date decides over declared work years."""
    on = on or application_date()
    errors: dict[str, str] = {}
    started = _date(work_started_on, "work_started_on", "参加工作日期", errors)
    if started and not (date(on.year - 60, 1, 1) <= started <= on):
        errors["work_started_on"] = "参加工作日期不能晚于今天，也不能早于 60 年前"
    years = Decimal("0")
    if started is None and work_years not in (None, ""):
        try:
            years = Decimal(str(work_years)).quantize(Decimal("0.1"))
            if not (Decimal("0") <= years <= Decimal("60")):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["work_years"] = "应为 0 到 60 之间的数字"
    if education not in EDUCATION_LABELS:
        errors["education"] = "取值无效"
    number = (prior_certificate_number or "").strip().upper() or None
    issued_on = _date(prior_certificate_issued_on, "prior_certificate_issued_on", "发证日期", errors)
    level = prior_certificate_level if prior_certificate_level not in (None, "") else None
    if level is not None and (not isinstance(level, int) or isinstance(level, bool) or level not in (1, 2, 3, 4)):
        errors["prior_certificate_level"] = "证书等级应为 4、3、2 或 1"
        level = None
    certificates = _platform_certificates(user)
    issued_on, level = _prior_certificate(user, number, issued_on, level, for_level, on, errors, certificates)
    if errors:
        raise ValidationFailed("报名信息有误：" + "；".join(errors.values()), errors)
    if started is not None:
        years = Decimal(full_years(started, on))
    courses = completed_course_levels(user.id)
    facts = Facts(work_years=years, work_started_on=started, education=education, related_major=related_major,
                  certificates=tuple(certificates), completed_course_levels=courses)
    return Declared(years, started, education, related_major, number, issued_on, level, facts)


def exempt_parts_for(user_id: int, session: ExamSession) -> list[str]:
    """Parts of this level the person passed in an earlier session that are still valid when this session's
    exam starts (each passed part carries its own end of validity): they retake only the rest."""
    moment = max(utcnow(), session.opens_at)
    rows = db.session.execute(select(PartResult.part).where(
        PartResult.user_id == user_id, PartResult.level == session.level, PartResult.passed.is_(True),
        or_(PartResult.valid_until >= moment, and_(  # rows recorded without an end: this session's validity
            PartResult.valid_until.is_(None),
            PartResult.published_at >= moment - timedelta(days=365 * session.part_validity_years))))).scalars()
    return sorted(set(rows) & set(session.parts))


def _open_session(session_id: int) -> ExamSession:
    session = db.session.get(ExamSession, session_id)
    if session is None or session.state == "draft":
        raise NotFound("认定批次不存在")
    if session.state != "open" or utcnow() > session.applications_close_at:
        raise ValidationFailed("该批次报名已截止", {"session": "报名已截止"}, code="closed")
    return session


def apply(actor, session_id: int, **stated) -> Application:
    """Apply for a session. `stated`: work_years and/or work_started_on, education, related_major,
    prior_certificate_number, prior_certificate_issued_on, prior_certificate_level (see declare)."""
    if not actor.has_role(TRAINEE):
        raise Forbidden("只有学员可以报名认定")
    session = _open_session(session_id)
    declared = declare(actor, for_level=session.level, **stated)
    existing = db.session.execute(select(Application).where(
        Application.session_id == session.id, Application.user_id == actor.id)).scalar_one_or_none()
    if existing is not None:
        raise Conflict("您已报名该批次", {"session": "不能重复报名"}, code="duplicate")
    verdict = check_eligibility(session.level, declared.facts, application_date())
    if not verdict.eligible:
        raise Ineligible(verdict.reason, {"eligibility": verdict.reason})
    application = Application(session_id=session.id, user_id=actor.id, status="pending",
                              eligibility_note=verdict.reason, exempt_parts=exempt_parts_for(actor.id, session),
                              **declared.columns())
    try:
        with db.session.begin_nested():  # a double click racing past the check above hits the unique key
            db.session.add(application)
    except IntegrityError:
        raise Conflict("您已报名该批次", {"session": "不能重复报名"}, code="duplicate") from None
    return application


def staff_register(actor, session: ExamSession, user, *, override_reason: str | None = None, **stated) -> Application:
    """Staff enter an application for someone; with a recorded reason they may admit a person the rules refuse."""
    try:
        return apply(user, session.id, **stated)
    except Ineligible as exc:
        if not (override_reason or "").strip():
            raise
        declared = declare(user, for_level=session.level, **stated)
        application = Application(
            session_id=session.id, user_id=user.id, status="pending", eligibility_note=f"不符合：{exc.message}",
            override_reason=override_reason.strip(), exempt_parts=exempt_parts_for(user.id, session),
            **declared.columns())
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
