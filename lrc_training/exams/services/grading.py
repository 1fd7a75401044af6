"""Blind grading of essay answers by several examiners with arbitration by the chief examiner, and the
on-site practical / review scores."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select

from ...auth.roles import EXAMINER
from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...db import utcnow
from ...extensions import db
from ..models import Application, Attempt, ExamSession, GradingTask, PaperItem, PartScore, QuestionRevision, Response

CLAIM_BATCH = 20


def _decimal(value, upper: Decimal, field: str = "score") -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("分数应为数字", {field: "应为数字"}) from None
    if not (Decimal("0") <= number <= upper):
        raise ValidationFailed(f"分数应在 0 到 {upper} 之间", {field: f"应在 0 到 {upper} 之间"})
    return number


def claimable_answers(examiner):
    """Essay answers in the examiner's organization that still need graders and that they have not graded yet:
    rows of (response id, session id, session title). Unusable for anyone but an examiner with an organization."""
    mine = select(GradingTask.response_id).where(GradingTask.examiner_id == examiner.id)
    graders = (select(GradingTask.response_id, func.count().label("n")).where(GradingTask.is_arbitration.is_(False))
               .group_by(GradingTask.response_id).subquery())
    return (
        select(Response.id, ExamSession.id.label("session_id"), ExamSession.title)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Application, Application.id == Attempt.application_id)
        .join(ExamSession, ExamSession.id == Application.session_id)
        .join(PaperItem, (PaperItem.application_id == Attempt.application_id)
              & (PaperItem.question_id == Response.question_id))
        .outerjoin(graders, graders.c.response_id == Response.id)
        .where(ExamSession.organization_id == examiner.organization_id, ExamSession.state != "published",
               # the chief examiner arbitrates and so is never one of the graders
               or_(ExamSession.chief_examiner_id.is_(None), ExamSession.chief_examiner_id != examiner.id),
               Attempt.status == "submitted", Attempt.voided_at.is_(None), PaperItem.kind == "essay",
               Response.id.not_in(mine),
               func.coalesce(graders.c.n, 0) < ExamSession.examiners_per_paper))


def claim_tasks(examiner) -> None:
    """Give the examiner essay answers that still need graders (never one they already graded)."""
    if not examiner.has_role(EXAMINER) or examiner.organization_id is None:
        return
    rows = db.session.execute(claimable_answers(examiner).order_by(Response.id).limit(CLAIM_BATCH)).all()
    for response_id, _session_id, _title in rows:
        db.session.add(GradingTask(response_id=response_id, examiner_id=examiner.id))
    db.session.flush()


def tasks_for(examiner) -> list[dict]:
    """The examiner's tasks: anonymous code, question, answer, rubric, points — never a name."""
    claim_tasks(examiner)
    rows = db.session.execute(
        select(GradingTask, Response, PaperItem.points, QuestionRevision, Application.anonymous_code,
               ExamSession.title, ExamSession.state)
        .join(Response, Response.id == GradingTask.response_id)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Application, Application.id == Attempt.application_id)
        .join(ExamSession, ExamSession.id == Application.session_id)
        .join(PaperItem, (PaperItem.application_id == Attempt.application_id)
              & (PaperItem.question_id == Response.question_id))
        .join(QuestionRevision, QuestionRevision.id == PaperItem.revision_id)
        .where(GradingTask.examiner_id == examiner.id)
        .order_by(GradingTask.graded_at.is_not(None), GradingTask.id)).all()
    return [{"id": task.id, "anonymous_code": code, "session": title, "question_id": response.question_id,
             "stem": rev.stem, "reference_answer": rev.answer, "rubric": rev.rubric, "points": float(points),
             "answer": response.response or "", "score": float(task.score) if task.score is not None else None,
             "comment": task.comment, "is_arbitration": task.is_arbitration, "locked": state == "published"}
            for task, response, points, rev, code, title, state in rows]


def _finalise(response: Response, session: ExamSession, points: Decimal) -> None:
    """Mean of the graders, unless two differ by more than the threshold: then the chief examiner decides."""
    tasks = list(db.session.execute(select(GradingTask).where(GradingTask.response_id == response.id)).scalars())
    arbitration = [t for t in tasks if t.is_arbitration]
    if arbitration and arbitration[0].score is not None:
        response.score, response.needs_arbitration = arbitration[0].score, False
        return
    scores = [t.score for t in tasks if not t.is_arbitration and t.score is not None]
    needed = session.examiners_per_paper
    if len(scores) < needed:
        response.score = None
        return
    if max(scores) - min(scores) > session.arbitration_share * points:
        response.needs_arbitration, response.score = True, None
        if not arbitration and session.chief_examiner_id:
            existing = db.session.execute(select(GradingTask).where(
                GradingTask.response_id == response.id,
                GradingTask.examiner_id == session.chief_examiner_id)).scalar_one_or_none()
            if existing is None:
                db.session.add(GradingTask(response_id=response.id, examiner_id=session.chief_examiner_id,
                                           is_arbitration=True))
        return
    response.needs_arbitration = False
    response.score = (sum(scores) / len(scores)).quantize(Decimal("0.01"))


def grade(examiner, task_id: int, score, comment: str | None = None) -> GradingTask:
    task = db.session.get(GradingTask, task_id)
    if task is None or task.examiner_id != examiner.id:
        raise NotFound("评分任务不存在")
    response = task.response
    attempt = db.session.get(Attempt, response.attempt_id)
    session = attempt.application.session
    session.ensure_not_published()
    item = db.session.execute(select(PaperItem).where(
        PaperItem.application_id == attempt.application_id,
        PaperItem.question_id == response.question_id)).scalar_one()
    value = _decimal(score, item.points)
    if comment is not None and len(comment) > 2000:
        raise ValidationFailed("评语不能超过 2000 个字符", {"comment": "不能超过 2000 个字符"})
    old = task.score
    task.score, task.comment, task.graded_at = value, comment, utcnow()
    db.session.flush()
    _finalise(response, session, item.points)
    db.session.flush()
    record_audit("essay.grade" if old is None else "essay.regrade", "grading_task", task.id,
                 old={"score": old} if old is not None else None, new={"score": value},
                 reason="仲裁" if task.is_arbitration else None)
    return task


def record_part_score(actor, session: ExamSession, application_id: int, score, part: str = "practical") -> PartScore:
    """The practical (or review) score as the examiner panel recorded it; a later write replaces it (audited)."""
    if not actor.has_role(EXAMINER):
        raise Forbidden("只有考评员可以录入成绩")
    if actor.organization_id != session.organization_id:
        raise NotFound("认定批次不存在")
    if part not in session.parts or part == "theory":
        raise ValidationFailed("本批次没有该考核部分", {"part": "本批次没有该考核部分"})
    application = db.session.get(Application, application_id)
    if application is None or application.session_id != session.id or application.status != "approved":
        raise ValidationFailed("该考生不在本批次的已通过名单中", {"application_id": "考生不存在或未通过审核"})
    session.ensure_not_published()
    value = _decimal(score, Decimal("100"))
    row = db.session.execute(select(PartScore).where(
        PartScore.application_id == application_id, PartScore.part == part)).scalar_one_or_none()
    old = row.score if row else None
    if row is None:
        row = PartScore(application_id=application_id, part=part, score=value, recorded_by_id=actor.id)
        db.session.add(row)
    else:
        row.score, row.recorded_by_id, row.recorded_at = value, actor.id, utcnow()
    db.session.flush()
    record_audit(f"{part}_score.record", "exam_application", application_id,
                 old={"score": old} if old is not None else None, new={"score": value})
    return row


def pending_grading(session: ExamSession) -> int:
    """Essay answers of the session that have no final score yet."""
    return db.session.execute(
        select(func.count()).select_from(Response)
        .join(Attempt, Attempt.id == Response.attempt_id).join(Application, Application.id == Attempt.application_id)
        .join(PaperItem, (PaperItem.application_id == Attempt.application_id)
              & (PaperItem.question_id == Response.question_id))
        .where(Application.session_id == session.id, PaperItem.kind == "essay", Response.score.is_(None))
    ).scalar_one()


def require_not_frozen(session: ExamSession) -> None:
    if session.state == "published":
        raise Conflict("成绩已发布并冻结", {"session": "成绩已发布"}, code="frozen")


def on_site_progress(session: ExamSession) -> dict:
    """For staff: which on-site parts (操作技能考核 / 综合评审) need scores, how many are entered, and the
    organization's examiners who enter them. {"parts": {part: (entered, needed)}, "examiners": [names]}."""
    from ...auth.models import User, UserRole

    parts = [p for p in session.parts if p != "theory"]
    approved = list(db.session.execute(select(Application.id, Application.exempt_parts).where(
        Application.session_id == session.id, Application.status == "approved")).all())
    entered = dict(db.session.execute(
        select(PartScore.part, func.count()).join(Application, Application.id == PartScore.application_id)
        .where(Application.session_id == session.id, Application.status == "approved")
        .group_by(PartScore.part)).all())
    progress = {part: (entered.get(part, 0), sum(1 for _, exempt in approved if part not in (exempt or [])))
                for part in parts}
    examiners = list(db.session.execute(select(User.name).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == EXAMINER, User.organization_id == session.organization_id, User.active.is_(True))
        .order_by(User.name)).scalars())
    return {"parts": progress, "examiners": examiners}
