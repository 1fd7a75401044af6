"""Notifications: areas call `notify`; users read them on /notifications (bell in the navbar) and, when they gave
an email address and did not turn that kind off, receive a copy by email (sent by the `notifications.email` job in
the scheduler process, never inside a request — see core/mail.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update

from ..db import utcnow
from ..extensions import db
from .models import EmailOptOut, Notification

# Every kind of notification, as users choose them on the settings page.
KINDS = {
    "enrollment": "报名培训的审核结果、候补转正",
    "exam_application": "认定报名的审核结果",
    "exam_reminder": "考试开始前 24 小时提醒",
    "results": "成绩与竞赛结果公布、竞赛奖励",
    "certificate": "证书签发与撤销",
    "competition_registration": "竞赛报名审核、晋级",
    "judge_assignment": "裁判任务与评分表重新开放",
    "appeal": "竞赛申诉及其处理结果",
    "risk_report": "辖区内企业的重大劳动关系风险隐患报告",
    "selection": "评选：评审任务、推荐结果和评选结果",
    "report": "报表上报、退回与审核通过",
    "general": "其他通知",
}


def notify(user_id: int, title: str, body: str | None = None, link: str | None = None,
           kind: str = "general", email_until: datetime | None = None) -> Notification:
    """Add an in-site notification, and queue its email copy (the mail job checks the address and preferences).
    `email_until`: the copy is pointless from then on (the mail job skips it instead of sending it late)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    note = Notification(user_id=user_id, title=title[:200], body=body, link=link, kind=kind, email_status="pending",
                        email_expires_at=email_until)
    db.session.add(note)
    return note


def unread_count(user_id: int) -> int:
    return db.session.execute(
        select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()


def notifications_of(user_id: int):
    return select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc())


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) notification of the user as read; returns how many changed."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount


def email_kinds(user_id: int) -> set[str]:
    """The kinds the user receives by email (all, unless turned off)."""
    muted = set(db.session.execute(select(EmailOptOut.kind).where(EmailOptOut.user_id == user_id)).scalars())
    return set(KINDS) - muted


def set_email_kinds(user_id: int, wanted: set[str]) -> None:
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown notification kinds {sorted(unknown)}")
    db.session.execute(delete(EmailOptOut).where(EmailOptOut.user_id == user_id))
    db.session.add_all(EmailOptOut(user_id=user_id, kind=kind) for kind in sorted(set(KINDS) - wanted))
    db.session.flush()
