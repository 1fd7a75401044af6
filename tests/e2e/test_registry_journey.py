"""The registry in the browser: provincial staff open the dashboard (chart, trends, coverage), drill down to a city
by clicking, open the list, open a coordinator's record and edit the fields staff maintain; a second tab that
loaded the record before the edit is refused instead of overwriting it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.extensions import db
from tests.factories import make_org, make_user

pytestmark = pytest.mark.e2e


def test_provincial_staff_drill_down_and_edit_a_record(new_page, sign_in, screenshot):
    province = make_org("山东省人社厅", kind="hrss", region_code="370000")
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    liaocheng = make_org("聊城华信机械", kind="enterprise", region_code="371502")
    qingdao = make_org("青岛海岸电子", kind="enterprise", region_code="370211")
    people = [make_user("trainee", username="p1", name="陈晓燕", org=liaocheng),
              make_user("trainee", username="p2", name="赵文博", org=liaocheng),
              make_user("trainee", username="p3", name="孙丽娟", org=qingdao)]
    for person, level in zip(people, (3, 4, 4), strict=True):
        issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=level))
    make_user("org_staff", username="shengting", name="省厅工作人员", org=province)
    db.session.commit()

    page = new_page()
    sign_in(page, "shengting")
    page.goto("/registry/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("山东省")
    # The bar chart is for the eye (its bars are mouse shortcuts); the same drill-down links are in the table.
    expect(page.locator("svg.region-chart")).to_be_visible()
    expect(page.get_by_role("table").get_by_role("link", name="聊城市")).to_be_visible()
    # Every certificate is from this month: one month draws no trend (a lone bar or dot), the table says it.
    expect(page.get_by_role("img", name="近 12 个月签发证书、培训结业人数与认定通过率")).to_have_count(0)
    expect(page.locator("#trend-single")).to_contain_text("一个月画不出趋势")
    expect(page.locator(".card").filter(has_text="协调员总数")).to_contain_text("3")
    screenshot(page, "province")

    # Drill down: click 聊城市 in the table.
    page.get_by_role("table").get_by_role("link", name="聊城市").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("聊城市")
    expect(page.locator(".card").filter(has_text="协调员总数").first).to_contain_text("2")
    screenshot(page, "city")

    page.get_by_role("link", name="人员名单").click()
    expect(page.get_by_role("row").filter(has_text="陈晓燕")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="孙丽娟")).to_have_count(0)  # Qingdao is not in 聊城市
    page.get_by_role("link", name="陈晓燕").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("陈晓燕")

    other = new_page()
    sign_in(other, "shengting")
    other.goto(page.url)  # a second tab loads the same record before the first edit

    page.get_by_label("职务").fill("劳动关系专员")
    page.get_by_label("专职/兼职").select_option(label="专职")
    page.get_by_label("从事本职业起始日期").fill("2020-03-01")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存")
    expect(page.get_by_label("职务")).to_have_value("劳动关系专员")
    screenshot(page, "record")

    other.get_by_label("职务").fill("人事经理")
    other.get_by_role("button", name="保存").click()
    expect(other.get_by_role("alert")).to_contain_text("已被他人修改")
    page.reload()
    expect(page.get_by_label("职务")).to_have_value("劳动关系专员")


def test_an_honor_is_recorded_by_picking_the_person(new_page, sign_in, screenshot):
    """The honor form's person picker (static/js/combobox.js): type part of a name, choose the match, record."""
    province = make_org("山东省人社厅", kind="hrss", region_code="370000")
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    liaocheng = make_org("聊城华信机械", kind="enterprise", region_code="371502")
    person = make_user("trainee", username="p1", name="陈晓燕", org=liaocheng)
    issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                   issuer_organization_id=evaluator.id, source_type="manual", level=3))
    make_user("org_staff", username="shengting", name="省厅工作人员", org=province)
    db.session.commit()

    page = new_page()
    sign_in(page, "shengting")
    page.goto("/registry/list")
    page.get_by_role("combobox", name="获得者").fill("晓燕")
    page.get_by_role("option", name=re.compile("陈晓燕")).click()
    page.get_by_label("荣誉称号").fill("金牌劳动关系协调员")
    page.get_by_label("授予单位").fill("山东省人力资源和社会保障厅")
    page.get_by_label("授予日期").fill("2026-05-01")
    page.get_by_role("button", name="记录荣誉").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="陈晓燕")).to_contain_text("金牌劳动关系协调员")
    screenshot(page, "honor")
