"""The area's timed work: the `auth.account_mail` job writes and sends the messages services/account_links.py
queued (reset links, email confirmations). The token is drawn here, when the message is written, and only its hash
is kept; a message that could not be delivered gets a fresh token on its next try. Delivery goes through
core/mail.py (SMTP, or .eml files in <instance>/mail/ without LRC_SMTP_HOST), like the notification copies."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core.access import hash_token
from ..core.mail import Outbox, ServerUnreachable, describe_error, plain_message, public_url, refused_for_good
from ..core.occupation import site_name
from ..core.scheduler import scheduled
from ..db import utcnow
from ..extensions import db
from .models import AccountToken
from .services.account_links import CONFIRM_EMAIL_ROUTE, RESET, RESET_ROUTE, link_lifetime, link_path

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
BATCH = 100


def _minutes(row: AccountToken) -> str:
    minutes = int(link_lifetime(row.purpose).total_seconds() // 60)
    return f"{minutes} 分钟" if minutes < 120 else f"{minutes // 60} 小时"


def account_message(row: AccountToken, token: str):
    user = row.user
    if row.purpose == RESET:
        subject = "重置密码"
        body = [f"有人（希望是您本人）申请重置账号“{user.username}”的密码。请在 {_minutes(row)}内打开下面的链接设置"
                "新密码，链接只能使用一次：", "", public_url(link_path(RESET_ROUTE, token)), "",
                "设置新密码后，所有设备上的登录都会退出。如果不是您本人申请，请忽略本邮件，您的密码不会改变。"]
    else:
        subject = "请确认您的新邮箱"
        body = [f"账号“{user.username}”申请把接收通知的邮箱改为本邮箱。请在 {_minutes(row)}内打开下面的链接确认，"
                "确认之前仍使用原邮箱：", "", public_url(link_path(CONFIRM_EMAIL_ROUTE, token)), "",
                "如果不是您本人申请，请忽略本邮件。"]
    lines = [f"{user.name}，您好：", "", *body, "", "——", f"{site_name()}（本邮件由系统发送，请勿回复）"]
    return plain_message(row.email, subject, lines)


def _skip_reason(row: AccountToken, now: datetime) -> str | None:
    if row.expires_at <= now or row.used_at is not None:
        return "已过时效，未发送"
    if not row.user.active:
        return "账号已停用"
    if current_app.config.get("LRC_MAIL_OFF"):
        return "邮件发送已关闭（LRC_MAIL_OFF）"
    return None


def _failed(row: AccountToken, error: str, *, final: bool = False) -> None:
    row.token_hash = None  # the message never left: its token must not work
    row.mail_attempts += 1
    row.mail_error = error[:300]
    if final or row.mail_attempts >= MAX_ATTEMPTS:
        row.mail_status = "failed"
        log.warning("giving up on account mail %s: %s", row.id, row.mail_error)


@scheduled("auth.account_mail", seconds=15, description="发送找回密码、邮箱验证邮件")
def send_account_mail(limit: int = BATCH, now: datetime | None = None) -> int:
    """Send the queued account links; returns how many were sent. The scheduler runs one copy of a job at a time,
    so no row is sent twice by two processes. Each outcome is committed on its own."""
    now = now or utcnow()
    rows = db.session.execute(select(AccountToken).options(joinedload(AccountToken.user))
                              .where(AccountToken.mail_status == "pending").order_by(AccountToken.id)
                              .limit(limit)).scalars().all()
    sent = 0
    with Outbox(current_app.config) as outbox:
        for row in rows:
            reason = _skip_reason(row, now)
            if reason:
                row.mail_status, row.mail_error = "skipped", reason
                db.session.commit()
                continue
            token = secrets.token_urlsafe(32)
            row.token_hash = hash_token(token)
            try:
                outbox.send(account_message(row, token), f"{row.purpose}-{row.id}")
            except ServerUnreachable as exc:
                _failed(row, str(exc))
                db.session.commit()
                break  # the rest wait for the next run
            except Exception as exc:  # noqa: BLE001 - one bad message must not hold up the others
                _failed(row, describe_error(exc), final=refused_for_good(exc))
            else:
                row.mail_status, row.mailed_at, row.mail_error = "sent", utcnow(), None
                row.mail_attempts += 1
                sent += 1
            db.session.commit()
    return sent
