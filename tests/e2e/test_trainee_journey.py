"""A visitor registers as a trainee, looks at their profile, changes the password and signs in again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import valid_id_number

pytestmark = pytest.mark.e2e

FIRST_PASSWORD = "Peixun#2026ok"
NEW_PASSWORD = "N3wSecret88!"


def fill_registration(page, *, name: str, id_number: str, phone: str, username: str, password: str) -> None:
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_label("确认密码").fill(password)


def test_trainee_registers_changes_password_and_signs_in_again(page, screenshot, go_to):
    id_number = valid_id_number(region="371502", birth="19950410", seq=26)

    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="学员注册").click()
    expect(page.get_by_role("heading", name="学员注册")).to_be_visible()
    fill_registration(page, name="陈晓燕", id_number=id_number, phone="13863501234", username="chenxy",
                      password=FIRST_PASSWORD)
    page.get_by_role("button", name="注册").click()

    # The same answer whether or not the ID number had an account already: sign in with what was just set.
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_contain_text("注册申请已提交")
    page.get_by_label("用户名").fill("chenxy")
    page.get_by_label("密码", exact=True).fill(FIRST_PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page).to_have_title(re.compile("^工作台"))
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，陈晓燕")
    expect(page.get_by_text("角色：学员")).to_be_visible()
    screenshot(page, "dashboard")

    go_to(page, "陈晓燕", "个人信息")  # the user menu
    expect(page.get_by_role("heading", name="个人信息")).to_be_visible()
    profile = page.locator("dl")
    expect(profile).to_contain_text(id_number)  # the owner sees the full number
    expect(profile).to_contain_text("1995年04月10日")
    expect(profile).to_contain_text("山东省 / 聊城市 / 东昌府区")
    expect(profile).to_contain_text("13863501234")
    screenshot(page, "profile")

    page.get_by_role("link", name="修改密码").click()
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    page.get_by_label("当前密码").fill(FIRST_PASSWORD)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.get_by_role("alert")).to_contain_text("密码已修改")

    go_to(page, "陈晓燕", "退出")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("alert")).to_contain_text("您已安全退出")

    # The old password no longer works; the new one does.
    page.get_by_label("用户名").fill("chenxy")
    page.get_by_label("密码", exact=True).fill(FIRST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".invalid-feedback")).to_have_text("用户名或密码错误")
    page.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，陈晓燕")


def test_registration_with_wrong_check_digit_shows_field_error_and_keeps_input(page, screenshot):
    good = valid_id_number(region="371502", birth="19900101", seq=7)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")

    page.goto("/register")
    fill_registration(page, name="赵文博", id_number=wrong, phone="13863505678", username="zhaowb",
                      password=FIRST_PASSWORD)
    page.get_by_role("button", name="注册").click()

    id_field = page.get_by_label("身份证号")
    expect(id_field).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.get_by_text("身份证号校验码不正确，请核对后重新输入")).to_be_visible()
    expect(id_field).to_have_value(wrong)
    expect(page.get_by_label("姓名")).to_have_value("赵文博")
    expect(page.get_by_label("手机号")).to_have_value("13863505678")
    expect(page.get_by_label("用户名")).to_have_value("zhaowb")
    expect(page).to_have_url(re.compile(r"/register$"))
    screenshot(page, "id-error")
