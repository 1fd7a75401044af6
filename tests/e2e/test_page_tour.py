"""Every page as a person sees it, on a desktop and on a phone: no horizontal overflow of the page (wide
tables scroll inside .table-responsive), a clear heading, no CSP violation or script error. Each page is
saved as a screenshot under test-artifacts/tour/ for a person to look at."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from lrc_training.core.demo import seed_demo
from lrc_training.extensions import db
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.factories import make_org, make_user, valid_id_number

pytestmark = pytest.mark.e2e

TOUR = ARTIFACTS / "tour"


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing sticks out)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _import_sheet(page, tmp_path, org_name: str):
    """The downloaded import template with one good row and one bad row (wrong ID check digit)."""
    with page.expect_download() as info:
        page.get_by_role("link", name="下载导入模板").click()
    workbook = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    sheet = workbook["用户"]
    sheet.delete_rows(2, sheet.max_row)  # the example row
    good_id = valid_id_number(region="371581", birth="19930727", seq=401)
    bad_id = valid_id_number(region="371502", birth="19880214", seq=402)
    bad_id = bad_id[:17] + ("1" if bad_id[17] != "1" else "2")
    sheet.append(["wangfang", "王芳", good_id, "13963501111", "学员、考评员", org_name, ""])
    sheet.append(["liqiang", "李强", bad_id, "13963502222", "学员", org_name, "Passw0rd9"])
    path = tmp_path / "导入.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_fits_the_screen(app, monkeypatch, new_page, sign_in, browser_problems, tmp_path, viewport):
    monkeypatch.setitem(app.config, "LRC_PER_PAGE", 8)  # long enough lists to show the pager
    seed_demo()
    db.session.commit()
    org = make_org("聊城市东昌府区劳动关系协调服务中心（测试用超长机构名称）", kind="platform", region_code="371502")
    make_user("admin", username="tour_admin", name="平台管理员")
    trainee = make_user("trainee", username="tour_trainee", name="欧阳娜娜", org=org)
    db.session.commit()
    size = "desktop" if viewport is DESKTOP else "phone"
    TOUR.mkdir(parents=True, exist_ok=True)
    too_wide: list[str] = []

    def visit(page, name: str, path: str | None, heading: str | re.Pattern, status: int = 200) -> None:
        if path is not None:
            response = page.goto(path)
            assert response is not None and response.status == status, f"{path}: {response and response.status}"
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.screenshot(path=str(TOUR / f"{size}-{name}.png"), full_page=True)
        if (extra := _overflow(page)) > 0:
            too_wide.append(f"{name} ({path}): {extra}px wider than the {viewport['width']}px viewport")

    visitor = new_page(viewport=viewport)
    visit(visitor, "home", "/", "劳动关系协调师培训认证平台")
    visit(visitor, "login", "/login", "登录")
    visitor.get_by_role("button", name="登录").click()
    visit(visitor, "login-errors", None, "登录")
    visit(visitor, "register", "/register", "学员注册")
    visitor.get_by_label("身份证号").fill("37150219900101001")
    visitor.get_by_label("手机号").fill("12345")
    visitor.get_by_role("button", name="注册").click()
    expect(visitor.locator(".invalid-feedback").first).to_be_visible()
    visit(visitor, "register-errors", None, "学员注册")
    visit(visitor, "not-found", "/no-such-page", "页面不存在", status=404)

    learner = new_page(viewport=viewport)
    sign_in(learner, "tour_trainee")
    visit(learner, "dashboard-trainee", "/dashboard", "您好，欧阳娜娜")
    visit(learner, "profile", "/profile", "个人信息")
    visit(learner, "password", "/password", "修改密码")
    learner.get_by_label("当前密码").fill("wrong-password1")
    learner.get_by_label("新密码", exact=True).fill("short")
    learner.get_by_label("确认新密码").fill("other")
    learner.get_by_role("button", name="修改密码").click()
    expect(learner.locator(".invalid-feedback").first).to_be_visible()
    visit(learner, "password-errors", None, "修改密码")
    visit(learner, "forbidden", "/admin/users", "无权访问", status=403)

    admin = new_page(viewport=viewport)
    sign_in(admin, "tour_admin")
    visit(admin, "dashboard-admin", "/dashboard", "您好，平台管理员")
    visit(admin, "users", "/admin/users", "用户管理")
    admin.get_by_role("navigation", name="分页").get_by_role("link", name="下一页").click()
    expect(admin).to_have_url(re.compile(r"/admin/users\?page=2$"))
    visit(admin, "users-page-2", None, "用户管理")
    admin.get_by_label("搜索").fill("欧阳")
    admin.get_by_role("button", name="筛选").click()
    expect(admin.get_by_role("row")).to_have_count(2)  # header + 欧阳娜娜
    visit(admin, "users-filtered", None, "用户管理")
    visit(admin, "user-new", "/admin/users/new", "新建用户")
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator(".invalid-feedback").first).to_be_visible()
    visit(admin, "user-new-errors", None, "新建用户")
    visit(admin, "user-edit", f"/admin/users/{trainee.id}/edit", "编辑用户：欧阳娜娜")
    visit(admin, "users-import", "/admin/users/import", "Excel 批量导入用户")
    sheet = _import_sheet(admin, tmp_path, org.name)
    admin.get_by_label("Excel 文件（.xlsx）").set_input_files(sheet)
    admin.get_by_role("button", name="开始导入").click()
    expect(admin.get_by_role("heading", name="导入结果")).to_be_visible()
    expect(admin.get_by_role("alert")).to_contain_text("新建 1 人")
    visit(admin, "users-import-result", None, "Excel 批量导入用户")
    visit(admin, "organizations", "/admin/organizations", "机构管理")
    visit(admin, "organization-new", "/admin/organizations/new", "新建机构")
    admin.get_by_label("行政区划代码").fill("001122")
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator(".invalid-feedback").first).to_be_visible()
    visit(admin, "organization-new-errors", None, "新建机构")
    visit(admin, "organization-edit", f"/admin/organizations/{org.id}/edit", re.compile("^编辑机构"))
    visit(admin, "audit-log", "/admin/audit", "审计日志")

    docs = new_page(viewport=viewport)
    docs.goto("/api/v1/docs")
    expect(docs.locator(".swagger-ui .info .title")).to_contain_text("LRC Training API")
    expect(docs.locator(".opblock").first).to_be_visible()
    docs.screenshot(path=str(TOUR / f"{size}-api-docs.png"), full_page=True)
    docs.locator(".opblock-summary-control").first.click()  # Swagger UI renders more on demand
    expect(docs.locator(".opblock-body").first).to_be_visible()
    docs.get_by_role("button", name="Authorize").first.click()
    expect(docs.locator(".modal-ux")).to_be_visible()

    assert not browser_problems.csp_violations()
    assert not too_wide, "pages wider than the screen:\n" + "\n".join(too_wide)
