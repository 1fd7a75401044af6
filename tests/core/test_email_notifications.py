"""Email copies of notifications: queued with the notification, sent by the mail job (an .eml file without SMTP,
SMTP when configured), retried on failure, skipped without an address or when the user turned that kind off; the
settings page; and the kind each trigger uses."""

from __future__ import annotations

import email
import smtplib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate, revoke
from lrc_training.core.mail import MAX_ATTEMPTS, RETRY_AFTER, mail_folder, send_pending_emails
from lrc_training.core.models import Notification
from lrc_training.core.notifications import KINDS, email_kinds, notify, set_email_kinds
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.factories import make_org, make_user


@pytest.fixture
def mailbox(app):
    folder = mail_folder()
    for old in folder.glob("*.eml"):
        old.unlink()
    return folder


def _messages(folder: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))]


def test_a_notification_is_emailed_once_to_the_users_address(app, mailbox):
    user = make_user("trainee", username="lm")
    user.email = "li.ming@example.com"
    notify(user.id, "报名已通过：《劳动合同管理实务》", "请按课程安排准时参加培训。", "/courses/1", kind="enrollment")
    db.session.commit()
    assert send_pending_emails() == 1
    assert send_pending_emails() == 0  # sent once
    [message] = _messages(mailbox)
    assert message["To"] == "li.ming@example.com"
    assert message["Subject"] == "【劳动关系协调师平台】报名已通过：《劳动合同管理实务》"
    body = message.get_content()
    assert "请按课程安排准时参加培训。" in body and "http://127.0.0.1:5000/courses/1" in body
    note = db.session.execute(select(Notification)).scalar_one()
    assert note.email_status == "sent" and note.emailed_at is not None


def test_no_address_or_kind_turned_off_means_no_email(app, mailbox):
    without = make_user("trainee", username="noaddress")
    muted = make_user("trainee", username="muted")
    muted.email = "muted@example.com"
    set_email_kinds(muted.id, set(KINDS) - {"results"})
    notify(without.id, "成绩已发布", kind="results")
    notify(muted.id, "成绩已发布", kind="results")
    notify(muted.id, "证书已签发", kind="certificate")
    db.session.commit()
    assert send_pending_emails() == 1
    assert [m["Subject"] for m in _messages(mailbox)] == ["【劳动关系协调师平台】证书已签发"]
    statuses = sorted(db.session.execute(select(Notification.email_status)).scalars())
    assert statuses == ["sent", "skipped", "skipped"]
    assert email_kinds(muted.id) == set(KINDS) - {"results"}


def test_smtp_is_used_when_configured_and_failures_are_retried_then_given_up(app, monkeypatch, mailbox):
    monkeypatch.setitem(app.config, "LRC_SMTP_HOST", "smtp.example.com")
    monkeypatch.setitem(app.config, "LRC_SMTP_USER", "robot")
    monkeypatch.setitem(app.config, "LRC_SMTP_PASSWORD", "secret")
    sent, failing = [], {"on": True}

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            assert (host, port) == ("smtp.example.com", 587)

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def quit(self):
            pass

        close = quit

        def starttls(self, context=None):
            assert context.check_hostname  # the server's certificate is checked

        def login(self, user, password):
            assert (user, password) == ("robot", "secret")

        def send_message(self, message):
            if failing["on"]:
                raise smtplib.SMTPServerDisconnected("connection lost")
            sent.append(message["To"])

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    user = make_user("trainee", username="smtp")
    user.email = "smtp@example.com"
    notify(user.id, "证书已签发", kind="certificate")
    db.session.commit()
    now = utcnow()
    assert send_pending_emails(now=now) == 0
    note = db.session.execute(select(Notification)).scalar_one()
    assert note.email_status == "pending" and note.email_attempts == 1 and "connection lost" in note.email_error
    failing["on"] = False
    assert send_pending_emails(now=now) == 0  # waits before trying again
    assert send_pending_emails(now=now + RETRY_AFTER[0]) == 1 and sent == ["smtp@example.com"]
    assert not list(mailbox.glob("*.eml"))  # SMTP, not the folder
    failing["on"] = True
    notify(user.id, "证书已撤销", kind="certificate")
    db.session.commit()
    for _ in range(MAX_ATTEMPTS):
        now += timedelta(days=1)
        send_pending_emails(now=now)
    last = db.session.execute(select(Notification).order_by(Notification.id.desc())).scalars().first()
    assert last.email_status == "failed" and last.email_attempts == MAX_ATTEMPTS


def test_a_rolled_back_change_sends_nothing(app, mailbox):
    user = make_user("trainee", username="rollback")
    user.email = "rb@example.com"
    db.session.commit()
    notify(user.id, "不会发出", kind="general")
    db.session.rollback()
    assert send_pending_emails() == 0 and not _messages(mailbox)


def test_unknown_kind_is_a_programming_error(app):
    with pytest.raises(ValueError):
        notify(1, "x", kind="nonsense")


def test_settings_page_saves_kinds_and_sends_address_changes_to_the_profile(app, client):
    user = make_user("trainee", username="settings")
    user.email = "zhang@example.com"
    db.session.commit()
    login(client, "settings")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "接收通知的邮箱" in page and "zhang@example.com" in page and "考试开始前 24 小时提醒" in page
    assert 'href="/profile/contact"' in page  # the address changes there, confirmed by a link
    unknown = post_form(client, "/notifications/settings", {"kinds": ["nonsense"]})
    assert unknown.status_code == 200 and "通知设置已保存" not in unknown.get_data(as_text=True)
    saved = post_form(client, "/notifications/settings", {"email": "evil@example.com", "kinds": ["results", "appeal"]},
                      follow_redirects=True)
    assert "通知设置已保存" in saved.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email == "zhang@example.com"  # a posted address is ignored here
    assert email_kinds(user.id) == {"results", "appeal"}


@pytest.mark.parametrize("trigger, kind", [("issue", "certificate"), ("revoke", "certificate")])
def test_certificate_triggers_use_their_kind(app, trigger, kind):
    org = make_org("认定中心", kind="evaluator")
    holder = make_user("trainee", username="holder")
    cert, _ = issue_certificate(IssueRequest(kind="level", holder_name=holder.name, holder_user_id=holder.id,
                                             id_number=holder.id_number, issuer_organization_id=org.id, level=4,
                                             source_type="manual", source_key="k1"))
    if trigger == "revoke":
        revoke(cert, "信息有误")
    db.session.commit()
    kinds = db.session.execute(select(Notification.kind).where(Notification.user_id == holder.id)).scalars().all()
    assert set(kinds) == {kind}
