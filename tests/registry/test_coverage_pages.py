"""The coverage page of a 人社 department: per subregion, enterprises covered by their own coordinator or by a
platform, and the uncovered ones — largest first, filtered by size, downloadable — only within the caller's view."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.extensions import db
from lrc_training.registry.models import ServiceArea
from tests.conftest import login
from tests.factories import make_org, make_user


@pytest.fixture
def county(client):
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    orgs = {
        "city": make_org("聊城市人社局", kind="hrss", region_code="371500"),
        "county": make_org("东昌府区人社局", kind="hrss", region_code="371502"),
        "qingdao": make_org("青岛市人社局", kind="hrss", region_code="370200"),
        "platform": make_org("古楼街道劳动关系服务站", kind="platform", region_code="371502"),
        "own": make_org("有协调员的企业", kind="enterprise", region_code="371502", employees=800),
        "served": make_org("平台服务的企业", kind="enterprise", region_code="371502", employees=60),
        "big": make_org("无人覆盖的大企业", kind="enterprise", region_code="371502", employees=1500),
        "small": make_org("无人覆盖的小微企业", kind="enterprise", region_code="371502", employees=12),
        "linqing": make_org("临清无人覆盖企业", kind="enterprise", region_code="371581", employees=300),
        "qd": make_org("青岛无人覆盖企业", kind="enterprise", region_code="370211", employees=5000),
    }
    for key in ("own", "platform"):
        person = make_user("trainee", org=orgs[key])
        issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=4))
    db.session.add(ServiceArea(platform_id=orgs["platform"].id, enterprise_id=orgs["served"].id))
    db.session.commit()
    for key in ("city", "county", "qingdao", "own"):
        make_user("org_staff", username=f"staff_{key}", org=orgs[key])
    return orgs


def rows_of(page: str, *names: str) -> list[str]:
    return [n for n in names if n in page]


def test_the_city_sees_coverage_per_county_and_the_uncovered_largest_first(client, county):
    login(client, "staff_city")
    page = client.get("/registry/coverage").get_data(as_text=True)
    assert "东昌府区" in page and "临清市" in page
    # 东昌府区: 4 enterprises, 1 by its own coordinator, 1 by the street platform, 2 uncovered.
    assert "50.0%" in page and "0.0%" in page  # 临清: its only enterprise is uncovered
    listed = rows_of(page, "无人覆盖的大企业", "临清无人覆盖企业", "无人覆盖的小微企业")
    assert listed == ["无人覆盖的大企业", "临清无人覆盖企业", "无人覆盖的小微企业"]
    assert page.index("无人覆盖的大企业") < page.index("临清无人覆盖企业") < page.index("无人覆盖的小微企业")
    assert "有协调员的企业" not in page and "平台服务的企业" not in page and "青岛无人覆盖企业" not in page

    sized = client.get("/registry/coverage?min_employees=100").get_data(as_text=True)
    assert "无人覆盖的大企业" in sized and "临清无人覆盖企业" in sized and "无人覆盖的小微企业" not in sized
    drilled = client.get("/registry/coverage?region_code=371581").get_data(as_text=True)
    assert "临清无人覆盖企业" in drilled and "无人覆盖的大企业" not in drilled


def test_the_uncovered_list_downloads_as_excel(client, county):
    login(client, "staff_county")
    response = client.get("/registry/coverage/uncovered.xlsx?min_employees=20")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("企业", "地区", "职工人数")
    assert [r[0] for r in rows[1:]] == ["无人覆盖的大企业"]
    assert rows[1][2] == 1500


def test_other_scopes_and_enterprises_see_only_their_own(client, app, county):
    login(client, "staff_qingdao")
    assert client.get("/registry/coverage?region_code=371502").status_code == 403
    page = client.get("/registry/coverage").get_data(as_text=True)
    assert "青岛无人覆盖企业" in page and "无人覆盖的大企业" not in page
    hr = app.test_client()
    login(hr, "staff_own")  # an enterprise's HR officer: their own enterprise only, and it is covered
    page = hr.get("/registry/coverage").get_data(as_text=True)
    assert "没有未覆盖的企业" in page and "无人覆盖的大企业" not in page


def test_bad_filters_are_ignored_not_errors(client, county):
    login(client, "staff_city")
    for query in ("min_employees=abc", "min_employees=7", "min_employees=-1", "page=x", "region_code=99"):
        response = client.get(f"/registry/coverage?{query}")
        assert response.status_code in (200, 400), query
    assert client.get("/registry/coverage?region_code=99").status_code == 400


def test_the_page_costs_the_same_statements_however_many_enterprises(client, county, count_queries):
    login(client, "staff_city")
    client.get("/registry/coverage")
    with count_queries() as before:
        client.get("/registry/coverage")
    for i in range(30):
        make_org(f"新企业{i}", kind="enterprise", region_code="371502", employees=i + 1)
    with count_queries() as after:
        assert client.get("/registry/coverage").status_code == 200
    assert after.count == before.count
