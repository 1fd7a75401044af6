"""Taking the theory exam: the start inside the window (one INSERT over the paper drawn ahead), a server-side
deadline, answers saved one by one, submission (by the candidate, or by the platform at the deadline) and objective
grading."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import IntegrityError

from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.loading import get_allowed
from ...db import UTCDateTime, utcnow
from ...extensions import db
from ..models import OBJECTIVE_KINDS, Application, Attempt, ExamPaper, ExamSession, PaperItem, QuestionRevision, Response
from .autosave import DISPLAY_KEYS, MAX_ESSAY, answer_shapes
from .papers import bank_snapshot, draw_paper, shown_question, write_papers


def _window_check(opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    if now < opens_at:
        raise ValidationFailed("考试尚未开始", {"session": "考试尚未开始"}, code="not_open")
    if now >= closes_at:
        raise ValidationFailed("考试已结束", {"session": "考试已结束"}, code="closed")


# The start itself: one INSERT of the attempt over the paper drawn ahead (its total from the paper); nothing when
# there is no paper yet or the attempt exists already (a second tab's click). SQL text: SQLAlchemy cannot cache
# an INSERT … ON CONFLICT's compiled form. Same syntax on PostgreSQL and SQLite.
_OPEN_ATTEMPT = text(
    "INSERT INTO exam_attempts (application_id, started_at, deadline, status, total_points) "
    "SELECT :application_id, :now, :deadline, 'in_progress', total_points FROM exam_papers "
    "WHERE application_id = :application_id "
    "ON CONFLICT (application_id) DO NOTHING RETURNING id"
).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("deadline", type_=UTCDateTime()))


# The API's start in one statement on PostgreSQL (start_by_token below): the bearer token, its user's role, the
# approved and not theory-exempt application, the open window and the paper drawn ahead are checked in it.
_START_BY_TOKEN = text(  # noqa: S608 - fixed SQL; every value is a bound parameter
    "WITH started AS (INSERT INTO exam_attempts (application_id, started_at, deadline, status, total_points) "
    "SELECT p.id, :now, LEAST(:now + s.duration_minutes * interval '1 minute', s.closes_at), 'in_progress', "
    "x.total_points FROM api_tokens t JOIN users u ON u.id = t.user_id "
    "JOIN exam_applications p ON p.user_id = t.user_id AND p.session_id = :session_id "
    "JOIN exam_sessions s ON s.id = p.session_id JOIN exam_papers x ON x.application_id = p.id "
    "WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL AND t.expires_at > :now AND u.active "
    "AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = t.user_id AND r.role = ANY(:roles)) "
    "AND p.status = 'approved' AND CAST(p.exempt_parts AS TEXT) NOT LIKE '%\"theory\"%' "
    "AND s.opens_at <= :now AND :now < s.closes_at "
    "ON CONFLICT (application_id) DO NOTHING RETURNING id, application_id, started_at, deadline) "
    "SELECT started.id, started.application_id, started.started_at, started.deadline, x.questions "
    "FROM started JOIN exam_papers x ON x.application_id = started.application_id"
).bindparams(bindparam("now", type_=UTCDateTime()))


@dataclass
class StartedAttempt:
    """An attempt as the start left it, read without loading ORM objects (the API answers from it)."""

    id: int
    application_id: int
    status: str
    started_at: datetime
    deadline: datetime
    objective_score: Decimal | None
    created: bool  # this call started it


def _draw_now(application_id: int, session_id: int) -> None:
    """No paper was drawn ahead (approved after the preparation job ran, or no scheduler): draw it now. A
    concurrent draw for the same application (the job, another tab) wins; its paper is used."""
    # Lock the application so the preparation job and a second tab wait instead of drawing another paper.
    db.session.execute(select(Application.id).where(Application.id == application_id).with_for_update())
    if db.session.execute(select(ExamPaper.id).where(ExamPaper.application_id == application_id)).first():
        return
    session = db.session.get(ExamSession, session_id)
    try:
        with db.session.begin_nested():
            write_papers([draw_paper(application_id, session, bank_snapshot(session))])
    except IntegrityError:
        pass  # drawn meanwhile (SQLite has no row locks): that paper stands


def begin_attempt(user_id: int, session_id: int, now: datetime | None = None) -> StartedAttempt:
    """Start the theory exam, or resume the attempt already started (same paper, same deadline). The paper was
    drawn ahead, so a start is one read and one INSERT."""
    now = now or utcnow()
    row = db.session.execute(
        select(Application.id, Application.status.label("application_status"), Application.exempt_parts,
               ExamSession.opens_at, ExamSession.closes_at, ExamSession.duration_minutes,
               Attempt.id.label("attempt_id"), Attempt.status, Attempt.started_at, Attempt.deadline,
               Attempt.objective_score, Attempt.paused_at)
        .join(ExamSession, ExamSession.id == Application.session_id)
        .outerjoin(Attempt, Attempt.application_id == Application.id)
        .where(Application.session_id == session_id, Application.user_id == user_id)).first()
    if row is None or row.application_status != "approved":
        raise NotFound("没有可参加的考试（报名未通过审核或不存在）")
    if row.attempt_id is None:
        if "theory" in (row.exempt_parts or []):
            raise ValidationFailed("您的理论知识考试成绩在有效期内，本次免考", {"session": "理论免考"}, code="exempt")
        _window_check(row.opens_at, row.closes_at, now)
        deadline = min(now + timedelta(minutes=row.duration_minutes), row.closes_at)
        params = {"application_id": row.id, "now": now, "deadline": deadline}
        attempt_id = db.session.execute(_OPEN_ATTEMPT, params).scalar()
        if attempt_id is None and not _attempt_exists(row.id):
            _draw_now(row.id, session_id)
            attempt_id = db.session.execute(_OPEN_ATTEMPT, params).scalar()
        if attempt_id is not None:
            return StartedAttempt(id=attempt_id, application_id=row.id, status="in_progress", started_at=now,
                                  deadline=deadline, objective_score=None, created=True)
    elif not (row.status == "in_progress" and row.paused_at is None and now > row.deadline):
        return StartedAttempt(id=row.attempt_id, application_id=row.id, status=row.status, started_at=row.started_at,
                              deadline=row.deadline, objective_score=row.objective_score, created=False)
    # Overdue (handed in now) or started by a concurrent click: the stored attempt.
    attempt = db.session.execute(select(Attempt).where(Attempt.application_id == row.id)).scalar_one()
    close_if_overdue(attempt, now)
    return StartedAttempt(id=attempt.id, application_id=row.id, status=attempt.status, started_at=attempt.started_at,
                          deadline=attempt.deadline, objective_score=attempt.objective_score, created=False)


def start_by_token(token_hash: str, roles: tuple[str, ...], session_id: int,
                   now: datetime | None = None) -> tuple[StartedAttempt, str] | None:
    """Start in one statement, committed on its own, on PostgreSQL: (the attempt, the paper's stored JSON) when
    the token is valid, its user holds one of `roles`, the application is approved and not theory-exempt, the
    window is open, a paper was drawn ahead and no attempt exists. None in every other case (SQLite too): the
    caller runs the access check and begin_attempt, which resume, draw or answer with the error."""
    if db.engine.dialect.name != "postgresql":
        return None
    now = now or utcnow()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        row = connection.execute(_START_BY_TOKEN, {"token_hash": token_hash, "roles": list(roles),
                                                   "session_id": session_id, "now": now}).first()
    if row is None:
        return None
    attempt = StartedAttempt(id=row.id, application_id=row.application_id, status="in_progress",
                             started_at=row.started_at.replace(tzinfo=UTC), deadline=row.deadline.replace(tzinfo=UTC),
                             objective_score=None, created=True)
    return attempt, row.questions


def _attempt_exists(application_id: int) -> bool:
    return db.session.execute(select(Attempt.id).where(Attempt.application_id == application_id)).first() is not None


def start_attempt(actor, session_id: int, now: datetime | None = None) -> Attempt:
    """Start the theory exam, or resume the attempt already started (same paper, same deadline)."""
    return db.session.get(Attempt, begin_attempt(actor.id, session_id, now).id)


def get_attempt_for_candidate(actor, attempt_id: int) -> Attempt:
    return get_allowed(Attempt, attempt_id, lambda attempt: attempt.application.user_id == actor.id, "答卷不存在")


def paper_text(application_id: int) -> str | None:
    """The paper as shown, as stored JSON text (None for a paper drawn before papers were stored)."""
    return db.session.execute(select(ExamPaper.questions).where(ExamPaper.application_id == application_id)).scalar()


def paper_for_candidate(attempt) -> list[dict]:
    """The questions as the candidate sees them: never the answer key, options relabelled A, B, C ...
    One row (the paper stored when drawn), or for older papers one statement of plain rows."""
    stored = paper_text(attempt.application_id)
    if stored is not None:
        return json.loads(stored)
    rows = db.session.execute(
        select(PaperItem.question_id, PaperItem.position, PaperItem.kind, PaperItem.points, PaperItem.option_order,
               QuestionRevision.stem, QuestionRevision.options)
        .join(QuestionRevision, QuestionRevision.id == PaperItem.revision_id)
        .where(PaperItem.application_id == attempt.application_id).order_by(PaperItem.position)).all()
    return [shown_question(qid, position, kind, stem, options, option_order, points)
            for qid, position, kind, points, option_order, stem, options in rows]


def saved_responses(attempt: Attempt) -> dict[int, object]:
    return dict(db.session.execute(select(Response.question_id, Response.response).where(
        Response.attempt_id == attempt.id)).all())


def _check_response(item: PaperItem, value) -> object:
    """The value as stored for this question (letters upper-cased, a multiple choice sorted), or 422. The same
    rules as the one-statement save (autosave.answer_shapes), which this path explains when it refuses."""
    shape = answer_shapes(value).get(item.kind)
    if shape is not None and (item.kind not in ("single", "multiple") or shape[1] <= len(item.option_order or [])):
        return shape[0]
    keys = DISPLAY_KEYS[: len(item.option_order or [])]
    if item.kind == "single":
        raise ValidationFailed("单选题答案应为一个选项字母", {"response": f"应为 {'、'.join(keys)} 之一"})
    if item.kind == "multiple":
        raise ValidationFailed("多选题答案应为选项字母的列表", {"response": f"应为 {'、'.join(keys)} 组成的列表"})
    if item.kind == "true_false":
        raise ValidationFailed("判断题答案应为 true 或 false", {"response": "应为 true 或 false"})
    raise ValidationFailed(f"简答题答案应为不超过 {MAX_ESSAY} 字的文本", {"response": "文本过长或类型不对"})


def save_response(attempt: Attempt, question_id: int, value, now: datetime | None = None) -> datetime:
    """Save one answer. Refused after the deadline or submission (409); an unknown question is 404."""
    now = now or utcnow()
    if attempt.status != "in_progress":
        raise Conflict("答卷已提交，不能再修改", {"attempt": "已提交"}, code="submitted")
    if attempt.paused_at is not None:
        raise Conflict("考试已暂停，恢复后可继续作答（时间顺延）", {"attempt": "已暂停"}, code="paused")
    if now > attempt.deadline:
        close_if_overdue(attempt, now)
        raise Conflict("考试时间已到，答案未保存", {"attempt": "已超过截止时间"}, code="deadline_passed")
    item = db.session.execute(select(PaperItem).where(
        PaperItem.application_id == attempt.application_id, PaperItem.question_id == question_id)).scalar_one_or_none()
    if item is None:
        raise NotFound("该题不在您的试卷中")
    clean = _check_response(item, value)
    row = db.session.execute(select(Response).where(
        Response.attempt_id == attempt.id, Response.question_id == question_id)).scalar_one_or_none()
    if row is None:
        db.session.add(Response(attempt_id=attempt.id, question_id=question_id, response=clean, saved_at=now))
    else:
        row.response, row.saved_at = clean, now
    db.session.flush()
    return now


def objective_points_earned(item: PaperItem, answer_key, given, partial: bool) -> Decimal:
    if given is None:
        return Decimal("0")
    if item.kind == "true_false":
        return item.points if given is answer_key else Decimal("0")
    mapping = {DISPLAY_KEYS[i]: key for i, key in enumerate(item.option_order or [])}
    if item.kind == "single":
        return item.points if mapping.get(given) == answer_key else Decimal("0")
    chosen = {mapping.get(k) for k in given}
    correct = set(answer_key)
    if chosen == correct:
        return item.points
    if partial and chosen and chosen <= correct:
        return (item.points * len(chosen) / len(correct)).quantize(Decimal("0.01"))
    return Decimal("0")


def submit(attempt: Attempt, *, by: str = "candidate", now: datetime | None = None) -> Attempt:
    """Close the attempt with what was saved and grade the objective questions. A second submit is 409."""
    now = now or utcnow()
    if now > attempt.deadline:
        by = "platform"  # too late for the candidate: the platform hands in what was saved by the deadline
    # Claim the attempt in one UPDATE so a candidate's click and the deadline job never both grade it.
    claimed = db.session.execute(update(Attempt).where(
        Attempt.id == attempt.id, Attempt.status == "in_progress").values(
        status="submitted", submitted_at=min(now, attempt.deadline), submitted_by=by)).rowcount
    if claimed != 1:
        raise Conflict("答卷已提交", {"attempt": "已提交"}, code="submitted")
    db.session.refresh(attempt)
    session = attempt.application.session
    keys = dict(db.session.execute(select(QuestionRevision.id, QuestionRevision.answer).where(
        QuestionRevision.id.in_([i.revision_id for i in attempt.items]))).all())
    responses = {r.question_id: r for r in db.session.execute(select(Response).where(
        Response.attempt_id == attempt.id)).scalars()}
    score = Decimal("0")
    for item in attempt.items:
        if item.kind not in OBJECTIVE_KINDS:
            continue
        row = responses.get(item.question_id)
        earned = objective_points_earned(item, keys[item.revision_id], row.response if row else None, session.partial_credit)
        if row is not None:
            row.score = earned
        score += earned
    attempt.objective_score = score
    db.session.flush()
    return attempt


def close_if_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """The safety net: an attempt touched after its deadline is submitted with what was saved."""
    now = now or utcnow()
    if attempt.status == "in_progress" and attempt.paused_at is None and now > attempt.deadline:
        try:
            submit(attempt, by="platform", now=now)
        except Conflict:
            db.session.refresh(attempt)
        return True
    return False
