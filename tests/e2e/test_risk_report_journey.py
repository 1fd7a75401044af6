"""A risk report reaching the county, in the browser: the staff of a street platform record a 重大 wage-arrears risk
at an enterprise of their service area on their coordinator's record; the county 人社 officer's bell shows it at
once, 风险隐患 lists it, closing it without saying how it was handled is refused in Chinese, then it is closed; the
city officer (whose scope contains the county) sees it handled; another county's officer never sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.extensions import db
from lrc_training.registry.models import ServiceArea
from tests.factories import make_org, make_user

pytestmark = pytest.mark.e2e


def _liaocheng() -> int:
    evaluator = make_org("山东省劳动关系协调师职业技能等级认定中心", kind="evaluator", region_code="370000")
    county_org = make_org("聊城市东昌府区人力资源和社会保障局", kind="hrss", region_code="371502")
    city_org = make_org("聊城市人力资源和社会保障局", kind="hrss", region_code="371500")
    other_org = make_org("阳谷县人力资源和社会保障局", kind="hrss", region_code="371521")
    platform = make_org("古楼街道劳动关系服务站", kind="platform", region_code="371502001", platform_level="township")
    enterprise = make_org("聊城华信机械制造有限公司", kind="enterprise", region_code="371502", employees=1500)
    make_org("阳谷县某企业", kind="enterprise", region_code="371521")
    db.session.add(ServiceArea(platform_id=platform.id, enterprise_id=enterprise.id))
    coordinator = make_user("trainee", username="coord", name="陈晓燕", org=platform)
    issue_certificate(IssueRequest(kind="level", holder_name=coordinator.name, holder_user_id=coordinator.id,
                                   issuer_organization_id=evaluator.id, source_type="manual", level=3))
    make_user("org_staff", username="station", name="孙丽", org=platform)
    make_user("org_staff", username="county", name="郑雪梅", org=county_org)
    make_user("org_staff", username="city", name="吴国栋", org=city_org)
    make_user("org_staff", username="yanggu", name="阳谷人社", org=other_org)
    db.session.commit()
    return coordinator.id


def test_a_high_risk_reaches_the_county_and_is_closed(new_page, sign_in, go_to, screenshot):
    coordinator_id = _liaocheng()

    station = new_page()
    sign_in(station, "station")
    station.goto(f"/registry/people/{coordinator_id}")
    station.get_by_label("工作类型").select_option(label="风险隐患报告")
    station.get_by_label("涉及职工人数").fill("120")
    station.get_by_role("combobox", name="企业").fill("华信")  # the picker: type a word, choose from the matches
    station.get_by_role("option", name=re.compile("聊城华信机械制造有限公司")).click()
    station.get_by_label(re.compile("^严重程度")).select_option(label="重大")
    station.get_by_label("工作内容").fill("连续两个月拖欠工资，部分职工在厂区聚集")
    station.get_by_role("button", name="记录").click()
    expect(station.get_by_role("alert").first).to_be_visible()
    expect(station.locator("main")).to_contain_text("连续两个月拖欠工资")
    screenshot(station, "recorded")

    county = new_page()
    sign_in(county, "county")
    expect(county.get_by_role("link", name=re.compile(r"^\d+ 条未读消息$"))).to_be_visible()
    go_to(county, "信息库", "风险隐患")
    report = county.locator(".card, li, tr").filter(has_text="连续两个月拖欠工资").first
    expect(report).to_contain_text("重大")
    expect(report).to_contain_text("聊城华信机械制造有限公司")
    county.get_by_role("button", name="办结").first.click()
    expect(county.get_by_text("请填写处置情况")).to_be_visible()
    county.get_by_label("处置情况").first.fill("已约谈企业负责人，工资于三日内足额补发，职工情绪稳定")
    county.get_by_role("button", name="办结").first.click()
    expect(county.get_by_role("alert").first).to_contain_text("已办结")
    county.get_by_role("link", name="已处置").click()
    expect(county.locator("main")).to_contain_text("已约谈企业负责人")
    screenshot(county, "closed")

    city = new_page()
    sign_in(city, "city")
    city.goto("/registry/risk-reports?status=closed")
    expect(city.locator("main")).to_contain_text("已约谈企业负责人")

    elsewhere = new_page()
    sign_in(elsewhere, "yanggu")
    for status in ("open", "closed"):
        elsewhere.goto(f"/registry/risk-reports?status={status}")
        expect(elsewhere.locator("main")).not_to_contain_text("拖欠工资")
