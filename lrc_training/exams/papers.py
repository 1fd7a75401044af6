"""Taking the theory exam: a paper drawn per candidate from the blueprint, a server-side deadline,
answers saved one by one, submission (by the candidate, or by the platform at the deadline) and
objective grading."""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.scheduler import register_job
from ..db import utcnow
from ..extensions import db
from .models import OBJECTIVE_KINDS, Application, Attempt, ExamSession, PaperItem, Question, QuestionRevision, Response

DISPLAY_KEYS = "ABCDEFGH"
MAX_ESSAY = 10000


def _pick(session: ExamSession, rng: random.Random) -> list[tuple[dict, int]]:
    """(blueprint row, question id) pairs: distinct questions, rows asking for the same pool share it."""
    pools: dict[tuple, list[int]] = {}
    chosen: list[tuple[dict, int]] = []
    used: set[int] = set()
    for row in session.blueprint:
        key = (row["function_code"], row["kind"], row.get("difficulty"))
        if key not in pools:
            stmt = select(Question.id).where(
                Question.organization_id == session.organization_id, Question.level == session.level,
                Question.active.is_(True), Question.function_code == row["function_code"],
                Question.kind == row["kind"]).order_by(Question.id)
            if row.get("difficulty") is not None:
                stmt = stmt.where(Question.difficulty == row["difficulty"])
            pool = list(db.session.execute(stmt).scalars())
            rng.shuffle(pool)
            pools[key] = pool
        pool = [q for q in pools[key] if q not in used]
        if len(pool) < row["count"]:
            raise ValidationFailed("题库题量不足，无法组卷，请联系考务人员", {"blueprint": "题库题量不足"})
        for question_id in pool[: row["count"]]:
            used.add(question_id)
            chosen.append((row, question_id))
    return chosen


def assemble_paper(attempt: Attempt, session: ExamSession, seed: int | None = None) -> None:
    """Draw this candidate's own paper: different questions and option order, same blueprint."""
    rng = random.Random(seed if seed is not None else secrets.randbits(64))  # noqa: S311 - not security
    picks = _pick(session, rng)
    revisions = dict(db.session.execute(select(Question.id, Question.current_revision_id).where(
        Question.id.in_([qid for _, qid in picks]))).all())
    options = dict(db.session.execute(select(QuestionRevision.id, QuestionRevision.options).where(
        QuestionRevision.id.in_(list(revisions.values())))).all())
    # Keep the blueprint's order of kinds (e.g. single, then true/false), shuffle inside each group.
    groups: dict[str, list] = defaultdict(list)
    for row, qid in picks:
        groups[row["kind"]].append((row, qid))
    order = [kind for kind in ("single", "multiple", "true_false", "essay") if kind in groups]
    position = 0
    total = Decimal("0")
    for kind in order:
        items = groups[kind]
        rng.shuffle(items)
        for row, qid in items:
            position += 1
            opts = options.get(revisions[qid])
            option_order = None
            if kind in ("single", "multiple") and opts:
                option_order = sorted(opts)
                rng.shuffle(option_order)
            points = Decimal(str(row["points_each"]))
            total += points
            attempt.items.append(PaperItem(position=position, question_id=qid, revision_id=revisions[qid], kind=kind,
                                           points=points, option_order=option_order))
    attempt.total_points = total


def _window_check(session: ExamSession, now: datetime) -> None:
    if now < session.opens_at:
        raise ValidationFailed("考试尚未开始", {"session": "考试尚未开始"}, code="not_open")
    if now >= session.closes_at:
        raise ValidationFailed("考试已结束", {"session": "考试已结束"}, code="closed")


def start_attempt(actor, session_id: int, now: datetime | None = None) -> Attempt:
    """Start the theory exam, or resume the attempt already started (same paper, same deadline)."""
    now = now or utcnow()
    application = db.session.execute(select(Application).where(
        Application.session_id == session_id, Application.user_id == actor.id)).scalar_one_or_none()
    if application is None or application.status != "approved":
        raise NotFound("没有可参加的考试（报名未通过审核或不存在）")
    attempt = db.session.execute(select(Attempt).where(
        Attempt.application_id == application.id)).scalar_one_or_none()
    if attempt is not None:
        close_if_overdue(attempt, now)
        return attempt
    session = application.session
    if "theory" in (application.exempt_parts or []):
        raise ValidationFailed("您的理论知识考试成绩在有效期内，本次免考", {"session": "理论免考"}, code="exempt")
    _window_check(session, now)
    attempt = Attempt(application_id=application.id, started_at=now, status="in_progress",
                      deadline=min(now + timedelta(minutes=session.duration_minutes), session.closes_at),
                      total_points=Decimal("0"))
    db.session.add(attempt)
    assemble_paper(attempt, session)
    db.session.flush()
    return attempt


def get_attempt_for_candidate(actor, attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.application.user_id != actor.id:
        raise NotFound("答卷不存在")
    return attempt


def paper_for_candidate(attempt: Attempt) -> list[dict]:
    """The questions as the candidate sees them: never the answer key, options relabelled A, B, C ..."""
    revisions = {r.id: r for r in db.session.execute(select(QuestionRevision).where(
        QuestionRevision.id.in_([i.revision_id for i in attempt.items]))).scalars()}
    paper = []
    for item in attempt.items:
        rev = revisions[item.revision_id]
        options = None
        if item.option_order:
            options = {DISPLAY_KEYS[i]: rev.options[key] for i, key in enumerate(item.option_order)}
        paper.append({"id": item.question_id, "position": item.position, "kind": item.kind, "stem": rev.stem,
                      "options": options, "points": float(item.points)})
    return paper


def saved_responses(attempt: Attempt) -> dict[int, object]:
    return dict(db.session.execute(select(Response.question_id, Response.response).where(
        Response.attempt_id == attempt.id)).all())


def _check_response(item: PaperItem, value) -> object:
    if value is None:
        return None  # clearing an answer
    if item.kind == "single":
        keys = DISPLAY_KEYS[: len(item.option_order or [])]
        if not isinstance(value, str) or value.upper() not in keys:
            raise ValidationFailed("单选题答案应为一个选项字母", {"response": f"应为 {'、'.join(keys)} 之一"})
        return value.upper()
    if item.kind == "multiple":
        keys = DISPLAY_KEYS[: len(item.option_order or [])]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.upper() in keys for v in value):
            raise ValidationFailed("多选题答案应为选项字母的列表", {"response": f"应为 {'、'.join(keys)} 组成的列表"})
        return sorted({v.upper() for v in value})
    if item.kind == "true_false":
        if not isinstance(value, bool):
            raise ValidationFailed("判断题答案应为 true 或 false", {"response": "应为 true 或 false"})
        return value
    if not isinstance(value, str) or len(value) > MAX_ESSAY:
        raise ValidationFailed(f"简答题答案应为不超过 {MAX_ESSAY} 字的文本", {"response": "文本过长或类型不对"})
    return value


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
        PaperItem.attempt_id == attempt.id, PaperItem.question_id == question_id)).scalar_one_or_none()
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


def _objective_score(item: PaperItem, answer_key, given, partial: bool) -> Decimal:
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
        earned = _objective_score(item, keys[item.revision_id], row.response if row else None, session.partial_credit)
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


@register_job("exams.auto_submit", seconds=30, description="到时自动交卷")
def submit_overdue_attempts(now: datetime | None = None) -> int:
    """Submit every attempt past its deadline (idempotent: submitted attempts are skipped)."""
    now = now or utcnow()
    ids = list(db.session.execute(select(Attempt.id).where(
        Attempt.status == "in_progress", Attempt.paused_at.is_(None), Attempt.deadline < now)).scalars())
    done = 0
    for attempt_id in ids:
        attempt = db.session.get(Attempt, attempt_id)
        if close_if_overdue(attempt, now):
            done += 1
        db.session.commit()
    return done
