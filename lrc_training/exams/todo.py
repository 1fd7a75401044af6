"""The home page's to-dos from certification (等级认定): a candidate's exam open now or starting soon and
applications awaiting review, an examiner's grading per session, an evaluation organization's applications to
review and results to publish. Each part is one or two statements, whatever the number of sessions."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import func, select

from ..auth.roles import EXAMINER, ORG_STAFF, TRAINEE
from ..core.todo import INFO, NORMAL, NOW, SOON, TodoItem
from ..extensions import db
from .models import Application, Attempt, ExamSession, GradingTask, Response
from .services.grading import claimable_answers

STARTING_SOON = timedelta(hours=24)


def todo_for(user, now: datetime) -> list[TodoItem]:
    items: list[TodoItem] = []
    if user.has_role(TRAINEE):
        items += _exams_to_take(user, now) + _applications_waiting(user)
    if user.has_role(EXAMINER) and user.organization_id:
        items += _grading(user)
    if user.has_role(ORG_STAFF) and user.organization_id:
        items += _applications_to_review(user) + _results_to_publish(user, now)
    return items


def _exams_to_take(user, now: datetime) -> list[TodoItem]:
    """Approved applications whose theory exam is open now or opens within a day, not yet handed in."""
    rows = db.session.execute(
        select(ExamSession.id, ExamSession.title, ExamSession.parts, ExamSession.opens_at, ExamSession.closes_at,
               Application.exempt_parts, Attempt.status, Attempt.deadline)
        .join(Application, Application.session_id == ExamSession.id)
        .outerjoin(Attempt, Attempt.application_id == Application.id)
        .where(Application.user_id == user.id, Application.status == "approved", ExamSession.state == "open",
               ExamSession.closes_at > now, ExamSession.opens_at <= now + STARTING_SOON)).all()
    items = []
    for session_id, title, parts, opens_at, closes_at, exempt, attempt_status, deadline in rows:
        if "theory" not in (parts or []) or "theory" in (exempt or []) or attempt_status == "submitted":
            continue
        link = url_for("exams.candidate_exam", session_id=session_id)
        if attempt_status == "in_progress":
            items.append(TodoItem("理论考试进行中", link, title, deadline, "交卷", NOW, "继续考试"))
        elif opens_at <= now:
            items.append(TodoItem("理论考试已开始", link, title, closes_at, "入场截止", NOW, "进入考试"))
        else:
            items.append(TodoItem("理论考试即将开始", link, title, opens_at, "开考", SOON, "进入考试"))
    return items


def _applications_waiting(user) -> list[TodoItem]:
    rows = db.session.execute(
        select(ExamSession.title).join(Application, Application.session_id == ExamSession.id)
        .where(Application.user_id == user.id, Application.status == "pending")
        .order_by(ExamSession.opens_at)).scalars().all()
    return [TodoItem("认定报名待审核", url_for("exams.mine"), f"{title} · 机构审核后会通知您", urgency=INFO,
                     action="查看") for title in rows]


def _grading(user) -> list[TodoItem]:
    """Answers per session: the examiner's ungraded tasks plus answers still waiting for a grader."""
    counts: dict[int, list] = {}
    assigned = db.session.execute(
        select(ExamSession.id, ExamSession.title, func.count(GradingTask.id))
        .join(Response, Response.id == GradingTask.response_id)
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(Application, Application.id == Attempt.application_id)
        .join(ExamSession, ExamSession.id == Application.session_id)
        .where(GradingTask.examiner_id == user.id, GradingTask.graded_at.is_(None),
               ExamSession.state != "published")
        .group_by(ExamSession.id, ExamSession.title)).all()
    open_answers = claimable_answers(user).subquery()
    waiting = db.session.execute(
        select(open_answers.c.session_id, open_answers.c.title, func.count())
        .group_by(open_answers.c.session_id, open_answers.c.title)).all()
    for session_id, title, n in [*assigned, *waiting]:
        counts.setdefault(session_id, [title, 0])[1] += n
    link = url_for("exams.grading")
    return [TodoItem("阅卷评分", link, f"{title} · 待评 {n} 份答卷", urgency=NORMAL, action="去阅卷")
            for _id, (title, n) in sorted(counts.items())]


def _applications_to_review(user) -> list[TodoItem]:
    rows = db.session.execute(
        select(ExamSession.id, ExamSession.title, ExamSession.applications_close_at, func.count(Application.id))
        .join(Application, Application.session_id == ExamSession.id)
        .where(ExamSession.organization_id == user.organization_id, ExamSession.state == "open",
               Application.status == "pending")
        .group_by(ExamSession.id, ExamSession.title, ExamSession.applications_close_at)).all()
    return [TodoItem("审核认定报名", url_for("exams.session_detail", session_id=session_id),
                     f"{title} · {n} 人待审核", closes_at, "报名截止", NORMAL, "去审核")
            for session_id, title, closes_at, n in rows]


def _results_to_publish(user, now: datetime) -> list[TodoItem]:
    """Sessions whose exam window has ended and whose results are not published yet."""
    rows = db.session.execute(
        select(ExamSession.id, ExamSession.title, ExamSession.closes_at)
        .where(ExamSession.organization_id == user.organization_id, ExamSession.state.in_(("open", "closed")),
               ExamSession.closes_at <= now)).all()
    return [TodoItem("发布认定成绩", url_for("exams.session_detail", session_id=session_id),
                     f"{title} · 考试已结束，成绩待发布", closes_at, "考试结束", NORMAL, "去发布")
            for session_id, title, closes_at in rows]
