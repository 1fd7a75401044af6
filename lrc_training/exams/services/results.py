"""Results: part scores out of 100, pass/fail per part and overall, publication (which freezes them),
statistics for the results page, and issuing level certificates for those who passed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...certificates.services.issuing import CertificateSource, IssueRequest, issue_many
from ...core.audit import record_audit
from ...core.errors import Conflict, ValidationFailed
from ...core.notifications import notify
from ...db import utcnow
from ...extensions import db
from ..models import Application, Attempt, ExamSession, PartResult, PartScore, Response
from .attempts import close_if_overdue
from .grading import pending_grading
from .outcomes import application_passed, record_published, record_regrade
from .sessions import get_session_for_staff

HUNDRED = Decimal("100")
RETAKE_TEXT = "您可在“我的认定”中查看各部分成绩；已通过的部分在有效期内（默认两年）补考时免考，只考未通过的部分。"


@dataclass
class ResultRow:
    application_id: int
    user_id: int
    name: str
    anonymous_code: str | None
    scores: dict[str, Decimal | None] = field(default_factory=dict)
    passed_parts: dict[str, bool | None] = field(default_factory=dict)
    exempt: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(v is not None for k, v in self.passed_parts.items())

    @property
    def passed(self) -> bool | None:
        if not self.complete:
            return None
        return all(self.passed_parts.values())

    def as_json(self) -> dict:
        def num(v):
            return float(v) if v is not None else None

        return {"application_id": self.application_id, "user_id": self.user_id,
                "theory": num(self.scores.get("theory")), "practical": num(self.scores.get("practical")),
                "review": num(self.scores.get("review")), "passed": self.passed,
                "parts_passed": self.passed_parts, "exempt_parts": self.exempt}


def compute_results(session: ExamSession) -> list[ResultRow]:
    """Every approved candidate's scores, in a fixed number of queries."""
    applications = list(db.session.execute(select(Application).options(joinedload(Application.user)).where(
        Application.session_id == session.id, Application.status == "approved").order_by(Application.id)).scalars())
    ids = [a.id for a in applications]
    attempts = {a.application_id: a for a in db.session.execute(
        select(Attempt).where(Attempt.application_id.in_(ids))).scalars()} if ids else {}
    essay_totals = dict(db.session.execute(
        select(Response.attempt_id, func.coalesce(func.sum(Response.score), 0))
        .where(Response.attempt_id.in_([a.id for a in attempts.values()]))
        .group_by(Response.attempt_id)).all()) if attempts else {}
    pending = dict(db.session.execute(
        select(Response.attempt_id, func.count()).where(
            Response.attempt_id.in_([a.id for a in attempts.values()]), Response.score.is_(None))
        .group_by(Response.attempt_id)).all()) if attempts else {}
    part_scores = {(p.application_id, p.part): p.score for p in db.session.execute(
        select(PartScore).where(PartScore.application_id.in_(ids))).scalars()} if ids else {}
    rows = []
    for application in applications:
        row = ResultRow(application.id, application.user_id, application.user.name, application.anonymous_code,
                        exempt=list(application.exempt_parts or []))
        for part in session.parts:
            if part in row.exempt:
                row.scores[part], row.passed_parts[part] = None, True
                continue
            if part == "theory":
                attempt = attempts.get(application.id)
                if attempt is None:  # absent: 0 once the exam window has closed
                    score = Decimal("0") if utcnow() >= session.closes_at else None
                elif attempt.status != "submitted" or pending.get(attempt.id):
                    score = None  # still writing, or essays not yet graded
                else:
                    earned = Decimal(str(essay_totals.get(attempt.id, 0)))  # objective + essay response scores
                    score = (earned / attempt.total_points * HUNDRED).quantize(Decimal("0.01")) \
                        if attempt.total_points else Decimal("0")
            else:
                score = part_scores.get((application.id, part))
            row.scores[part] = score
            row.passed_parts[part] = None if score is None else score >= session.pass_mark_for(part)
        rows.append(row)
    return rows


def statistics(rows: list[ResultRow], session: ExamSession) -> dict:
    """Pass rates and a 10-point score distribution per part, for the results page's table and chart."""
    stats = {"candidates": len(rows), "passed": sum(1 for r in rows if r.passed), "parts": {}}
    for part in session.parts:
        scores = [r.scores[part] for r in rows if r.scores.get(part) is not None]
        buckets = [0] * 10
        for s in scores:
            buckets[min(9, int(s // 10))] += 1
        stats["parts"][part] = {
            "count": len(scores), "passed": sum(1 for s in scores if s >= session.pass_mark_for(part)),
            "average": (sum(scores) / len(scores)).quantize(Decimal("0.01")) if scores else None,
            "buckets": buckets}
    stats["pass_rate"] = round(stats["passed"] * 100 / len(rows), 1) if rows else None
    return stats


def publish(actor, session: ExamSession) -> list[ResultRow]:
    """Make results visible to candidates and freeze them; every score must be final first."""
    if session.state == "published":
        raise Conflict("成绩已发布", {"session": "已发布"}, code="frozen")
    if utcnow() < session.closes_at and db.session.execute(select(func.count()).select_from(Attempt).join(
            Application).where(Application.session_id == session.id, Attempt.status == "in_progress")).scalar_one():
        raise Conflict("仍有考生在答题，请在考试结束后发布", {"session": "考试进行中"}, code="wrong_state")
    for attempt in db.session.execute(select(Attempt).join(Application).where(
            Application.session_id == session.id, Attempt.status == "in_progress")).scalars():
        close_if_overdue(attempt)  # don't wait for the scheduler's next run
    if pending_grading(session):
        raise ValidationFailed("仍有简答题未完成评分或待仲裁，不能发布", {"session": "评分未完成"})
    rows = compute_results(session)
    missing = [r.name for r in rows if not r.complete]
    if missing:
        raise ValidationFailed(f"尚有 {len(missing)} 名考生的成绩不完整（如操作技能成绩未录入），不能发布",
                               {"session": "成绩不完整：" + "、".join(missing[:5])})
    session.publish()
    valid_until = utcnow() + timedelta(days=365 * session.part_validity_years)
    for row in rows:
        for part, passed in row.passed_parts.items():
            if part in row.exempt:
                continue
            db.session.add(PartResult(application_id=row.application_id, user_id=row.user_id, level=session.level,
                                      part=part, score=row.scores[part], passed=bool(passed),
                                      valid_until=valid_until if passed else None))
        passed_text = "恭喜，您已通过本次认定。" if session.issues_certificates else \
            "您已通过本批次的全部考核部分。" + (session.certificate_notice or "")
        notify(row.user_id, f"成绩已发布：{session.title}", passed_text if row.passed else RETAKE_TEXT,
               "/exams/mine", kind="results")
    db.session.flush()
    record_published([(row.user_id, row.passed) for row in rows], session.published_at or utcnow())
    record_audit("exam_session.publish", "exam_session", session.id,
                 new={"candidates": len(rows), "passed": sum(1 for r in rows if r.passed)})
    return rows


def issue_session_certificates(actor, session_id: int) -> list:
    """The exam-session source for the certificates area: a level certificate for everyone who passed."""
    session = get_session_for_staff(actor, session_id)
    if not session.issues_certificates:
        raise ValidationFailed(session.certificate_notice, {"exam_session_id": session.certificate_notice},
                               code="incomplete_parts")
    if session.state != "published":
        raise Conflict("成绩发布后才能签发证书", {"exam_session_id": "成绩尚未发布"}, code="wrong_state")
    requests = []
    for row in compute_results(session):
        if not row.passed:
            continue
        application = db.session.get(Application, row.application_id)
        user = application.user
        requests.append(IssueRequest(
            kind="level", holder_name=user.name, holder_user_id=user.id, id_number=user.id_number,
            issuer_organization_id=session.organization_id, level=session.level, source_type="exam_session",
            source_id=str(session.id), source_key=f"exam_session:{session.id}:application:{application.id}"))
    return issue_many(requests, actor_id=actor.id)


CERTIFICATE_SOURCE = CertificateSource("exam_session", issue_session_certificates)


def regrade_after_publication(actor, session: ExamSession, application_id: int, part: str, score,
                              reason: str) -> PartResult:
    """The one way to change a published score: the session's chief examiner re-grades a practical or review
    part with a recorded reason; the part result, pass/fail and the audit log follow."""
    if session.state != "published":
        raise Conflict("成绩尚未发布，请直接修改成绩", {"session": "未发布"}, code="wrong_state")
    if actor.id != session.chief_examiner_id:
        raise Conflict("只有本批次的主考评员可以复核已发布的成绩", {"actor": "不是主考评员"}, code="forbidden")
    if part not in ("practical", "review") or part not in session.parts:
        raise ValidationFailed("只能复核操作技能考核或综合评审成绩", {"part": "取值无效"})
    if not (reason or "").strip():
        raise ValidationFailed("复核须填写理由", {"reason": "必填"})
    try:
        value = Decimal(str(score)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("分数应为数字", {"score": "应为数字"}) from None
    if not (Decimal("0") <= value <= HUNDRED):
        raise ValidationFailed("分数应在 0 到 100 之间", {"score": "应在 0 到 100 之间"})
    result = db.session.execute(select(PartResult).where(
        PartResult.application_id == application_id, PartResult.part == part)).scalar_one_or_none()
    row = db.session.execute(select(PartScore).where(
        PartScore.application_id == application_id, PartScore.part == part)).scalar_one_or_none()
    if result is None or row is None:
        raise ValidationFailed("该考生没有此部分的已发布成绩", {"application_id": "无已发布成绩"})
    old = {"score": result.score, "passed": result.passed}
    passed_before = application_passed(application_id)
    row.score, row.recorded_by_id, row.recorded_at = value, actor.id, utcnow()
    result.score, result.passed = value, value >= session.pass_mark_for(part)
    result.valid_until = (result.published_at + timedelta(days=365 * session.part_validity_years)
                          if result.passed else None)
    db.session.flush()
    record_regrade(result.user_id, result.published_at, passed_before, application_passed(application_id))
    record_audit(f"{part}_score.regrade", "exam_application", application_id, old=old,
                 new={"score": value, "passed": result.passed}, reason=reason.strip())
    application = db.session.get(Application, application_id)
    notify(application.user_id, f"成绩复核：{session.title}", f"您的成绩经主考评员复核后调整为 {value} 分。", "/exams/mine",
           kind="results")
    return result
