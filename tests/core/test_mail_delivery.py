"""How the mail job behaves when things go wrong: a title with a line break, one message that cannot be built, a
refused address, a dropped connection, an unreachable server, waiting between tries; one SMTP connection per run
with the certificate checked (STARTTLS or SSL on 465)."""

from __future__ import annotations

import email
import email.policy
import smtplib
import ssl

import pytest
from sqlalchemy import select

from lrc_training.core import mail
from lrc_training.core.mail import MAX_ATTEMPTS, RETRY_AFTER, mail_folder, send_pending_emails
from lrc_training.core.models import Notification
from lrc_training.core.notifications import notify
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.factories import make_user


class FakeServer:
    """What a fake SMTP server saw and how it should misbehave."""

    def __init__(self):
        self.connections, self.delivered, self.tls_contexts = [], [], []
        self.refuse_connect = None  # an exception raised when connecting
        self.refuse = {}  # address -> SMTP code refusing it
        self.drop_once = set()  # addresses whose send drops the connection (once)


@pytest.fixture
def server(app, monkeypatch):
    state = FakeServer()

    class FakeSMTP:
        def __init__(self, host, port, timeout=None, context=None):
            if state.refuse_connect:
                raise state.refuse_connect
            state.connections.append((type(self).__name__, host, port))
            if context is not None:
                state.tls_contexts.append(context)
            self.open = True

        def starttls(self, context=None):
            state.tls_contexts.append(context)

        def login(self, user, password):
            pass

        def send_message(self, message):
            assert self.open, "sent on a closed connection"
            to = message["To"]
            if to in state.drop_once:
                state.drop_once.discard(to)
                self.open = False
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if to in state.refuse:
                raise smtplib.SMTPRecipientsRefused({to: (state.refuse[to], b"mailbox unavailable")})
            state.delivered.append((to, str(message["Subject"])))

        def quit(self):
            self.open = False

        close = quit

    class FakeSMTPSSL(FakeSMTP):
        pass

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTPSSL)
    monkeypatch.setitem(app.config, "LRC_SMTP_HOST", "smtp.example.com")
    return state


def _person(username: str, address: str):
    user = make_user("trainee", username=username)
    user.email = address
    return user


def _notes() -> dict[int, Notification]:
    return {n.user_id: n for n in db.session.execute(select(Notification)).scalars()}


def test_one_connection_for_the_whole_run_with_the_certificate_checked(server):
    people = [_person(f"p{i}", f"p{i}@example.com") for i in range(3)]
    for person in people:
        notify(person.id, "成绩已发布", kind="results")
    db.session.commit()
    assert send_pending_emails() == 3
    assert server.connections == [("FakeSMTP", "smtp.example.com", 587)]
    [context] = server.tls_contexts
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED


def test_ssl_on_port_465_when_configured(app, server, monkeypatch):
    monkeypatch.setitem(app.config, "LRC_SMTP_SSL", True)
    monkeypatch.setitem(app.config, "LRC_SMTP_PORT", 465)
    person = _person("ssl", "ssl@example.com")
    notify(person.id, "证书已签发", kind="certificate")
    db.session.commit()
    assert send_pending_emails() == 1
    assert server.connections == [("FakeSMTPSSL", "smtp.example.com", 465)]
    assert server.tls_contexts[0].verify_mode == ssl.CERT_REQUIRED


def test_a_refused_address_is_given_up_at_once_a_busy_mailbox_is_retried_and_the_others_still_go(server):
    gone, busy, fine = (_person(u, f"{u}@example.com") for u in ("gone", "busy", "fine"))
    server.refuse = {"gone@example.com": 550, "busy@example.com": 452}
    for person in (gone, busy, fine):
        notify(person.id, "报名已通过", kind="enrollment")
    db.session.commit()
    assert send_pending_emails() == 1
    assert [to for to, _ in server.delivered] == ["fine@example.com"]
    notes = _notes()
    assert (notes[gone.id].email_status, notes[gone.id].email_attempts) == ("failed", 1)
    assert "550" in notes[gone.id].email_error
    assert (notes[busy.id].email_status, notes[busy.id].email_attempts) == ("pending", 1)
    assert notes[fine.id].email_status == "sent"


def test_a_dropped_connection_fails_that_message_only_and_the_next_one_reconnects(server):
    first, second = _person("first", "first@example.com"), _person("second", "second@example.com")
    server.drop_once = {"first@example.com"}
    notify(first.id, "考试提醒", kind="exam_reminder")
    notify(second.id, "考试提醒", kind="exam_reminder")
    db.session.commit()
    now = utcnow()
    assert send_pending_emails(now=now) == 1
    assert len(server.connections) == 2
    assert [to for to, _ in server.delivered] == ["second@example.com"]
    assert send_pending_emails(now=now + RETRY_AFTER[0]) == 1
    assert _notes()[first.id].email_status == "sent" and _notes()[first.id].email_attempts == 2


def test_an_unreachable_server_is_tried_once_per_run_and_every_copy_waits_then_goes(server):
    people = [_person(f"q{i}", f"q{i}@example.com") for i in range(4)]
    for person in people:
        notify(person.id, "证书已撤销", kind="certificate")
    db.session.commit()
    server.refuse_connect = ConnectionRefusedError(111, "Connection refused")
    now = utcnow()
    assert send_pending_emails(now=now) == 0
    assert server.connections == []
    notes = _notes()
    assert {(n.email_status, n.email_attempts) for n in notes.values()} == {("pending", 1)}
    assert all("Connection refused" in n.email_error for n in notes.values())
    assert all(n.email_retry_at == now + RETRY_AFTER[0] for n in notes.values())
    server.refuse_connect = None
    assert send_pending_emails(now=now) == 0  # not due yet
    assert send_pending_emails(now=now + RETRY_AFTER[0]) == 4
    assert len(server.connections) == 1 and len(server.delivered) == 4


def test_tries_wait_longer_each_time_and_stop_at_the_cap(server):
    person = _person("flaky", "flaky@example.com")
    server.refuse = {"flaky@example.com": 421}
    notify(person.id, "成绩复核", kind="results")
    db.session.commit()
    now, tries = utcnow(), 0
    for wait in RETRY_AFTER:
        send_pending_emails(now=now)
        tries += 1
        note = _notes()[person.id]
        assert (note.email_status, note.email_attempts, note.email_retry_at) == ("pending", tries, now + wait)
        send_pending_emails(now=now + wait - (wait / 2))  # too early: nothing happens
        assert _notes()[person.id].email_attempts == tries
        now += wait
    send_pending_emails(now=now)
    note = _notes()[person.id]
    assert (note.email_status, note.email_attempts, note.email_retry_at) == ("failed", MAX_ATTEMPTS, None)
    assert send_pending_emails(now=now + RETRY_AFTER[-1] * 10) == 0 and _notes()[person.id].email_attempts == MAX_ATTEMPTS


def test_a_title_with_a_line_break_is_sent_on_one_subject_line(app):
    for old in mail_folder().glob("*.eml"):
        old.unlink()
    person = _person("newline", "newline@example.com")
    notify(person.id, "竞赛报名已通过：2026 年\n劳动关系协调员职业技能竞赛", kind="competition_registration")
    db.session.commit()
    assert send_pending_emails() == 1
    [path] = mail_folder().glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "【劳动关系协调师平台】竞赛报名已通过：2026 年 劳动关系协调员职业技能竞赛"


def test_a_message_that_cannot_be_built_does_not_hold_up_the_queue(app, monkeypatch):
    bad, good = _person("bad", "bad@example.com"), _person("good", "good@example.com")
    real_build = mail.build_message

    def build(note, address, name):
        if address == "bad@example.com":
            raise UnicodeError("cannot encode")
        return real_build(note, address, name)

    monkeypatch.setattr(mail, "build_message", build)
    notify(bad.id, "证书已签发", kind="certificate")
    notify(good.id, "证书已签发", kind="certificate")
    db.session.commit()
    assert send_pending_emails() == 1
    notes = _notes()
    assert notes[good.id].email_status == "sent"
    assert (notes[bad.id].email_status, notes[bad.id].email_attempts) == ("pending", 1)
    assert "cannot encode" in notes[bad.id].email_error
