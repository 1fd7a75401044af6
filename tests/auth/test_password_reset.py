"""忘记密码: a reset link by email — one answer for every input, the link single-use and short-lived, its token
never stored in clear, every sign-in ended, the owner told."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from lrc_training.auth.models import AccountToken, ApiToken, User
from lrc_training.core.mail import Outbox
from lrc_training.core.models import AuditLog, Notification
from lrc_training.extensions import db, limiter
from tests.auth.mailbox import deliver, empty_mailbox, messages, path_of
from tests.conftest import api_token, login, post_form
from tests.factories import NEW_PASSWORD, make_user

SAME_ANSWER = "如果账号存在，我们已发送邮件"


@pytest.fixture(autouse=True)
def _mailbox():
    empty_mailbox()
    yield
    empty_mailbox()


def user_with_email(username="forgetful", address="forgetful@example.com") -> User:
    user = make_user("trainee", username=username)
    user.email = address
    db.session.commit()
    return user


def ask(client, identifier: str):
    return post_form(client, "/forgot-password", {"identifier": identifier}, follow_redirects=True)


def link_for(client, identifier: str) -> str:
    ask(client, identifier)
    [(to, link)] = deliver()
    return path_of(link)


def test_the_whole_reset_journey(app, client):
    user = user_with_email()
    other_device = app.test_client()
    login(other_device, "forgetful")
    bearer = api_token(app.test_client(), "forgetful")
    assert other_device.get("/profile").status_code == 200

    assert 'href="/forgot-password"' in client.get("/login").get_data(as_text=True)
    answer = ask(client, "forgetful")
    assert answer.status_code == 200 and SAME_ANSWER in answer.get_data(as_text=True)
    assert not messages()  # nothing is sent inside the request: the scheduler's job writes the mail
    [(to, link)] = deliver()
    assert to == "forgetful@example.com"
    body = messages()[0].get_content()
    assert "forgetful" in body and "30 分钟" in body and "只能使用一次" in body

    raw = link.rsplit("/", 1)[1]
    row = db.session.execute(select(AccountToken)).scalar_one()
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in repr(row.__dict__)

    form = client.get(path_of(link))
    assert form.status_code == 200 and "设置新密码" in form.get_data(as_text=True)
    assert form.headers["Referrer-Policy"] == "no-referrer"
    weak = post_form(client, path_of(link), {"password": "abcdefghij", "password_confirm": "abcdefghij"})
    assert "密码不能只由一类字符组成" in weak.get_data(as_text=True)  # the policy applies; the link still works

    done = post_form(client, path_of(link), {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
                     follow_redirects=True)
    assert "新密码已设置" in done.get_data(as_text=True)
    again = client.get(path_of(link))
    assert again.status_code == 404 and "链接无效" in again.get_data(as_text=True)  # single use

    assert other_device.get("/profile").status_code == 302  # signed out everywhere
    assert app.test_client().get("/api/v1/users/me", headers=bearer).status_code == 401
    assert db.session.execute(select(ApiToken.revoked_at)).scalar_one() is not None
    assert "用户名或密码错误" in post_form(app.test_client(), "/login",
                                          {"username": "forgetful", "password": "Passw0rd1"}).get_data(as_text=True)
    assert login(app.test_client(), "forgetful", NEW_PASSWORD).status_code == 302
    actions = db.session.execute(select(AuditLog.action).where(AuditLog.object_id == str(user.id))).scalars().all()
    assert {"auth.password_reset_requested", "user.reset_password_by_email"} <= set(actions)
    titles = db.session.execute(select(Notification.title).where(Notification.user_id == user.id)).scalars().all()
    assert "您的密码已通过邮件链接重置" in titles


@pytest.mark.parametrize("identifier", ["nobody", "no.mail", "nobody@example.com", "not an address@", "x" * 200])
def test_every_answer_is_the_same_and_nothing_is_sent_for_no_account(app, client, identifier):
    user_with_email()
    make_user("trainee", username="no.mail")  # an account without an address gets no mail either
    real = ask(app.test_client(), "forgetful")
    other = ask(client, identifier)
    assert other.status_code == real.status_code == 200
    assert other.get_data(as_text=True).replace(_csrf(other), "") == real.get_data(as_text=True).replace(_csrf(real), "")
    assert [to for to, _ in deliver()] == ["forgetful@example.com"]


def _csrf(response) -> str:
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    return match.group(1) if match else "\0"


def test_the_request_never_talks_to_the_mail_server(app, client, monkeypatch):
    """The answer takes the same path for a real account as for none: no mail server inside the request."""
    user_with_email()

    def no_smtp(*args, **kwargs):
        raise AssertionError("mail sent inside the request")

    monkeypatch.setattr(Outbox, "send", no_smtp)
    assert SAME_ANSWER in ask(client, "forgetful").get_data(as_text=True)
    assert SAME_ANSWER in ask(client, "forgetful@EXAMPLE.com").get_data(as_text=True)


def test_an_email_address_reaches_every_account_it_serves(app, client):
    user_with_email("parent_a", "family@example.com")
    user_with_email("parent_b", "Family@example.com")
    ask(client, "FAMILY@example.com")
    assert sorted(to for to, _ in deliver()) == ["Family@example.com", "family@example.com"]


def test_an_expired_link_is_refused(app, client, time_machine):
    time_machine.move_to("2026-11-26 08:00:00+00:00", tick=False)
    user_with_email()
    path = link_for(client, "forgetful")
    time_machine.move_to("2026-11-26 08:29:00+00:00", tick=False)
    assert client.get(path).status_code == 200
    time_machine.move_to("2026-11-26 08:31:00+00:00", tick=False)
    expired = post_form(client, path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
                        token_from="/login")
    assert expired.status_code == 404 and "链接无效" in expired.get_data(as_text=True)


def test_a_wrong_or_mangled_token_is_refused(app, client):
    user_with_email()
    path = link_for(client, "forgetful")
    for wrong in (path[:-1] + ("A" if path[-1] != "A" else "B"), "/forgot-password/x", "/forgot-password/" + "a" * 300):
        response = client.get(wrong)
        assert response.status_code == 404 and "链接无效" in response.get_data(as_text=True)
    posted = post_form(client, "/forgot-password/nope", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
                       token_from="/login")
    assert posted.status_code == 404


def test_a_link_dies_when_the_password_changes_another_way_or_a_newer_link_is_used(app, client):
    user = user_with_email()
    first = link_for(client, "forgetful")
    empty_mailbox()
    second = link_for(client, "forgetful")
    post_form(client, second, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert client.get(first).status_code == 404  # every open link of the account closes
    empty_mailbox()
    third = link_for(client, "forgetful")
    user.set_password("Another#Pass2026")
    db.session.commit()
    assert client.get(third).status_code == 404


def test_a_deactivated_account_gets_no_mail_and_its_link_fails(app, client):
    user = user_with_email()
    path = link_for(client, "forgetful")
    user.active = False
    db.session.commit()
    assert client.get(path).status_code == 404
    empty_mailbox()
    ask(client, "forgetful")
    assert deliver() == []


def test_requests_are_limited_per_address_and_per_account(app, client):
    user_with_email()
    for _ in range(3):
        ask(app.test_client(), "forgetful")
    assert len(deliver()) == 3
    ask(app.test_client(), "forgetful")  # a fourth link within the hour is not sent (the answer stays the same)
    assert len(deliver()) == 3
    limiter.reset()
    statuses = [post_form(client, "/forgot-password", {"identifier": "nobody"}).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429


def test_the_forgot_page_is_open_to_everyone(app, client):
    assert client.get("/forgot-password").status_code == 200
    assert "用户名或邮箱" in client.get("/forgot-password").get_data(as_text=True)
