"""Exam reminders: 24 hours before a session's window opens, every approved candidate gets one reminder (in-site,
and by email unless turned off). The job runs every few minutes and is idempotent: an application is reminded once
for a given start time (`reminded_at`, `reminder_opens_at`); a candidate approved, or a session created, less than
24 hours before the window still gets one before it opens. When staff move the session to another time after the
reminder went out, the candidate is reminded again of the new time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ..core.notifications import notify
from ..core.scheduler import register_job
from ..core.timeutil import to_local
from ..db import utcnow
from ..extensions import db
from .models import Application, ExamSession

AHEAD = timedelta(hours=24)


@register_job("exams.reminders", seconds=300, description="考试开始前 24 小时提醒考生")
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
