"""In-site notifications: areas call `notify`; users read them on /notifications (bell in the navbar)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from ..db import utcnow
from ..extensions import db
from .models import Notification


def notify(user_id: int, title: str, body: str | None = None, link: str | None = None,
           kind: str = "general") -> Notification:
    note = Notification(user_id=user_id, title=title[:200], body=body, link=link)
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
