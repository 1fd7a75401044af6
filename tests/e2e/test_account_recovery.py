"""On a phone: 忘记密码 from the sign-in page to a new password through the link in the captured mail, and the
registration form's organization picker with its suggestions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lrc_training.auth.models import User
from lrc_training.extensions import db
from tests.auth.mailbox import deliver, empty_mailbox, path_of
from tests.e2e.conftest import PHONE
from tests.factories import NEW_PASSWORD, make_org, make_user, valid_id_number

pytestmark = pytest.mark.e2e


def phone(new_page):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True)


def test_forgot_password_on_a_phone(new_page, screenshot):
    empty_mailbox()
    user = make_user("trainee", username="lostpass", name="刘芳")
    user.email = "liufang@example.com"
    db.session.commit()
    elsewhere = phone(new_page)  # signed in on another device: the reset signs it out
    elsewhere.goto("/login")
    elsewhere.get_by_label("用户名").fill("lostpass")
    elsewhere.get_by_label("密码", exact=True).fill("Passw0rd1")
    elsewhere.get_by_role("button", name="登录").tap()
    expect(elsewhere).to_have_url(re.compile(r"/dashboard$"))

    page = phone(new_page)
    page.goto("/login")
    page.get_by_role("link", name="忘记密码？").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("忘记密码")
    page.get_by_label("用户名或邮箱").fill("liufang@example.com")
    screenshot(page, "ask")
    page.get_by_role("button", name="发送重置邮件").tap()
    expect(page.get_by_text("如果账号存在，我们已发送邮件")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "sent")

    [(to, link)] = deliver()
    assert to == "liufang@example.com"
    page.goto(path_of(link))
    expect(page.get_by_role("heading", level=1)).to_have_text("设置新密码")
    page.get_by_label("新密码", exact=True).fill("short")
    page.get_by_label("确认新密码").fill("short")
    page.get_by_role("button", name="设置新密码").tap()
    expect(page.locator("#password-error")).to_have_text("密码至少 10 位")
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    screenshot(page, "new-password")
    page.get_by_role("button", name="设置新密码").tap()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("新密码已设置")).to_be_visible()
    screenshot(page, "done")

    page.goto(path_of(link))  # the link worked once
    expect(page.get_by_role("heading", level=1)).to_have_text("链接无效")
    page.goto("/login")
    page.get_by_label("用户名").fill("lostpass")
    page.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").tap()
    expect(page).to_have_url(re.compile(r"/dashboard$"))

    elsewhere.goto("/profile")
    expect(elsewhere).to_have_url(re.compile(r"/login"))
    empty_mailbox()


def test_registration_organization_picker_suggests_and_chooses(new_page, screenshot):
    wanted = make_org("聊城市东昌府区新区街道劳动关系协调服务站", kind="platform", region_code="371502")
    make_org("聊城市茌平区劳动关系协调服务站", kind="platform", region_code="371503")
    db.session.commit()
    page = phone(new_page)
    page.goto("/register")
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="查找")).to_be_hidden()  # the script took over
    picker = page.get_by_role("combobox", name="工作单位（可选）")
    picker.fill("东昌府 服务站")
    option = page.get_by_role("option", name=re.compile("新区街道"))
    expect(option).to_be_visible()
    expect(page.get_by_role("option")).to_have_count(1)
    screenshot(page, "suggestions")
    option.dispatch_event("mousedown")
    expect(picker).to_have_value(wanted.name)

    page.get_by_label("姓名").fill("周杰")
    page.get_by_label("身份证号").fill(valid_id_number(seq=512))
    page.get_by_label("手机号").fill("13900005120")
    page.get_by_label("用户名").fill("zhoujie")
    page.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="注册").tap()
    expect(page).to_have_url(re.compile(r"/login$"))
    db.session.expire_all()
    user = db.session.execute(select(User).where(User.username == "zhoujie")).scalar_one()
    assert user.organization_id == wanted.id
