"""Region codes: the national county-level table, 兵团 codes, township and community codes below a county, the
one scope rule, names loaded for sub-county codes, and drill-downs that no longer lose counties."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from lrc_training.core.models import AuditLog, RegionName
from lrc_training.core.regions import (
    COUNTIES,
    in_region,
    region_display,
    region_level,
    region_path,
    region_scope,
    region_table,
    subregions,
    validate_region_code,
)
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.factories import make_org, make_user

ROOT = Path(__file__).resolve().parents[2]


def test_every_county_of_the_country_is_named():
    assert COUNTIES["370321"] == "桓台县"
    assert region_display("370321") == "山东省 / 淄博市 / 桓台县"
    assert ("370321", "桓台县") in subregions("370300")
    assert region_display("654301") == "新疆维吾尔自治区 / 阿勒泰地区 / 阿勒泰市"
    assert region_display("110105") == "北京市 / 朝阳区"  # the 市辖区 grouping is not part of a name
    assert region_display("441900") == "广东省 / 东莞市"
    table = region_table()
    assert len(table.provinces) == 35 and len(table.cities) > 340 and len(table.counties) > 2900
    assert any("国家统计局" in line for line in table.source)


def test_bingtuan_codes_are_real_divisions():
    for code in ("660000", "660100", "661400"):
        assert validate_region_code(code) is None, code
    assert region_display("660100") == "新疆生产建设兵团 / 第一师阿拉尔市"
    assert region_level("660000") == "province" and region_level("660800") == "city"
    assert validate_region_code("661500") is not None  # there is no 15th division


@pytest.mark.parametrize(("code", "ok"), [
    ("371502", True), ("371500", True), ("370000", True),
    ("371502001", True), ("371502001001", True), ("371502001000", True), ("441900003", True),
    ("371599", False), ("371599001", False), ("371500001", False), ("371502000001", False),
    ("370030", False), ("990000", False), ("37150", False), ("3715020010", False), ("37150200100a", False),
    ("", False),
])
def test_a_code_that_is_not_a_real_division_is_refused(code, ok):
    assert (validate_region_code(code) is None) is ok, validate_region_code(code)


def test_scope_is_the_code_without_trailing_zero_groups():
    assert region_scope("370000") == "37"
    assert region_scope("371500") == "3715"
    assert region_scope("371502") == "371502"
    assert region_scope("371502001000") == "371502001"
    assert region_scope("371502001001") == "371502001001"
    assert region_scope("371502000000") == "371502"
    assert region_scope("3715") == "3715"  # a scope given again is unchanged


def test_in_region_compares_whole_groups():
    assert in_region("371002", "371000") and not in_region("371102", "371000")  # 日照 is not in 威海
    assert not in_region("371702", "371000")  # nor 菏泽
    assert in_region("500101", "500000") and not in_region("510104", "500000")  # 重庆 does not hold 四川
    assert in_region("370830", "370830") and not in_region("370831", "370830")
    assert in_region("371502001001", "371502001000") and not in_region("371502002001", "371502001")


def test_the_table_is_read_on_first_use_not_at_start():
    """Creating the app does not read the table; the first lookup does, once, quickly."""
    script = (
        "import time\n"
        "from lrc_training import create_app\n"
        "from lrc_training.core import regions\n"
        "create_app({'ENV_NAME': 'testing', 'SQLALCHEMY_DATABASE_URI': 'sqlite://'})\n"
        "assert regions._table is None, 'read at start'\n"
        "start = time.perf_counter()\n"
        "assert regions.COUNTIES['370321'] == '桓台县'\n"
        "first = regions._table\n"
        "assert regions.region_name('371502') == '东昌府区' and regions._table is first\n"
        "print(round(time.perf_counter() - start, 4))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,  # noqa: S603
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip().splitlines()[-1]) < 0.5


# -- the API and pages --------------------------------------------------------------------------------------------

@pytest.fixture
def admin(client):
    make_user("admin", username="region_admin", org=make_org("山东省人社厅", kind="platform", region_code="370000"))
    return api_token(client, "region_admin")


@pytest.mark.parametrize("code", ["660000", "660100", "370321", "371502001", "371502001001"])
def test_organizations_accept_real_codes_at_every_level(client, admin, code):
    response = client.post("/api/v1/organizations", json={"name": f"机构{code}", "kind": "platform",
                                                           "region_code": code}, headers=admin)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["region_code"] == code


@pytest.mark.parametrize("code", ["371599", "371599001", "371502000001", "661500"])
def test_organizations_refuse_codes_that_are_not_divisions(client, admin, code):
    response = client.post("/api/v1/organizations", json={"name": "某机构", "kind": "platform", "region_code": code},
                           headers=admin)
    assert response.status_code == 422
    assert "region_code" in response.get_json()["fields"]


def test_loaded_township_names_show_on_pages_and_in_the_api(app, client, admin, runner, tmp_path):
    org = client.post("/api/v1/organizations", json={"name": "古楼街道协调服务站", "kind": "platform",
                                                     "region_code": "371502001"}, headers=admin).get_json()
    assert org["region_name"] == "山东省 / 聊城市 / 东昌府区 / 371502001"  # no names loaded yet: the code
    names = tmp_path / "streets.csv"
    names.write_text('code,name,areaCode\n371502001,"古楼街道",371502\n371502001001,"东关社区居委会",371502\n'
                     "371502002,柳园街道,371502\n", encoding="utf-8")
    result = runner.invoke(args=["regions", "load", str(names)])
    assert result.exit_code == 0, result.output
    assert "新增 3" in result.output
    fetched = client.get(f"/api/v1/organizations/{org['id']}", headers=admin).get_json()
    assert fetched["region_name"] == "山东省 / 聊城市 / 东昌府区 / 古楼街道"
    login(client, "region_admin")
    page = client.get("/admin/organizations").get_data(as_text=True)
    assert "东昌府区 / 古楼街道" in page
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "regions.load")).scalar_one()
    assert audit.new["added"] == 3


def test_loading_names_refuses_a_file_with_bad_lines_and_loads_nothing(runner, tmp_path):
    names = tmp_path / "names.tsv"
    names.write_text("371502001\t古楼街道\n371599001\t不存在的街道\n12345\t短代码\n", encoding="utf-8")
    result = runner.invoke(args=["regions", "load", str(names)])
    assert result.exit_code != 0
    assert "第 2 行" in result.output and "371599" in result.output and "第 3 行" in result.output
    assert db.session.execute(select(RegionName)).first() is None
    loaded = runner.invoke(args=["regions", "load", "--skip-invalid", str(names)])
    assert loaded.exit_code == 0 and "新增 1" in loaded.output
    again = tmp_path / "renamed.tsv"
    again.write_text("371502001000\t古楼街道办事处\n", encoding="utf-8")  # 12-digit form of the same township
    assert "更名 1" in runner.invoke(args=["regions", "load", str(again)]).output
    db.session.expire_all()
    assert db.session.get(RegionName, "371502001").name == "古楼街道办事处"


def test_a_community_code_is_named_down_the_whole_path():
    db.session.add_all([RegionName(code="371502001", name="古楼街道"),
                        RegionName(code="371502001001", name="东关社区居委会")])
    db.session.flush()
    assert [name for _, name in region_path("371502001001")] == [
        "山东省", "聊城市", "东昌府区", "古楼街道", "东关社区居委会"]


def test_admin_form_takes_a_community_code(client, admin):
    login(client, "region_admin")
    response = post_form(client, "/admin/organizations/new", {
        "name": "东关社区协调服务站", "kind": "platform", "region_code": "371502001001", "active": "y"},
        follow_redirects=True)
    assert "东关社区协调服务站" in response.get_data(as_text=True)
    bad = post_form(client, "/admin/organizations/new", {
        "name": "某社区", "kind": "platform", "region_code": "371599001001", "active": "y"})
    assert "371599 不是有效的县级行政区划代码" in bad.get_data(as_text=True)


def test_city_drill_down_lists_every_county_and_a_county_its_townships(client, admin):
    make_org("桓台县企业", kind="enterprise", region_code="370321")
    city = client.get("/api/v1/statistics?region_code=370300", headers=admin).get_json()
    counties = {row["region_code"]: row["name"] for row in city["by_subregion"]}
    assert counties["370321"] == "桓台县" and counties["370323"] == "沂源县"
    db.session.add(RegionName(code="371502001", name="古楼街道"))
    db.session.commit()
    make_org("古楼街道服务站", kind="platform", region_code="371502001")
    county = client.get("/api/v1/statistics?region_code=371502", headers=admin).get_json()
    assert {row["region_code"]: row["name"] for row in county["by_subregion"]} == {"371502001": "古楼街道"}
    township = client.get("/api/v1/statistics?region_code=371502001", headers=admin)
    assert township.status_code == 200 and township.get_json()["scope"] == "371502001"
    assert client.get("/api/v1/statistics?region_code=371599", headers=admin).status_code == 422


def test_dashboard_drills_from_a_county_to_its_townships(client, admin):
    db.session.add(RegionName(code="371502001", name="古楼街道"))
    db.session.commit()
    make_org("古楼街道服务站", kind="platform", region_code="371502001")
    login(client, "region_admin")
    county = client.get("/registry/?region_code=371502").get_data(as_text=True)
    assert "古楼街道" in county and "region_code=371502001" in county
    township = client.get("/registry/?region_code=371502001")
    text = township.get_data(as_text=True)
    assert township.status_code == 200 and "东昌府区" in text and "山东省 / 聊城市 / 东昌府区 / 古楼街道" in text
    assert client.get("/registry/?region_code=371599001").status_code == 400  # not a division
