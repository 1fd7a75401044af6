"""The registry and notification-settings pages on the demo data, on a desktop and on a phone: a clear heading, no
horizontal overflow, no CSP violation; the Excel import shows its row report. Screenshots in test-artifacts/tour/."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from lrc_training.auth.models import User
from lrc_training.core.demo import seed_demo
from lrc_training.extensions import db
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.factories import valid_id_number

pytestmark = pytest.mark.e2e

TOUR = ARTIFACTS / "tour"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_registry_and_settings_pages_fit_the_screen(new_page, sign_in, browser_problems, tmp_path, viewport):
    seed_demo()
    db.session.commit()
    trainee = db.session.execute(select(User).where(User.username == "trainee")).scalar_one()
    size = "desktop" if viewport is DESKTOP else "phone"
    TOUR.mkdir(parents=True, exist_ok=True)
    too_wide = []

    def visit(page, name: str, path: str | None, heading: str) -> None:
        if path:
            assert page.goto(path).status == 200, path
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wider > 0:
            too_wide.append(f"{name}: {wider}px")
        page.screenshot(path=str(TOUR / f"{size}-{name}.png"), full_page=True)

    admin = new_page(viewport=viewport)
    sign_in(admin, "admin", "Guanli2026!lrc")
    visit(admin, "registry-dashboard", "/registry/", "劳动关系协调员统计")
    visit(admin, "registry-list", "/registry/list", "劳动关系协调员名单")
    visit(admin, "registry-coverage", "/registry/coverage?region_code=371500", "企业覆盖")
    visit(admin, "registry-person", f"/registry/people/{trainee.id}", trainee.name)
    visit(admin, "registry-add", "/registry/add", "加入信息库")
    visit(admin, "registry-import", "/registry/import", "Excel 导入信息库")
    with admin.expect_download() as info:
        admin.get_by_role("link", name="下载导入模板").click()
    book = load_workbook(io.BytesIO(info.value.path().read_bytes()))
    sheet = book.active
    sheet.delete_rows(2, sheet.max_row)
    sheet.append(["周平", valid_id_number(region="371502", birth="19800101", seq=301), "聊城华信机械制造有限公司",
                  "S000037150001253000999", "三级/高级工", "调解员", "专职", "2019-05-01"])
    sheet.append(["错号", "371502198001010000", "聊城华信机械制造有限公司", "", "", "", "", ""])
    path = tmp_path / "信息库.xlsx"
    book.save(path)
    admin.get_by_label("Excel 文件").set_input_files(str(path))
    admin.get_by_role("button", name="导入").click()
    expect(admin.get_by_role("alert")).to_contain_text("新增 1")
    expect(admin.get_by_role("row").filter(has_text="身份证号")).to_be_visible()
    visit(admin, "registry-import-report", None, "Excel 导入信息库")

    learner = new_page(viewport=viewport)
    sign_in(learner, "trainee", "Demo2026!lrc")
    visit(learner, "notification-settings", "/notifications/settings", "通知设置")
    visit(learner, "contact-details", "/profile/contact", "手机号和邮箱")
    learner.get_by_label("邮箱").fill("not-an-email")
    learner.get_by_label("当前密码").fill("Demo2026!lrc")
    learner.get_by_role("button", name="保存").click()
    expect(learner.get_by_text("邮箱地址格式不正确")).to_be_visible()
    visit(learner, "contact-details-error", None, "手机号和邮箱")

    assert not browser_problems.csp_violations()
    assert not too_wide, "pages wider than the screen:\n" + "\n".join(too_wide)
