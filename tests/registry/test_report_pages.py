"""报表上报 and 目标考核 pages: the navigation for 人社 staff only; a city's list of its counties with 迟报/未报
highlighted (and the grace days configurable); make, submit, return with a reason (a Chinese error without one),
approve through the forms; the report's PDF and Excel with the frozen figures and the children's roll-up;
outsiders 404 on the page and the downloads; targets set through the form, ranked, with Chinese field errors."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from lrc_training.core.levels import level_label
from lrc_training.extensions import db
from lrc_training.registry.models import RegionTarget, Report
from tests.conftest import api_token, login, post_form
from tests.registry.conftest import QUARTER, TODAY, create

LONG_AGO = str(TODAY.year - 2)  # a period whose deadline has passed whatever today is


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def signed_in(app, username):
    client = app.test_client()
    login(client, username)
    return client


def test_the_navigation_shows_reporting_to_hrss_staff_only(app, report_world):
    page = signed_in(app, "county").get("/dashboard").get_data(as_text=True)
    assert "报表上报" in page and "目标考核" in page
    page = signed_in(app, "union").get("/dashboard").get_data(as_text=True)
    assert "报表上报" not in page and "目标考核" not in page
    union = signed_in(app, "union")
    assert "您所在单位没有需要上报或审核的报表" in union.get("/registry/reports").get_data(as_text=True)
    assert "您所在单位不设定目标" in union.get("/registry/targets").get_data(as_text=True)
    refused = post_form(union, "/registry/targets", {"region_code": "371502", "year": TODAY.year,
                                                      "coordinators": 1, "coverage_percent": "10"},
                        token_from="/registry/reports")
    assert refused.status_code == 422
    assert db.session.execute(select(RegionTarget)).first() is None


def test_the_city_sees_late_and_missing_counties(app, client, report_world):
    create(client, "county", LONG_AGO)  # a draft long after the deadline: 迟报; 阳谷县 made none: 未报
    city = signed_in(app, "city")
    page = city.get(f"/registry/reports?period={LONG_AGO}").get_data(as_text=True)
    assert "迟报/未报 2 个" in page
    assert page.count('class="table-danger"') == 2
    assert "未上报（草稿）" in page and ">迟报</span>" in page and ">未报</span>" in page

    app.config["LRC_REPORT_GRACE_DAYS"] = 100_000
    try:
        page = city.get(f"/registry/reports?period={LONG_AGO}").get_data(as_text=True)
    finally:
        app.config["LRC_REPORT_GRACE_DAYS"] = 10
    assert "table-danger" not in page and "迟报/未报" not in page


def test_a_bad_period_in_the_address_falls_back_with_a_message(app, report_world):
    page = signed_in(app, "city").get("/registry/reports?period=2026-Q9").get_data(as_text=True)
    assert "报告期“2026-Q9”无效" in page and "下级地区上报情况" in page


def test_the_report_flow_through_the_pages(app, report_world):
    county, city = signed_in(app, "county"), signed_in(app, "city")
    response = post_form(county, "/registry/reports", {"period": QUARTER}, token_from=f"/registry/reports?period={QUARTER}")
    assert response.status_code == 302
    report = db.session.execute(select(Report)).scalar_one()
    detail = f"/registry/reports/{report.id}"
    assert response.headers["Location"].endswith(detail)
    page = county.get(detail).get_data(as_text=True)
    assert "协调员按等级" in page and "报告期内劳动关系风险隐患" in page and "上报" in page
    assert city.get(detail).status_code == 403  # a draft: the city sees only its status

    post_form(county, f"{detail}/submit", {"version": report.version}, token_from=detail)
    page = city.get(detail).get_data(as_text=True)
    assert "审核通过" in page and "退回修改" in page
    refused = post_form(city, f"{detail}/return", {"reason": ""}, token_from=detail)
    assert refused.status_code == 422 and "请填写退回原因" in refused.get_data(as_text=True)
    post_form(city, f"{detail}/return", {"reason": "请补充园区企业", "version": 2}, token_from=detail)
    page = county.get(detail).get_data(as_text=True)
    assert "上级退回" in page and "请补充园区企业" in page and "再次上报" in page

    post_form(county, f"{detail}/refresh", {"version": 3}, token_from=detail)
    post_form(county, f"{detail}/submit", {"version": 4}, token_from=detail)
    stale = post_form(city, f"{detail}/approve", {"version": 4}, token_from=detail, follow_redirects=True)
    assert "已被他人修改" in stale.get_data(as_text=True)
    post_form(city, f"{detail}/approve", {"version": 5}, token_from=detail)
    db.session.refresh(report)
    assert report.status == "approved"
    assert "已审核通过" in city.get(f"/registry/reports?period={QUARTER}").get_data(as_text=True)


def test_outsiders_get_404_on_the_page_and_the_downloads(app, client, report_world):
    rid = create(client)["id"]
    client.post(f"/api/v1/reports/{rid}/submit", headers=api_token(client, "county"))
    for who in ("sibling", "province"):
        browser = signed_in(app, who)
        for suffix in ("", ".pdf", ".xlsx"):
            response = browser.get(f"/registry/reports/{rid}{suffix}")
            assert response.status_code == 404, (who, suffix)
            assert "东昌府" not in response.get_data(as_text=True)
        assert post_form(browser, f"/registry/reports/{rid}/approve", {}, token_from="/registry/reports"
                         ).headers["Location"].endswith(f"/registry/reports/{rid}")
    db.session.expire_all()
    assert db.session.get(Report, rid).status == "submitted"


@pytest.fixture
def city_report(client, report_world):
    rid = create(client)["id"]
    client.post(f"/api/v1/reports/{rid}/submit", headers=api_token(client, "county"))
    client.post(f"/api/v1/reports/{rid}/approve", headers=api_token(client, "city"))
    return create(client, "city")["id"]


def test_the_pdf_shows_the_figures_and_the_roll_up(app, report_world, city_report):
    response = signed_in(app, "city").get(f"/registry/reports/{city_report}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    for words in ("聊城市", "劳动关系协调员队伍建设情况报表", "协调员按等级", "企业覆盖", "下级地区报表汇总",
                  "东昌府区", "已审核通过", "阳谷县", "未报"):
        assert words in text, words


def test_the_workbook_has_the_same_tables(app, report_world, city_report):
    response = signed_in(app, "city").get(f"/registry/reports/{city_report}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    values = [[c for c in row] for row in book["报表"].iter_rows(values_only=True)]
    flat = [v for row in values for v in row if v is not None]
    assert flat[0].startswith("聊城市") and "协调员按等级" in flat and "报告期内工作情况" in flat
    assert [level_label("3"), 1] in [list(r[:2]) for r in values]
    children = [list(r) for r in book["下级地区"].iter_rows(values_only=True)]
    assert children[1][:3] == ["地区", "状态", "协调员"]
    assert children[2][:3] == ["东昌府区", "已审核通过", 1]
    assert children[3][:2] == ["阳谷县", "未报"]


def test_targets_are_set_through_the_form_and_ranked(app, client, report_world):
    province = signed_in(app, "province")
    page = province.get("/registry/targets").get_data(as_text=True)
    assert "聊城市" in page and "青岛市" in page and "未设目标" in page
    bad = post_form(province, f"/registry/targets?year={TODAY.year}", {
        "region_code": "371500", "year": TODAY.year, "coordinators": 2, "coverage_percent": "120"})
    assert bad.status_code == 422 and "应在 0–100 之间" in bad.get_data(as_text=True)
    for code, wanted in (("371500", 2), ("370200", 10)):
        response = post_form(province, f"/registry/targets?year={TODAY.year}", {
            "region_code": code, "year": TODAY.year, "coordinators": wanted, "coverage_percent": "50"})
        assert response.status_code == 302
    targets = {t.scope: t for t in db.session.execute(select(RegionTarget)).scalars()}
    assert targets["3715"].coordinators == 2 and targets["3715"].coverage_share == 0.5
    page = province.get(f"/registry/targets?year={TODAY.year}").get_data(as_text=True)
    # 聊城市: 1 of 2 coordinators (50%) and 1 of 1 enterprises covered (200% of 50%) → 125%, first; 青岛市 0%.
    table = page[page.index("targets-table"):]
    assert table.index("聊城市") < table.index("青岛市")
    assert "125%" in table and "target-chart" in page
    edit = province.get(f"/registry/targets?year={TODAY.year}&edit=371500").get_data(as_text=True)
    assert 'value="2"' in edit


def test_a_county_cannot_set_its_own_or_a_sibling_target(app, report_world):
    county = signed_in(app, "county")
    response = post_form(county, "/registry/targets", {"region_code": "371521", "year": TODAY.year,
                                                         "coordinators": 2, "coverage_percent": "50"})
    assert response.status_code == 422  # not among the county's own subregions
    assert db.session.execute(select(RegionTarget)).first() is None
