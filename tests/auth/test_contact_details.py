"""Editing one's own phone and email: the current password first, a new email confirmed by a link before it is used;
an email given at registration is confirmed the same way."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrc_training.auth.models import User
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from tests.auth.mailbox import deliver, empty_mailbox, path_of
from tests.conftest import login, post_form
from tests.factories import PASSWORD, make_org, make_user, valid_id_number


@pytest.fixture(autouse=True)
def _mailbox():
    empty_mailbox()
    yield
    empty_mailbox()


def signed_in(client, address: str | None = "old@example.com") -> User:
    user = make_user("trainee", username="self_service")
    user.email = address
    db.session.commit()
    login(client, "self_service")
    return user


def save(client, **fields):
    return post_form(client, "/profile/contact", fields, follow_redirects=True)


def test_the_profile_links_to_the_contact_page_which_shows_the_current_values(app, client):
    user = signed_in(client)
    assert 'href="/profile/contact"' in client.get("/profile").get_data(as_text=True)
    page = client.get("/profile/contact").get_data(as_text=True)
    assert user.phone in page and "old@example.com" in page and "当前密码" in page


def test_changing_the_phone_needs_the_current_password(app, client):
    user = signed_in(client)
    old_phone = user.phone
    without = save(client, phone="13812345678", email="old@example.com", current_password="")
    assert "请输入当前密码以确认是您本人" in without.get_data(as_text=True)
    wrong = save(client, phone="13812345678", email="old@example.com", current_password="Wrong#Pass2026")
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    db.session.refresh(user)
    assert user.phone == old_phone
    done = save(client, phone="138 1234 5678", email="old@example.com", current_password=PASSWORD)
    assert "手机号已更新" in done.get_data(as_text=True)
    db.session.refresh(user)
    assert user.phone == "13812345678"
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "user.change_phone")).scalar_one()
    assert audit.new == {"phone": "138****5678"} and old_phone not in str(audit.old)


@pytest.mark.parametrize("phone, message", [("12345", "手机号应为 11 位中国大陆手机号码"),
                                            ("23812345678", "手机号应为 11 位中国大陆手机号码")])
def test_a_bad_phone_or_email_is_a_chinese_field_error(app, client, phone, message):
    signed_in(client)
    page = save(client, phone=phone, email="not an address", current_password=PASSWORD).get_data(as_text=True)
    assert message in page and "邮箱地址格式不正确" in page


def test_nothing_changed_says_so(app, client):
    user = signed_in(client)
    page = save(client, phone=user.phone, email="OLD@example.com", current_password=PASSWORD)
    assert "没有需要保存的修改" in page.get_data(as_text=True)


def test_a_new_email_counts_only_once_confirmed_from_the_new_mailbox(app, client):
    user = signed_in(client)
    wrong = save(client, phone=user.phone, email="new@example.com", current_password="Wrong#Pass2026")
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    assert deliver() == []
    done = save(client, phone=user.phone, email="new@example.com", current_password=PASSWORD)
    assert "确认邮件已发送到 n***@example.com" in done.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email == "old@example.com"  # the old address stays until the new one is confirmed
    assert "待确认：new@example.com" in client.get("/profile").get_data(as_text=True)
    [(to, link)] = deliver()
    assert to == "new@example.com"

    stranger = app.test_client()  # the link works from any browser: the mailbox is the proof
    shown = stranger.get(path_of(link))
    assert shown.status_code == 200 and "new@example.com" in shown.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email == "old@example.com"  # opening the link (a mail scanner does) confirms nothing
    confirmed = post_form(stranger, path_of(link), {}, follow_redirects=True)
    assert "邮箱已确认" in confirmed.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email == "new@example.com"
    assert stranger.get(path_of(link)).status_code == 404  # single use
    actions = db.session.execute(select(AuditLog.action).where(AuditLog.object_id == str(user.id))).scalars().all()
    assert {"user.email_change_requested", "user.change_email"} <= set(actions)
    assert "new@example.com" not in str(db.session.execute(select(AuditLog.new)).scalars().all())


def test_a_second_request_replaces_the_first_link(app, client):
    user = signed_in(client)
    save(client, phone=user.phone, email="first@example.com", current_password=PASSWORD)
    [(_, first)] = deliver()
    empty_mailbox()
    save(client, phone=user.phone, email="second@example.com", current_password=PASSWORD)
    [(_, second)] = deliver()
    assert client.get(path_of(first)).status_code == 404
    assert client.get(path_of(second)).status_code == 200


def test_an_empty_email_removes_the_address_at_once(app, client):
    user = signed_in(client)
    page = save(client, phone=user.phone, email="", current_password=PASSWORD)
    assert "邮箱已删除" in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email is None


def test_the_contact_page_needs_a_login(client):
    response = client.get("/profile/contact")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def register(client, **extra):
    data = {"name": "王小明", "id_number": valid_id_number(seq=321), "phone": "13900001111", "username": "newcomer",
            "password": "Peixun#2026ok", "password_confirm": "Peixun#2026ok", **extra}
    return post_form(client, "/register", data, follow_redirects=True)


def test_an_email_given_at_registration_is_confirmed_before_it_is_used(app, client):
    page = register(client, email="Newcomer@Example.COM")
    assert "确认邮件" in page.get_data(as_text=True)
    user = db.session.execute(select(User).where(User.username == "newcomer")).scalar_one()
    assert user.email is None
    [(to, link)] = deliver()
    assert to == "Newcomer@example.com"
    post_form(client, path_of(link), {})
    db.session.refresh(user)
    assert user.email == "Newcomer@example.com"


def test_a_bad_email_at_registration_is_a_field_error(app, client):
    page = register(client, email="newcomer@").get_data(as_text=True)
    assert "邮箱地址格式不正确" in page
    assert db.session.execute(select(User).where(User.username == "newcomer")).scalar_one_or_none() is None


def test_registration_picks_an_organization_without_javascript(app, client):
    make_org("聊城市东昌府区人力资源和社会保障局", kind="hrss", region_code="371502")
    make_org("聊城市茌平区人力资源和社会保障局", kind="hrss", region_code="371503")
    wanted = make_org("济南市历下区人力资源和社会保障局", kind="hrss", region_code="370102")
    search = register(client, organization_q="聊城 人力资源", org_search="1").get_data(as_text=True)
    assert "找到 2 个单位" in search and "东昌府区人力资源" in search and "济南市" not in search
    assert db.session.execute(select(User).where(User.username == "newcomer")).scalar_one_or_none() is None
    ambiguous = register(client, organization_q="聊城").get_data(as_text=True)
    assert "请从查找结果中选择一个单位" in ambiguous
    register(client, organization_q="历下区")  # one match: taken as the choice
    user = db.session.execute(select(User).where(User.username == "newcomer")).scalar_one()
    assert user.organization_id == wanted.id


@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_registration_refuses_an_unknown_or_tampered_organization(app, client, value):
    page = register(client, organization_id=value, organization_q="某单位").get_data(as_text=True)
    assert "没有找到该单位" in page or "请从查找结果中选择一个单位" in page
    assert db.session.execute(select(User).where(User.username == "newcomer")).scalar_one_or_none() is None


def test_registration_refuses_an_inactive_organization(app, client):
    closed = make_org("已撤销的单位")
    closed.active = False
    db.session.commit()
    page = register(client, organization_id=str(closed.id)).get_data(as_text=True)
    assert "请从查找结果中选择一个单位" in page
    assert db.session.execute(select(User).where(User.username == "newcomer")).scalar_one_or_none() is None
