"""The exams area's timed work: each job is idempotent (a state check or a claimed row makes a second run a no-op)
and commits per unit of work, calling the same services the pages and the API use.

exams.auto_submit     every 30 s: hand in attempts past their deadline with what was saved
exams.prepare_papers  every minute: draw papers ahead for sessions opening within LRC_PAPER_LEAD_MINUTES
exams.reminders       every 5 min: remind approved candidates 24 hours before a session opens, once per start time
                      (`reminded_at`, `reminder_opens_at`); a candidate approved, or a session created, less than
                      24 hours before still gets one, and moving the session reminds again of the new time
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from ..core.notifications import notify
from ..core.scheduler import scheduled
from ..core.timeutil import to_local
from ..db import utcnow
from ..extensions import db
from .models import Application, Attempt, ExamSession
from .services.attempts import close_if_overdue
from .services.preparation import prepare_session_papers

AHEAD = timedelta(hours=24)


@scheduled("exams.reminders", seconds=300, description="考试开始前 24 小时提醒考生")
def send_exam_reminders(now: datetime | None = None) -> int:
    """Remind approved candidates of sessions opening within the next 24 hours; returns how many were reminded."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Application.id, Application.user_id, Application.room, Application.seat, Application.reminded_at,
               ExamSession.title, ExamSession.opens_at)
        .join(ExamSession, ExamSession.id == Application.session_id)
        .where(ExamSession.state == "open", ExamSession.opens_at > now, ExamSession.opens_at <= now + AHEAD,
               Application.status == "approved",
               or_(Application.reminded_at.is_(None), Application.reminder_opens_at != ExamSession.opens_at))
        .order_by(ExamSession.opens_at, Application.id)).all()
    reminded = 0
    for application_id, user_id, room, seat, reminded_before, title, opens_at in rows:
        # Claim the application first: two scheduler runs overlapping never remind twice.
        claimed = db.session.execute(update(Application).where(
            Application.id == application_id,
            or_(Application.reminded_at.is_(None), Application.reminder_opens_at != opens_at),
        ).values(reminded_at=now, reminder_opens_at=opens_at)).rowcount
        if claimed != 1:
            continue
        place = f"，考场 {room} 座位 {seat}" if room and seat else ""
        moved = "（时间已调整）" if reminded_before else ""
        notify(user_id, f"考试提醒{moved}：{title}",
               f"考试将于 {to_local(opens_at):%Y-%m-%d %H:%M} 开始{place}。请提前做好准备，携带身份证件；"
               f"在线理论考试请在开考后从“我的认定”进入。", "/exams/mine", kind="exam_reminder",
               email_until=opens_at)  # no email once the exam has begun (a scheduler outage)
        reminded += 1
    db.session.commit()
    return reminded


@scheduled("exams.auto_submit", seconds=30, description="到时自动交卷")
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


@scheduled("exams.prepare_papers", seconds=60, description="考前预先组卷（开考时只需一次写入）")
def prepare_upcoming_papers(now: datetime | None = None) -> int:
    """Papers for every open session whose window opens within LRC_PAPER_LEAD_MINUTES or is open now."""
    now = now or utcnow()
    lead = timedelta(minutes=current_app.config["LRC_PAPER_LEAD_MINUTES"])
    sessions = list(db.session.execute(select(ExamSession).where(
        ExamSession.state == "open", ExamSession.opens_at <= now + lead, ExamSession.closes_at > now)).scalars())
    drawn = 0
    for session in sessions:
        drawn += prepare_session_papers(session, now)
        db.session.commit()
    return drawn
