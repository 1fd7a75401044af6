"""Who may read and edit the registry (by the kind of the staff member's organization), coordinators without an
organization, platforms' service areas and coverage, categories and regional targets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrc_training.auth.models import User
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.core.errors import Forbidden
from lrc_training.core.models import AuditLog
from lrc_training.db import utcnow
from lrc_training.extensions import db
from lrc_training.registry.models import RegistryEntry
from lrc_training.registry.services.importing import import_registry
from tests.conftest import api_token, login, post_form
from tests.factories import make_org, make_user, valid_id_number


@pytest.fixture
def world(client):
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    orgs = {
        "province": make_org("山东省人社厅", kind="hrss", region_code="370000"),
        "city": make_org("聊城市人社局", kind="hrss", region_code="371500"),
        "county": make_org("东昌府区人社局", kind="hrss", region_code="371502"),
        "qingdao": make_org("青岛市人社局", kind="hrss", region_code="370200"),
        "union": make_org("聊城市总工会", kind="union", region_code="371500"),
        "platform": make_org("古楼街道劳动关系服务站", kind="platform", region_code="371502"),
        "a": make_org("聊城企业甲", kind="enterprise", region_code="371502"),
        "b": make_org("聊城企业乙", kind="enterprise", region_code="371502"),
        "c": make_org("临清企业丙", kind="enterprise", region_code="371581"),
        "d": make_org("聊城小微企业丁", kind="enterprise", region_code="371502"),  # no coordinator of its own
        "qd": make_org("青岛企业戊", kind="enterprise", region_code="370211"),
    }
    people = {key: make_user("trainee", name=name, org=orgs[key])
              for key, name in (("a", "甲"), ("b", "乙"), ("c", "丙"), ("platform", "平"), ("qd", "青"))}
    # A certificate holder with no organization: counted under the home region of the ID number (临清市 371581).
    people["nobody"] = make_user("trainee", name="无单位", org=None)
    people["nobody"].id_number = valid_id_number(region="371581", seq=777)
    for person in people.values():
        issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=4))
    db.session.commit()
    tokens = {}
    for key in ("province", "city", "county", "qingdao", "union", "platform", "a"):
        make_user("org_staff", username=f"staff_{key}", org=orgs[key])
        tokens[key] = api_token(client, f"staff_{key}")
    make_user("admin", username="root")
    tokens["admin"] = api_token(client, "root")
    return {"orgs": orgs, "people": people, "tokens": tokens}


def names(client, headers, query=""):
    response = client.get(f"/api/v1/registry{query}", headers=headers)
    assert response.status_code == 200
    return sorted(item["name"] for item in response.get_json()["items"])


def put(client, headers, user_id, **body):
    return client.put(f"/api/v1/registry/{user_id}", headers=headers,
                      json={"position": "劳动关系专员", "full_time": True, "version": None, **body})


def test_enterprise_hr_sees_and_edits_nothing_outside_its_own_enterprise(client, world):
    t, p = world["tokens"], world["people"]
    assert names(client, t["a"]) == ["甲"]
    other = p["b"]  # another enterprise in the same county
    assert client.get(f"/api/v1/registry/{other.id}", headers=t["a"]).status_code == 404
    assert put(client, t["a"], other.id).status_code == 404
    assert put(client, t["a"], p["a"].id).status_code == 403  # its own coordinator: read only
    stats = client.get("/api/v1/statistics", headers=t["a"]).get_json()
    assert stats["total"] == 1 and stats["coverage"]["enterprises"] == 1
    assert client.get("/api/v1/statistics?region_code=371500", headers=t["a"]).status_code == 403
    assert db.session.execute(select(RegistryEntry)).scalars().all() == []

    login(client, "staff_a")
    assert client.get(f"/registry/people/{other.id}").status_code == 404
    page = client.get("/registry/list").get_data(as_text=True)
    assert "甲" in page and "乙" not in page and "Excel 导入" not in page
    own = client.get(f"/registry/people/{p['a'].id}").get_data(as_text=True)
    assert "只有查看权限" in own and 'name="position"' not in own
    response = post_form(client, f"/registry/people/{p['a'].id}", {"position": "篡改", "full_time": "1"},
                         token_from=f"/registry/people/{p['a'].id}")
    assert response.status_code == 302
    assert client.get("/registry/import").status_code == 302  # sent back to the list with the reason
    assert db.session.execute(select(RegistryEntry)).scalars().all() == []


def test_enterprise_hr_cannot_import(world):
    hr = db.session.execute(select(User).where(User.username == "staff_a")).scalar_one()
    with pytest.raises(Forbidden):
        import_registry(hr, None)


def test_union_reads_the_region_but_cannot_edit(client, world):
    t, p = world["tokens"], world["people"]
    assert names(client, t["union"]) == ["丙", "乙", "平", "无单位", "甲"]
    assert client.get(f"/api/v1/registry/{p['b'].id}", headers=t["union"]).status_code == 200
    response = put(client, t["union"], p["b"].id)
    assert response.status_code == 403 and response.get_json()["error"] == "read_only"
    assert client.get(f"/api/v1/registry/{p['qd'].id}", headers=t["union"]).status_code == 404
    assert client.post("/api/v1/registry", headers=t["union"], json={"user_id": p["b"].id}).status_code == 403


def test_hrss_edits_categories_with_a_version_check(client, world):
    t, p = world["tokens"], world["people"]
    response = put(client, t["city"], p["b"].id, category=["party_member", "negotiation_instructor"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["category"] == ["negotiation_instructor", "party_member"] and body["full_time"] is True
    stale = put(client, t["city"], p["b"].id, category=["union_cadre"], version=body["version"] - 1)
    assert stale.status_code == 409
    bad = put(client, t["city"], p["b"].id, category=["boss"], version=body["version"])
    assert bad.status_code == 422 and any(f.startswith("category") for f in bad.get_json()["fields"])
    again = client.get(f"/api/v1/registry/{p['b'].id}", headers=t["union"]).get_json()
    assert again["category"] == ["negotiation_instructor", "party_member"]
    stats = client.get("/api/v1/statistics", headers=t["city"]).get_json()
    assert stats["by_category"] == {"negotiation_instructor": 1, "party_member": 1, "union_cadre": 0,
                                    "full_time": 1, "part_time": 4}
    assert put(client, t["qingdao"], p["b"].id, version=body["version"]).status_code == 404


def test_a_platform_sees_its_own_and_its_service_area(client, world):
    t, p, orgs = world["tokens"], world["people"], world["orgs"]
    assert names(client, t["platform"]) == ["平"]
    url = f"/api/v1/organizations/{orgs['platform'].id}/service-area"
    assert client.put(url, headers=t["platform"], json={"enterprise_ids": [orgs["b"].id]}).status_code == 403
    assert client.put(url, headers=t["union"], json={"enterprise_ids": [orgs["b"].id]}).status_code == 403
    outside = client.put(url, headers=t["city"], json={"enterprise_ids": [orgs["b"].id, orgs["qd"].id]})
    assert outside.status_code == 422 and "enterprise_ids" in outside.get_json()["fields"]
    not_enterprise = client.put(url, headers=t["city"], json={"enterprise_ids": [orgs["union"].id]})
    assert not_enterprise.status_code == 422
    assert client.put(url, headers=t["qingdao"], json={"enterprise_ids": []}).status_code == 404
    response = client.put(url, headers=t["city"], json={"enterprise_ids": [orgs["b"].id, orgs["d"].id]})
    assert response.status_code == 200
    assert client.get(url, headers=t["platform"]).get_json()["enterprise_ids"] == sorted([orgs["b"].id, orgs["d"].id])
    assert names(client, t["platform"]) == ["乙", "平"]
    assert client.get(f"/api/v1/registry/{p['a'].id}", headers=t["platform"]).status_code == 404
    assert db.session.execute(select(AuditLog).where(AuditLog.action == "registry.service_area")).scalar()


def test_coverage_by_own_coordinators_and_by_platforms(client, world):
    t, orgs = world["tokens"], world["orgs"]
    before = client.get("/api/v1/statistics?region_code=371502", headers=t["city"]).get_json()["coverage"]
    assert before == {"enterprises": 3, "covered": 2, "covered_by_own": 2, "covered_by_platform": 0,
                      "enterprises_with_coordinator": 2}
    client.put(f"/api/v1/organizations/{orgs['platform'].id}/service-area", headers=t["city"],
               json={"enterprise_ids": [orgs["b"].id, orgs["d"].id]})
    after = client.get("/api/v1/statistics?region_code=371502", headers=t["city"]).get_json()["coverage"]
    assert after == {"enterprises": 3, "covered": 3, "covered_by_own": 2, "covered_by_platform": 1,
                     "enterprises_with_coordinator": 2}


def test_a_certificate_holder_without_an_organization_counts_in_the_home_region(client, world):
    t, p = world["tokens"], world["people"]
    city = client.get("/api/v1/statistics", headers=t["city"]).get_json()
    assert city["total"] == 5 and city["by_organization_kind"]["none"] == 1
    counties = {row["region_code"]: row["total"] for row in city["by_subregion"]}
    assert counties["371581"] == 2 and counties["371502"] == 3  # 临清: 丙 and the person without an organization
    row = next(r for r in client.get("/api/v1/registry", headers=t["city"]).get_json()["items"]
               if r["name"] == "无单位")
    assert row["organization_id"] is None and row["region_code"] == "371581"
    assert "无单位" not in names(client, t["qingdao"]) and "无单位" not in names(client, t["county"])
    assert client.get(f"/api/v1/registry/{p['nobody'].id}", headers=t["county"]).status_code == 404


def test_statistics_statement_count_does_not_grow(client, world, count_queries):
    t = world["tokens"]
    with count_queries() as few:
        assert client.get("/api/v1/statistics", headers=t["city"]).status_code == 200
    evaluator = make_org("另一认定中心", kind="evaluator", region_code="370000")
    for n in range(15):
        person = make_user("trainee", name=f"新{n}", org=world["orgs"]["d"])
        issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=3))
    db.session.commit()
    with count_queries() as many:
        assert client.get("/api/v1/statistics", headers=t["city"]).get_json()["total"] == 20
    assert many.count == few.count


def test_targets_are_set_by_the_parent_region_only(client, world):
    t = world["tokens"]
    year = utcnow().year
    body = {"year": year, "coordinators": 10, "coverage_share": 0.8}
    assert client.put("/api/v1/targets/371502", headers=t["county"], json=body).status_code == 403  # its own
    assert client.put("/api/v1/targets/371500", headers=t["city"], json=body).status_code == 403
    assert client.put("/api/v1/targets/371502", headers=t["qingdao"], json=body).status_code == 403
    assert client.put("/api/v1/targets/371502", headers=t["union"], json=body).status_code == 403
    bad = client.put("/api/v1/targets/999999", headers=t["city"], json=body)
    assert bad.status_code == 422 and "region_code" in bad.get_json()["fields"]
    share = client.put("/api/v1/targets/371502", headers=t["city"], json={**body, "coverage_share": 1.5})
    assert share.status_code in (400, 422) and "coverage_share" in share.get_json()["fields"]
    assert client.put("/api/v1/targets/371502", headers=t["city"], json=body).status_code == 200
    assert client.put("/api/v1/targets/371500", headers=t["province"],
                      json={"year": year, "coordinators": 50, "coverage_share": 0.5}).status_code == 200

    county = client.get("/api/v1/statistics", headers=t["county"]).get_json()
    assert county["target"]["coordinators"] == 10 and county["target"]["coverage_share"] == 0.8
    # 3 coordinators of 10; 2 of 3 enterprises covered (0.667) against 0.8
    assert county["target"]["progress"] == {"coordinators": 0.3, "coverage_share": 0.83}
    city = client.get("/api/v1/statistics", headers=t["city"]).get_json()
    assert city["target"]["progress"]["coordinators"] == 0.1
    assert "target" not in client.get("/api/v1/statistics", headers=t["qingdao"]).get_json()
    login(client, "staff_county")
    page = client.get("/registry/").get_data(as_text=True)
    assert f"{year} 年目标完成情况" in page and "完成 30%" in page
