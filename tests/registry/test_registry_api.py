"""Registry and statistics: region scoping (province → city → county) and counts on known data."""

from datetime import date

import pytest

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate, revoke
from lrc_training.extensions import db
from lrc_training.registry.models import Honor
from tests.conftest import api_token
from tests.factories import make_org, make_user


@pytest.fixture
def world(client):
    province = make_org("山东省人社厅", kind="hrss", region_code="370000")
    city = make_org("聊城市人社局", kind="hrss", region_code="371500")
    county = make_org("东昌府区人社局", kind="hrss", region_code="371502")
    qingdao = make_org("青岛市人社局", kind="hrss", region_code="370200")
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    e1 = make_org("聊城企业甲", kind="enterprise", region_code="371502")
    e2 = make_org("临清企业乙", kind="enterprise", region_code="371581")
    e3 = make_org("青岛企业丙", kind="enterprise", region_code="370211")
    make_org("聊城企业丁（无协调员）", kind="enterprise", region_code="371502")
    union = make_org("聊城市总工会", kind="union", region_code="371500")
    people = {
        "a": make_user("trainee", name="甲", org=e1), "b": make_user("trainee", name="乙", org=e2),
        "c": make_user("trainee", name="丙", org=e3), "d": make_user("trainee", name="丁", org=union),
        "e": make_user("trainee", name="戊", org=e1),
    }
    levels = {"a": 3, "b": 4, "c": 2, "d": 4}
    for key, level in levels.items():
        issue_certificate(IssueRequest(kind="level", holder_name=people[key].name, holder_user_id=people[key].id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=level))
    extra, _ = issue_certificate(IssueRequest(kind="level", holder_name="甲", holder_user_id=people["a"].id,
                                              issuer_organization_id=evaluator.id, source_type="manual", level=4))
    revoked, _ = issue_certificate(IssueRequest(kind="level", holder_name="戊", holder_user_id=people["e"].id,
                                                issuer_organization_id=evaluator.id, source_type="manual", level=1))
    revoke(revoked, "撤销")
    db.session.add(Honor(user_id=people["a"].id, title="技术能手", granted_by="聊城市人社局", granted_on=date(2026, 5, 1)))
    db.session.commit()
    tokens = {}
    for key, org in (("province", province), ("city", city), ("county", county), ("qingdao", qingdao)):
        make_user("org_staff", username=f"staff_{key}", org=org)
        tokens[key] = api_token(client, f"staff_{key}")
    make_user("admin", username="root")
    tokens["admin"] = api_token(client, "root")
    return {"people": people, "tokens": tokens}


def names(client, headers, query=""):
    body = client.get(f"/api/v1/registry{query}", headers=headers).get_json()
    return sorted(item["name"] for item in body["items"]), body


def test_each_level_sees_only_its_region(client, world):
    t = world["tokens"]
    assert names(client, t["province"])[0] == ["丁", "丙", "乙", "甲"]
    assert names(client, t["city"])[0] == ["丁", "乙", "甲"]
    assert names(client, t["county"])[0] == ["甲"]
    assert names(client, t["qingdao"])[0] == ["丙"]
    assert names(client, t["admin"])[0] == ["丁", "丙", "乙", "甲"]


def test_registry_rows_carry_level_certificates_and_honors(client, world):
    _, body = names(client, world["tokens"]["county"])
    row = body["items"][0]
    assert row["highest_level"] == "3" and len(row["certificate_numbers"]) == 2
    assert row["organization_kind"] == "enterprise" and row["region_code"] == "371502"
    assert row["honors"][0]["title"] == "技术能手"
    assert names(client, world["tokens"]["province"], "?level=4")[0] == ["丁", "乙"]
    assert names(client, world["tokens"]["province"], "?organization_kind=union")[0] == ["丁"]


def test_statistics_by_level_kind_subregion_and_coverage(client, world):
    stats = client.get("/api/v1/statistics", headers=world["tokens"]["province"]).get_json()
    assert stats["total"] == 4
    assert stats["by_level"] == {"4": 2, "3": 1, "2": 1, "1": 0}
    assert stats["by_organization_kind"] == {"enterprise": 3, "union": 1}
    cities = {row["region_code"]: row["total"] for row in stats["by_subregion"]}
    assert cities["371500"] == 3 and cities["370200"] == 1 and cities["370100"] == 0
    assert stats["coverage"] == {"enterprises": 4, "enterprises_with_coordinator": 3, "covered": 3,
                                 "covered_by_own": 3, "covered_by_platform": 0}
    city = client.get("/api/v1/statistics?region_code=371500", headers=world["tokens"]["province"]).get_json()
    counties = {row["region_code"]: row["total"] for row in city["by_subregion"]}
    assert city["total"] == 3 and counties["371502"] == 1 and counties["371581"] == 1


def test_outside_the_scope_is_403_and_invisible(client, world):
    t = world["tokens"]
    assert client.get("/api/v1/statistics?region_code=370200", headers=t["city"]).status_code == 403
    assert client.get("/api/v1/statistics?region_code=370000", headers=t["county"]).status_code == 403
    assert client.get("/api/v1/registry?region_code=370200", headers=t["city"]).status_code == 403
    assert client.get("/api/v1/statistics?region_code=12", headers=t["city"]).status_code == 422
    make_user("trainee", username="nobody")
    assert client.get("/api/v1/statistics", headers=api_token(client, "nobody")).status_code == 403


def test_staff_add_a_coordinator_certified_elsewhere(client, world):
    person = make_user("trainee", name="己", org=db.session.get(type(world["people"]["a"].organization),
                                                              world["people"]["a"].organization_id))
    body = {"user_id": person.id, "position": "劳动关系协调员", "full_time": True,
            "certificate_number": "S000037150001253000099", "level": 3}
    created = client.post("/api/v1/registry", json=body, headers=world["tokens"]["county"])
    assert created.status_code == 201
    assert client.post("/api/v1/registry", json=body, headers=world["tokens"]["county"]).status_code == 409
    assert "己" in names(client, world["tokens"]["county"])[0]
    outsider = client.post("/api/v1/registry", json=body | {"user_id": world["people"]["c"].id},
                           headers=world["tokens"]["county"])
    assert outsider.status_code == 404
