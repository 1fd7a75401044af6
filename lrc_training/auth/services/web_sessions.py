"""Server-side sign-in records: one per device. Starting, loading (with the idle and remember-me limits),
keeping alive, listing and ending them.

The session cookie and the remember-me cookie both carry `<user id>:<password stamp>:<key>`; a request is signed in
only while the record with that key's hash is open, so signing out, a password change or reset, deactivation and
"sign out everywhere" end copied cookies and remember-me cookies too.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.orm import joinedload

from ...core.access import hash_token
from ...db import utcnow
from ...extensions import db
from ..models import User, UserSession

# How often last_seen_at is written: often enough for the idle limit, rarely enough not to write on every click.
TOUCH_EVERY = timedelta(seconds=60)

END_REASONS = {
    "logout": "退出登录",
    "signed_out": "从其他设备退出",
    "password": "密码已修改",
    "reset": "管理员重置密码",
    "reset_link": "通过邮件链接重置密码",
    "deactivated": "账号已停用",
    "idle": "长时间未操作",
    "expired": "保持登录已到期",
}


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["LRC_IDLE_MINUTES"])


def remember_limit() -> timedelta:
    return timedelta(days=current_app.config["LRC_REMEMBER_DAYS"])


def _bind(user: User, row: UserSession, key: str) -> None:
    user._session_row = row
    user._session_key = key


def start_session(user: User, *, remember: bool = False) -> UserSession:
    """Open a record for a sign-in from this request's device; call before login_user()."""
    now = utcnow()
    key = secrets.token_urlsafe(32)
    address = request.remote_addr if has_request_context() else None
    agent = request.user_agent.string if has_request_context() else ""
    row = UserSession(user_id=user.id, key_hash=hash_token(key), created_at=now, last_seen_at=now,
                      remember_until=now + remember_limit() if remember else None,
                      ip_address=(address or "")[:45] or None, user_agent=(agent or "")[:200] or None)
    db.session.add(row)
    _forget_old_records(user.id, now)
    db.session.flush()
    _bind(user, row, key)
    return row


def _forget_old_records(user_id: int, now: datetime) -> None:
    """Records closed longer ago than a remember-me period only grow the table (the audit log keeps sign-ins)."""
    from sqlalchemy import delete

    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_not(None),
        UserSession.ended_at < now - remember_limit()))


def expiry_reason(row: UserSession, now: datetime) -> str | None:
    """Why an open record no longer signs anyone in, or None while it does."""
    if row.remember_until is not None:
        return "expired" if now >= row.remember_until else None
    return "idle" if now - row.last_seen_at >= idle_limit() else None


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's user loader: the user behind a cookie, or None when its record is closed or has run out."""
    user_id, _, rest = session_id.partition(":")
    stamp, _, key = rest.partition(":")
    if not user_id.isdigit() or not stamp or not key:
        return None  # a cookie from before session records, or a forged one
    row = db.session.execute(
        select(UserSession).where(UserSession.key_hash == hash_token(key))
        .options(joinedload(UserSession.user))
    ).scalar_one_or_none()
    if row is None or row.ended_at is not None or row.user_id != int(user_id):
        return None
    user = row.user
    now = utcnow()
    reason = expiry_reason(row, now)
    if not user.active:
        reason = "deactivated"
    elif user.session_stamp != stamp:
        reason = "password"  # the password was set elsewhere (e.g. the CLI) since this sign-in
    if reason:
        row.ended_at, row.end_reason = now, reason  # committed by track_activity (or with the view's work)
        return None
    _bind(user, row, key)
    return user


def track_activity() -> None:
    """Before every page request: load the signed-in user (closing a record that ran out) and record activity
    at most once a minute. Page requests include the exam page's autosave and its clock poll (every 60 s),
    so a candidate who reads a long question without typing stays signed in."""
    from flask_login import current_user

    if request.endpoint == "static" or request.path.startswith("/api/"):
        return  # the API signs in with bearer tokens
    user = current_user._get_current_object()
    row = getattr(user, "login_session", None)
    now = utcnow()
    if row is not None and now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    if db.session.dirty:
        db.session.commit()  # nothing but this bookkeeping is pending before the view runs


def end_session(row: UserSession, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), reason


def end_user_sessions(user: User, reason: str, *, keep: UserSession | None = None) -> int:
    """Close every open record of the user (except `keep`); returns how many were closed."""
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    return db.session.execute(
        stmt.values(ended_at=utcnow(), end_reason=reason).execution_options(synchronize_session="fetch")
    ).rowcount


def open_sessions(user_id: int) -> Select:
    """The user's records that still sign a device in, most recently used first."""
    now = utcnow()
    return (select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None),
                   or_(UserSession.remember_until > now,
                       and_(UserSession.remember_until.is_(None), UserSession.last_seen_at > now - idle_limit())))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc()))


def get_own_session(user: User, session_id: int) -> UserSession | None:
    row = db.session.get(UserSession, session_id)
    return row if row is not None and row.user_id == user.id and row.ended_at is None else None


# -- how a record is shown ------------------------------------------------------

def mask_address(address: str | None) -> str:
    """Enough to recognise a network, not enough to locate a person: 203.0.113.* / 2001:db8:85a3:*."""
    if not address:
        return "未知"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "未知"
    if ip.version == 4:
        return ".".join(address.split(".")[:3]) + ".*"
    return ":".join(ip.exploded.split(":")[:3]) + ":*"


_BROWSERS = (("MicroMessenger", "微信"), ("QQBrowser", "QQ 浏览器"), ("Edg", "Edge"), ("OPR", "Opera"),
             ("Firefox", "Firefox"), ("Chrome", "Chrome"), ("Safari", "Safari"))
_SYSTEMS = (("Windows", "Windows"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
            ("HarmonyOS", "HarmonyOS"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_user_agent(agent: str | None) -> str:
    """"Chrome · Windows" from a user-agent string; '未知设备' when nothing is recognised."""
    agent = agent or ""
    browser = next((name for token, name in _BROWSERS if token in agent), None)
    system = next((name for token, name in _SYSTEMS if token in agent), None)
    parts = [p for p in (browser, system) if p]
    return " · ".join(parts) if parts else ("其他客户端" if agent else "未知设备")
