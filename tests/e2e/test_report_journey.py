"""Reporting upward in the browser, with the demo's county and city 人社 accounts: the county makes its quarterly
report and submits it; the city sees it waiting, tries to return it without a reason (a Chinese error), returns it
with one; the county sees the reason, regenerates and submits again; the city approves; the county sees 已审核通过."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lrc_training.auth.services.accreditation import local_today
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.extensions import db
from tests.factories import make_org, make_user

pytestmark = pytest.mark.e2e


def _quarter() -> str:
    today = local_today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _liaocheng() -> None:
    """The demo's city and county 人社 departments (users `city`, `county`), a sibling county, one coordinator."""
    evaluator = make_org("山东省劳动关系协调师职业技能等级认定中心", kind="evaluator", region_code="370000")
    city_org = make_org("聊城市人力资源和社会保障局", kind="hrss", region_code="371500")
    county_org = make_org("聊城市东昌府区人力资源和社会保障局", kind="hrss", region_code="371502")
    make_org("阳谷县人力资源和社会保障局", kind="hrss", region_code="371521")
    enterprise = make_org("聊城华信机械制造有限公司", kind="enterprise", region_code="371502")
    coordinator = make_user("trainee", username="coord", name="陈晓燕", org=enterprise)
    issue_certificate(IssueRequest(kind="level", holder_name=coordinator.name, holder_user_id=coordinator.id,
                                   issuer_organization_id=evaluator.id, source_type="manual", level=3))
    make_user("org_staff", username="county", name="郑雪梅", org=county_org)
    make_user("org_staff", username="city", name="吴国栋", org=city_org)
    db.session.commit()


def test_county_reports_city_returns_then_approves(new_page, sign_in, go_to, screenshot):
    _liaocheng()
    quarter = _quarter()

    county = new_page()
    sign_in(county, "county")
    go_to(county, "信息库", "报表上报")
    county.get_by_label("报告期").select_option(quarter)
    county.get_by_role("button", name="查看").click()
    county.get_by_role("button", name=re.compile("^生成.*报表$")).click()
    expect(county.get_by_role("alert")).to_contain_text("报表已生成")
    expect(county.get_by_role("heading", level=1)).to_contain_text("东昌府区")
    expect(county.locator(".card").filter(has_text="协调员按等级")).to_contain_text("三级")
    county.get_by_role("button", name="上报", exact=True).click()
    expect(county.locator(".report-status")).to_have_text("已上报")
    screenshot(county, "submitted")

    city = new_page()
    sign_in(city, "city")
    go_to(city, "信息库", "报表上报")
    city.get_by_label("报告期").select_option(quarter)
    city.get_by_role("button", name="查看").click()
    row = city.get_by_role("row").filter(has_text="东昌府区")
    expect(row).to_contain_text("已上报")
    expect(city.get_by_role("row").filter(has_text="阳谷县")).to_contain_text("未报")
    screenshot(city, "children")
    row.get_by_role("link", name="审核").click()
    city.get_by_role("button", name="退回修改").click()
    expect(city.get_by_text("请填写退回原因")).to_be_visible()
    city.get_by_label("退回原因").fill("请核实园区企业的覆盖情况")
    city.get_by_role("button", name="退回修改").click()
    expect(city.get_by_role("alert")).to_contain_text("报表已退回")
    expect(city.locator(".report-status")).to_have_text("已退回")

    county.reload()
    expect(county.get_by_role("status")).to_contain_text("请核实园区企业的覆盖情况")
    county.get_by_role("button", name="按当前数据重新生成").click()
    expect(county.get_by_role("alert")).to_contain_text("重新生成")
    county.get_by_role("button", name="再次上报").click()
    expect(county.locator(".report-status")).to_have_text("已上报")

    city.reload()
    city.get_by_role("button", name="审核通过").click()
    expect(city.get_by_role("alert")).to_contain_text("审核通过")
    expect(city.locator(".report-status")).to_have_text("已审核通过")
    screenshot(city, "approved")

    county.reload()
    expect(county.locator(".report-status")).to_have_text("已审核通过")
    expect(county.get_by_role("button", name="上报", exact=True)).to_have_count(0)


def test_province_sets_targets_and_sees_late_cities(new_page, sign_in, go_to, screenshot):
    province_org = make_org("山东省人力资源和社会保障厅", kind="hrss", region_code="370000")
    make_org("聊城市人力资源和社会保障局", kind="hrss", region_code="371500")
    make_org("青岛市人力资源和社会保障局", kind="hrss", region_code="370200")
    make_user("org_staff", username="province", name="周海燕", org=province_org)
    db.session.commit()
    this_year = local_today().year

    page = new_page()
    sign_in(page, "province")
    go_to(page, "信息库", "目标考核")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{this_year} 年")
    page.get_by_label("地区").select_option(label="聊城市")
    page.get_by_label("协调员人数目标").fill("20")
    page.get_by_label("企业覆盖率目标（%）").fill("150")
    page.get_by_role("button", name="保存目标").click()
    expect(page.get_by_text("应在 0–100 之间")).to_be_visible()
    page.get_by_label("企业覆盖率目标（%）").fill("60")
    page.get_by_role("button", name="保存目标").click()
    expect(page.get_by_role("alert")).to_contain_text("目标已保存")
    expect(page.locator(".targets-table").get_by_role("row").filter(has_text="聊城市")).to_contain_text("0 / 20")
    expect(page.get_by_role("img", name="各地区目标完成进度")).to_be_visible()
    screenshot(page, "targets")

    page.goto(f"/registry/reports?period={this_year - 2}")
    expect(page.locator("tr.table-danger")).to_have_count(2)
    expect(page.get_by_text("迟报/未报 2 个")).to_be_visible()
    screenshot(page, "late")
