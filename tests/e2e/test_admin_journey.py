"""An administrator creates an organization and a user in it, then deactivates that user's account."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lrc_training.auth.services.identity import mask_id_number
from lrc_training.extensions import db
from tests.factories import make_user, valid_id_number

pytestmark = pytest.mark.e2e

ORG_NAME = "聊城市东昌府区劳动关系协调服务中心"


def test_admin_creates_organization_and_user_then_deactivates_the_user(new_page, sign_in, screenshot, go_to):
    make_user("admin", username="admin1", name="平台管理员")
    db.session.commit()
    id_number = valid_id_number(region="371502", birth="19780905", seq=13)

    page = new_page()
    sign_in(page, "admin1")

    # Organization: name, kind and a county code shown as its full region path.
    go_to(page, "管理", "机构管理")
    expect(page.get_by_role("heading", name="机构管理")).to_be_visible()
    page.get_by_role("link", name="新建机构").click()
    page.get_by_label("机构名称").fill(ORG_NAME)
    page.get_by_label("机构类型").select_option(label="评价机构")
    page.get_by_label("行政区划代码").fill("371502")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/admin/organizations$"))
    expect(page.get_by_role("alert")).to_contain_text(f"已创建机构 {ORG_NAME}")
    org_row = page.get_by_role("row").filter(has_text=ORG_NAME)
    expect(org_row).to_contain_text("评价机构")
    expect(org_row).to_contain_text("山东省 / 聊城市 / 东昌府区")
    expect(org_row).to_contain_text("371502")
    screenshot(page, "organizations")

    # User with two roles in that organization.
    go_to(page, "管理", "用户管理")
    page.get_by_role("link", name="新建用户").click()
    expect(page.get_by_role("heading", name="新建用户")).to_be_visible()
    page.get_by_label("用户名").fill("zhangzq")
    page.get_by_label("初始密码").fill("Kaoping2026")
    page.get_by_label("姓名").fill("张志强")
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("手机号").fill("13863500013")
    picker = page.get_by_role("combobox", name="所属机构")  # a searchable picker: a province has tens of thousands
    picker.fill("东昌府区劳动关系")
    option = page.get_by_role("option", name=re.compile(ORG_NAME))
    expect(option).to_be_visible()
    option.dispatch_event("mousedown")
    expect(picker).to_have_value(ORG_NAME)
    page.get_by_label("学员").uncheck()
    page.get_by_label("考评员").check()
    page.get_by_label("裁判员").check()
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.get_by_role("alert")).to_contain_text("已创建用户 zhangzq（张志强）")
    user_row = page.get_by_role("row").filter(has_text="zhangzq")
    expect(user_row).to_contain_text("张志强")
    expect(user_row).to_contain_text(mask_id_number(id_number))
    expect(user_row).not_to_contain_text(id_number)
    expect(user_row).to_contain_text("考评员")
    expect(user_row).to_contain_text("裁判员")
    expect(user_row).not_to_contain_text("学员")
    expect(user_row).to_contain_text(ORG_NAME)
    expect(user_row).to_contain_text("正常")
    screenshot(page, "users")

    # The new account works before it is deactivated.
    other = new_page()
    sign_in(other, "zhangzq", "Kaoping2026")
    other.context.clear_cookies()

    # Deactivate with a reason; the confirmation dialog is accepted.
    user_row.get_by_role("link", name="编辑").click()
    expect(page.get_by_role("heading", name="编辑用户：张志强")).to_be_visible()
    expect(page.get_by_role("heading", name="账号状态")).to_contain_text("正常")
    page.get_by_label("停用原因").fill("调离评价机构")
    asked = []
    page.wait_for_load_state()  # app.js, which asks for confirmation, has run
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="停用账号").click()
    expect(page.get_by_role("alert")).to_contain_text("已停用账号 zhangzq")
    assert asked == ["确定要停用该账号吗？"]
    expect(page.get_by_role("heading", name="账号状态")).to_contain_text("已停用")
    expect(page.get_by_role("button", name="启用账号")).to_be_visible()
    screenshot(page, "deactivated")

    go_to(page, "管理", "用户管理")
    expect(page.get_by_role("row").filter(has_text="zhangzq")).to_contain_text("已停用")

    # The audit log names the change and keeps the reason.
    go_to(page, "管理", "审计日志")
    audit_row = page.get_by_role("row").filter(has_text="停用账号")
    expect(audit_row).to_contain_text("平台管理员")
    expect(audit_row).to_contain_text("调离评价机构")
    expect(audit_row).to_contain_text("启用 → 停用")

    # The deactivated user can no longer sign in.
    other.goto("/login")
    other.get_by_label("用户名").fill("zhangzq")
    other.get_by_label("密码", exact=True).fill("Kaoping2026")
    other.get_by_role("button", name="登录").click()
    expect(other.locator(".invalid-feedback")).to_have_text("账号已停用，请联系管理员")
    expect(other).to_have_url(re.compile(r"/login$"))
    screenshot(other, "login-refused")


def test_deactivation_can_be_cancelled_in_the_confirmation_dialog(page, sign_in, go_to):
    make_user("admin", username="admin2", name="平台管理员")
    target = make_user("trainee", username="keepme", name="李秀梅")
    db.session.commit()

    sign_in(page, "admin2")
    page.goto(f"/admin/users/{target.id}/edit")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="停用账号").click()
    assert asked == ["确定要停用该账号吗？"]
    expect(page.get_by_role("heading", name="账号状态")).to_contain_text("正常")
    expect(page.get_by_role("alert")).to_have_count(0)
    go_to(page, "管理", "用户管理")
    expect(page.get_by_role("row").filter(has_text="keepme")).to_contain_text("正常")
