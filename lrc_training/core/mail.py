"""Email copies of notifications. `notify` only queues them (email_status = pending) in the same transaction as
the change it reports, so a rollback sends nothing and a slow or broken mail server never slows a request. The
`notifications.email` job sends what is queued: through SMTP when LRC_SMTP_HOST is set (one connection per run,
the server's certificate checked), otherwise (development) by writing each message as an .eml file into
<instance>/mail/.

A failed copy waits before its next try (RETRY_AFTER: 1 min, 10 min, 1 h, 6 h) and is given up after MAX_ATTEMPTS,
or at once when the server refuses the address for good (5xx); the last error is kept on the notification. When the
server cannot be reached at all, the rest of the run is not tried against it (each would wait for the timeout): those
copies wait like the first. A copy is marked sent right after the server took it; only a crash between the two
could send it again (never lose it).

Several scheduler processes may run the job at once: each run claims the copies it sends (see `_claim`), so every
copy goes out once. Copies nobody should get any more are skipped: a deactivated account, or a copy past its
`email_expires_at` (an exam reminder once the exam has begun, after a scheduler outage)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, or_, select, update

from ..db import utcnow
from ..extensions import db
from .accounts import accounts
from .models import EmailOptOut, Notification
from .notifications import KINDS
from .occupation import occupation_name, site_name
from .scheduler import node_name, scheduled

log = logging.getLogger(__name__)
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
BATCH = 200
CLAIM_CHUNK = 20  # at most 20 × SMTP_TIMEOUT per claim: well inside LRC_MAIL_CLAIM_MINUTES
SMTP_TIMEOUT = 15


class ServerUnreachable(Exception):
    """Connecting, STARTTLS or logging in failed: nothing can be sent in this run."""


def mail_folder() -> Path:
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _one_line(text: str) -> str:
    # Header values may not contain line breaks (EmailMessage refuses them); titles come from user input.
    return " ".join(text.split())


def public_url(path: str = "") -> str:
    """An absolute link into the site for a message (LRC_PUBLIC_URL, or the development address)."""
    base = (current_app.config.get("LRC_PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/")
    return base + path


def plain_message(address: str, subject: str, lines: list[str]) -> EmailMessage:
    """A plain-text message from the platform to one address; every email (notification copies, account links)
    is built here, so they share the sender, the subject prefix and the headers."""
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = _one_line(f"【{occupation_name()}平台】{subject}")
    message["From"] = config.get("LRC_MAIL_SENDER") or "LRC Training <noreply@localhost>"
    message["To"] = address
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="lrc-training")
    message.set_content("\n".join(lines))
    return message


def build_message(note: Notification, address: str, name: str) -> EmailMessage:
    lines = [f"{name}，您好：", "", note.title]
    if note.body:
        lines += ["", note.body]
    if note.link:
        lines += ["", f"查看详情：{public_url(note.link)}"]
    lines += ["", "——", f"{site_name()}（本邮件由系统发送，请勿回复）",
              f"不想再收到“{KINDS.get(note.kind, note.kind)}”邮件？请登录后在“通知设置”中关闭："
              f"{public_url('/notifications/settings')}"]
    return plain_message(address, note.title, lines)


class Outbox:
    """Delivers the messages of one run: into the mail folder, or over one SMTP connection opened on first use."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, message: EmailMessage, key: int | str) -> None:
        """Deliver one message; `key` names its file in the mail folder (a notification id, "reset-12" …)."""
        if not self.config.get("LRC_SMTP_HOST"):
            path = mail_folder() / f"{utcnow():%Y%m%d-%H%M%S}-{key}.eml"
            path.write_bytes(bytes(message))
            return
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server answered: the connection is still good for the next message
        except Exception:
            self.smtp.close()  # dropped or timed out: the next message connects again
            self.smtp = None
            raise

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port = config["LRC_SMTP_HOST"], int(config.get("LRC_SMTP_PORT") or 587)
        context = ssl.create_default_context()  # smtplib's own default does not check the certificate
        smtp = None
        try:
            if config.get("LRC_SMTP_SSL"):
                smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
            else:
                smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
                if config.get("LRC_SMTP_TLS"):
                    smtp.starttls(context=context)
            if config.get("LRC_SMTP_USER"):
                smtp.login(config["LRC_SMTP_USER"], config.get("LRC_SMTP_PASSWORD") or "")
        except (OSError, smtplib.SMTPException) as exc:
            if smtp is not None:
                smtp.close()
            raise ServerUnreachable(describe_error(exc)) from exc
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def describe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def refused_for_good(exc: BaseException) -> bool:
    """The server said no for good (5xx) to the address or the message: trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def _record_failure(note: Notification, error: str, now: datetime, *, final: bool = False) -> None:
    note.email_attempts += 1
    note.email_error = error[:300]
    if final or note.email_attempts >= MAX_ATTEMPTS:
        note.email_status, note.email_retry_at = "failed", None
        log.warning("giving up on email for notification %s: %s", note.id, note.email_error)
    else:
        note.email_retry_at = now + RETRY_AFTER[note.email_attempts - 1]


def _claim(node: str, now: datetime, limit: int) -> list[int]:
    """Claim up to `limit` due copies for this run and commit, so no other run (another scheduler, a cron `--once`)
    sends them too. PostgreSQL skips rows another run is claiming right now (FOR UPDATE SKIP LOCKED); SQLite has a
    single writer, and one UPDATE statement claims. A claim older than LRC_MAIL_CLAIM_MINUTES belongs to a run that
    died: its copies are due again."""
    expired = now - timedelta(minutes=current_app.config["LRC_MAIL_CLAIM_MINUTES"])
    due = and_(Notification.email_status == "pending",
               or_(Notification.email_retry_at.is_(None), Notification.email_retry_at <= now),
               or_(Notification.email_claimed_at.is_(None), Notification.email_claimed_at <= expired))
    candidates = select(Notification.id).where(due).order_by(Notification.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = db.session.execute(candidates.with_for_update(skip_locked=True)).scalars().all()
        if not candidates:
            db.session.commit()
            return []
    else:
        candidates = candidates.scalar_subquery()
    claimed = db.session.execute(
        update(Notification).where(Notification.id.in_(candidates), due)
        .values(email_claimed_by=node, email_claimed_at=now).returning(Notification.id)
        .execution_options(synchronize_session=False)).scalars().all()
    db.session.commit()
    return sorted(claimed)


def _release(note: Notification) -> None:
    note.email_claimed_by = note.email_claimed_at = None


@scheduled("notifications.email", seconds=30, description="发送通知邮件")
def send_pending_emails(limit: int = BATCH, now: datetime | None = None) -> int:
    """Send the queued email copies that are due; returns how many were sent. Copies are claimed a few at a time
    (CLAIM_CHUNK), so several schedulers share the queue and each copy is sent once; each outcome is committed on
    its own. No failure of one message (a bad header, a refused address, a dropped connection) stops the others.
    Skipped without sending: no address, the kind turned off, a deactivated account, a copy past its use."""
    now = now or utcnow()
    node = f"mail:{node_name()}"
    sent, unreachable, done = 0, None, 0
    with Outbox(current_app.config) as outbox:
        while done < limit and unreachable is None:
            ids = _claim(node, now, min(CLAIM_CHUNK, limit - done))
            if not ids:
                break
            done += len(ids)
            rows = db.session.execute(
                select(Notification, EmailOptOut.kind)
                .outerjoin(EmailOptOut, and_(EmailOptOut.user_id == Notification.user_id,
                                             EmailOptOut.kind == Notification.kind))
                .where(Notification.id.in_(ids)).order_by(Notification.id)).all()
            people = accounts().recipients({note.user_id for note, _ in rows})
            for note, muted in rows:
                person = people.get(note.user_id)
                if person is None or not person.email or muted or not person.active:
                    note.email_status = "skipped"
                elif current_app.config.get("LRC_MAIL_OFF"):
                    note.email_status, note.email_error = "skipped", "邮件发送已关闭（LRC_MAIL_OFF）"
                elif note.email_expires_at is not None and note.email_expires_at <= utcnow():
                    note.email_status, note.email_error = "skipped", "已过时效，未发送"
                elif unreachable:
                    _record_failure(note, unreachable, now)
                else:
                    try:
                        outbox.send(build_message(note, person.email, person.name), note.id)
                    except ServerUnreachable as exc:
                        unreachable = str(exc)
                        log.warning("mail server unreachable: %s", unreachable)
                        _record_failure(note, unreachable, now)
                    except Exception as exc:  # noqa: BLE001 - one bad message must not hold up the queue
                        log.warning("email for notification %s failed", note.id, exc_info=True)
                        _record_failure(note, describe_error(exc), now, final=refused_for_good(exc))
                    else:
                        note.email_status, note.emailed_at, note.email_retry_at = "sent", utcnow(), None
                        note.email_attempts += 1
                        sent += 1
                _release(note)
                db.session.commit()
    return sent
