"""Email copies of notifications. `notify` only queues them (email_status = pending) in the same transaction as
the change it reports, so a rollback sends nothing and a slow or broken mail server never slows a request. The
`notifications.email` job sends what is queued: through SMTP when LRC_SMTP_HOST is set, otherwise (development)
by writing each message as an .eml file into <instance>/mail/. A failure is retried on later runs, up to
MAX_ATTEMPTS, and the last error is kept on the notification."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, select

from ..auth.models import User
from ..db import utcnow
from ..extensions import db
from .models import EmailOptOut, Notification
from .notifications import KINDS
from .scheduler import register_job

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 200


def mail_folder() -> Path:
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_message(note: Notification, address: str, name: str) -> EmailMessage:
    config = current_app.config
    base = (config.get("LRC_PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/")
    message = EmailMessage()
    message["Subject"] = f"【劳动关系协调员平台】{note.title}"
    message["From"] = config.get("LRC_MAIL_SENDER") or "LRC Training <noreply@localhost>"
    message["To"] = address
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="lrc-training")
    lines = [f"{name}，您好：", "", note.title]
    if note.body:
        lines += ["", note.body]
    if note.link:
        lines += ["", f"查看详情：{base}{note.link}"]
    lines += ["", "——", "劳动关系协调员培训认证平台（本邮件由系统发送，请勿回复）",
              f"不想再收到“{KINDS.get(note.kind, note.kind)}”邮件？请登录后在“通知设置”中关闭：{base}/notifications/settings"]
    message.set_content("\n".join(lines))
    return message


def deliver(message: EmailMessage, note_id: int) -> None:
    """Send through SMTP, or write an .eml file when no SMTP server is configured."""
    config = current_app.config
    host = config.get("LRC_SMTP_HOST")
    if not host:
        path = mail_folder() / f"{utcnow():%Y%m%d-%H%M%S}-{note_id}.eml"
        path.write_bytes(bytes(message))
        return
    with smtplib.SMTP(host, int(config.get("LRC_SMTP_PORT") or 25), timeout=15) as smtp:
        if config.get("LRC_SMTP_TLS"):
            smtp.starttls()
        if config.get("LRC_SMTP_USER"):
            smtp.login(config["LRC_SMTP_USER"], config.get("LRC_SMTP_PASSWORD") or "")
        smtp.send_message(message)


@register_job("notifications.email", seconds=30, description="发送通知邮件")
def send_pending_emails(limit: int = BATCH) -> int:
    """Send queued email copies; returns how many were sent. Each one is committed on its own, so a crash in the
    middle never sends a message twice."""
    rows = db.session.execute(
        select(Notification, User.email, User.name, EmailOptOut.kind)
        .join(User, User.id == Notification.user_id)
        .outerjoin(EmailOptOut, and_(EmailOptOut.user_id == Notification.user_id,
                                     EmailOptOut.kind == Notification.kind))
        .where(Notification.email_status == "pending").order_by(Notification.id).limit(limit)).all()
    sent = 0
    for note, address, name, muted in rows:
        if not address or muted:
            note.email_status = "skipped"
            db.session.commit()
            continue
        try:
            deliver(build_message(note, address, name), note.id)
        except (OSError, smtplib.SMTPException) as exc:
            note.email_attempts += 1
            note.email_error = f"{type(exc).__name__}: {exc}"[:300]
            if note.email_attempts >= MAX_ATTEMPTS:
                note.email_status = "failed"
                log.warning("giving up on email for notification %s: %s", note.id, note.email_error)
            db.session.commit()
            continue
        note.email_status, note.emailed_at = "sent", utcnow()
        note.email_attempts += 1
        db.session.commit()
        sent += 1
    return sent
