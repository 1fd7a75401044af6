"""Coordinators' work records and risk reports: the API contract (201 with the record, 422 naming the field,
403/404 for outsiders), a risk report reaching the hrss of the enterprise's county and not another county's,
a high one notifying that county's staff (or the city's when the county has no hrss), the close flow (audited,
409 the second time), and the pages: the form on the registry record keeping its input with Chinese errors,
counts per kind, 风险隐患 in the navigation of hrss staff only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lrc_training.auth.models import Organization
from lrc_training.auth.services.accreditation import local_today
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.core.models import AuditLog, Notification
from lrc_training.extensions import db
from lrc_training.registry.models import RiskReport, ServiceArea, WorkRecord
from lrc_training.registry.services.work import responsible_hrss
from tests.conftest import api_token, login, post_form
from tests.factories import make_org, make_user

TODAY = local_today()


def _certify(evaluator, *people):
    for person in people:
        issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=3))
    db.session.commit()


@pytest.fixture
def world(app):
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    orgs = {
        "hrss_a": make_org("东昌府区人社局", kind="hrss", region_code="371502"),
        "hrss_b": make_org("阳谷县人社局", kind="hrss", region_code="371521"),
        "hrss_city": make_org("聊城市人社局", kind="hrss", region_code="371500"),
        "hrss_qd": make_org("青岛市人社局", kind="hrss", region_code="370200"),
        "union": make_org("聊城市总工会", kind="union", region_code="371500"),
        "platform": make_org("古楼街道平台", kind="platform", region_code="371502001"),
        "e1": make_org("东昌府企业甲", kind="enterprise", region_code="371502"),
        "e2": make_org("阳谷企业乙", kind="enterprise", region_code="371521"),
        "e_shen": make_org("莘县企业丁", kind="enterprise", region_code="371522"),
        "e_park": make_org("古楼园区企业", kind="enterprise", region_code="371502001001"),
        "e_qd": make_org("青岛企业丙", kind="enterprise", region_code="370211"),
    }
    users = {name: make_user("org_staff", username=name, org=orgs[name])
             for name in ("hrss_a", "hrss_b", "hrss_city", "hrss_qd", "union", "platform")}
    users["admin"] = make_user("admin", username="admin")
    users["coord"] = make_user("trainee", username="coord", name="陈晓燕", org=orgs["e1"])
    users.update({name: orgs[name] for name in ("e1", "e2", "e_shen", "e_park", "e_qd")})
    users["pcoord"] = make_user("trainee", username="pcoord", name="王建国", org=orgs["platform"])
    users["plain"] = make_user("trainee", username="plain", name="李四", org=orgs["e1"])  # no certificate
    users["other"] = make_user("trainee", username="other", org=orgs["e2"])
    _certify(evaluator, users["coord"], users["pcoord"])
    return {**{f"org_{k}": v for k, v in orgs.items()}, **users}


def _body(enterprise, **extra):
    return {"kind": "mediation", "occurred_on": (TODAY - timedelta(days=2)).isoformat(),
            "enterprise_id": enterprise.id, "summary": "调解加班费争议，双方达成协议", "people": 12, **extra}


def _post(client, world, who, whom, body):
    return client.post(f"/api/v1/registry/{world[whom].id}/work-records", json=body,
                       headers=api_token(client, who))


def test_a_coordinator_records_their_own_work_and_reads_it_back(client, world):
    response = _post(client, world, "coord", "coord", _body(world["e1"]))
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert {k: record[k] for k in ("user_id", "kind", "occurred_on", "enterprise_id", "summary", "people",
                                   "severity", "risk_report")} == {
        "user_id": world["coord"].id, "kind": "mediation", "occurred_on": (TODAY - timedelta(days=2)).isoformat(),
        "enterprise_id": world["e1"].id, "summary": "调解加班费争议，双方达成协议", "people": 12, "severity": None,
        "risk_report": None}
    listed = client.get(f"/api/v1/registry/{world['coord'].id}/work-records",
                        headers=api_token(client, "hrss_a")).get_json()
    assert listed["total"] == 1 and listed["page"] == 1 and listed["items"][0]["id"] == record["id"]
    assert listed["items"][0]["enterprise_name"] == "东昌府企业甲"
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "work_record.create")).scalar_one()
    assert audit.new["kind"] == "mediation" and audit.actor_id == world["coord"].id


@pytest.mark.parametrize("change, field", [
    ({"occurred_on": "tomorrow"}, "occurred_on"),  # resolved when the test runs (local midnight may pass)
    ({"occurred_on": "1999-12-31"}, "occurred_on"),
    ({"summary": ""}, "summary"),
    ({"summary": "字" * 2001}, "summary"),
    ({"people": -1}, "people"),
    ({"kind": "gossip"}, "kind"),
    ({"kind": "risk"}, "severity"),
    ({"kind": "risk", "severity": "extreme"}, "severity"),
    ({"severity": "high"}, "severity"),  # only risk records have one
    ({"enterprise_id": 10**6}, "enterprise_id"),
])
def test_bad_values_are_422_naming_the_field(client, world, change, field):
    if change.get("occurred_on") == "tomorrow":
        change = {"occurred_on": (local_today() + timedelta(days=1)).isoformat()}
    response = _post(client, world, "hrss_a", "coord", {**_body(world["e1"]), **change})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"]
    assert db.session.execute(select(WorkRecord)).first() is None


@pytest.mark.parametrize("enterprise", ["org_hrss_a", "e_qd"])
def test_an_organization_that_is_no_enterprise_or_outside_the_scope_is_refused_without_details(
        client, world, enterprise):
    # hrss_a's own organization is no enterprise; the Qingdao enterprise lies outside 东昌府区
    response = _post(client, world, "hrss_a", "coord", _body(world[enterprise]))
    assert response.status_code == 422
    body = response.get_json()
    assert body["fields"] == {"enterprise_id": "企业不存在或不在您的管辖范围内"}
    assert world[enterprise].name not in response.get_data(as_text=True)


def test_outsiders_cannot_read_or_record(client, world):
    coord = world["coord"].id
    url = f"/api/v1/registry/{coord}/work-records"
    # another county's and another city's hrss: as if the person did not exist
    assert _post(client, world, "hrss_b", "coord", _body(world["e1"])).status_code == 404
    assert client.get(url, headers=api_token(client, "hrss_qd")).status_code == 404
    # a union reads the registry of its city but does not record coordinators' work
    assert client.get(url, headers=api_token(client, "union")).status_code == 200
    assert _post(client, world, "union", "coord", _body(world["e1"])).status_code == 403
    # to a trainee other people are unknown; a non-coordinator may not record their own work
    assert client.get(url, headers=api_token(client, "other")).status_code == 404
    assert _post(client, world, "other", "coord", _body(world["e1"])).status_code == 404
    assert _post(client, world, "plain", "plain", _body(world["e1"])).status_code == 403
    # hrss staff may not record work for someone who is no coordinator
    response = _post(client, world, "hrss_a", "plain", _body(world["e1"]))
    assert response.status_code == 422 and "user_id" in response.get_json()["fields"]
    # a platform records for its own coordinators, with enterprises of its own area only
    assert _post(client, world, "platform", "coord", _body(world["e1"])).status_code == 404
    assert _post(client, world, "platform", "pcoord", _body(world["e1"])).status_code == 422
    assert _post(client, world, "platform", "pcoord", _body(world["e_park"])).status_code == 201
    assert db.session.execute(select(WorkRecord.user_id)).scalars().all() == [world["pcoord"].id]


def _reports(client, who, status="open"):
    response = client.get(f"/api/v1/risk-reports?status={status}", headers=api_token(client, who))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_risk_report_reaches_the_county_hrss_and_not_another_county(client, world):
    response = _post(client, world, "hrss_city", "coord", _body(world["e1"], kind="risk", severity="medium"))
    assert response.status_code == 201, response.get_json()
    report_id = response.get_json()["risk_report"]["id"]
    seen = _reports(client, "hrss_a")
    assert seen["total"] == 1
    item = seen["items"][0]
    assert (item["id"], item["status"], item["severity"], item["enterprise_id"], item["coordinator"]["user_id"]) == (
        report_id, "open", "medium", world["e1"].id, world["coord"].id)
    assert _reports(client, "hrss_city")["total"] == 1  # the city contains the county
    assert _reports(client, "hrss_b")["total"] == 0
    assert _reports(client, "hrss_qd")["total"] == 0
    assert _reports(client, "hrss_a", "closed")["total"] == 0
    assert _reports(client, "union")["total"] == 0  # not an hrss organization: sees no report
    assert client.get("/api/v1/risk-reports?status=any", headers=api_token(client, "hrss_a")).status_code == 400
    # medium: nobody was disturbed
    assert db.session.execute(select(Notification).where(Notification.kind == "risk_report")).first() is None


def test_a_high_risk_notifies_the_county_hrss_staff_at_once(client, world):
    colleague = make_user("org_staff", username="hrss_a2", org=world["org_hrss_a"])
    response = _post(client, world, "coord", "coord", _body(world["e1"], kind="risk", severity="high"))
    assert response.status_code == 201
    notes = db.session.execute(select(Notification).where(Notification.kind == "risk_report")).scalars().all()
    assert sorted(n.user_id for n in notes) == sorted([world["hrss_a"].id, colleague.id])
    assert all("东昌府企业甲" in n.title and n.email_status == "pending" for n in notes)


def test_a_county_without_hrss_falls_back_to_the_city(client, world):
    assert responsible_hrss("371522") == [world["org_hrss_city"].id]  # 莘县 has no hrss organization
    assert responsible_hrss("371502001001") == [world["org_hrss_a"].id]  # a community of 东昌府区: the county's
    response = _post(client, world, "hrss_city", "coord", _body(world["e_shen"], kind="risk", severity="high"))
    assert response.status_code == 201
    notes = db.session.execute(select(Notification.user_id).where(Notification.kind == "risk_report")).all()
    assert [n[0] for n in notes] == [world["hrss_city"].id]


def test_closing_a_report(client, world):
    _post(client, world, "coord", "coord", _body(world["e1"], kind="risk", severity="low"))
    report = db.session.execute(select(RiskReport)).scalar_one()
    url = f"/api/v1/risk-reports/{report.id}/close"
    assert client.post(url, json={"handling": "已约谈"}, headers=api_token(client, "hrss_b")).status_code == 404
    assert client.post(url, json={"handling": "已约谈"}, headers=api_token(client, "union")).status_code == 404
    assert client.post(url, json={"handling": "已约谈"}, headers=api_token(client, "admin")).status_code == 403
    empty = client.post(url, json={"handling": "  "}, headers=api_token(client, "hrss_a"))
    assert empty.status_code == 422 and "handling" in empty.get_json()["fields"]
    closed = client.post(url, json={"handling": "约谈企业负责人，已补发加班费"}, headers=api_token(client, "hrss_a"))
    assert closed.status_code == 200, closed.get_json()
    assert (closed.get_json()["status"], closed.get_json()["handling"]) == ("closed", "约谈企业负责人，已补发加班费")
    again = client.post(url, json={"handling": "再次处置"}, headers=api_token(client, "hrss_city"))
    assert again.status_code == 409
    db.session.refresh(report)
    assert (report.status, report.handling, report.closed_by_id) == ("closed", "约谈企业负责人，已补发加班费",
                                                                      world["hrss_a"].id)
    assert _reports(client, "hrss_a")["total"] == 0 and _reports(client, "hrss_a", "closed")["total"] == 1
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "risk_report.close")).scalar_one()
    assert audit.new["handling"] == "约谈企业负责人，已补发加班费" and audit.actor_id == world["hrss_a"].id


def test_the_record_page_form_keeps_input_and_counts_per_kind(client, world):
    login(client, "hrss_a")
    coord = world["coord"].id
    page = client.get(f"/registry/people/{coord}").get_data(as_text=True)
    assert "工作情况" in page and 'data-target="[name=enterprise_id]"' in page
    assert "古楼园区企业" not in page  # enterprises are found by the picker, not listed in the page

    def found(text):
        return [item["name"] for item in client.get(f"/registry/people/{coord}/enterprises",
                                                    query_string={"q": text}).get_json()["items"]]

    assert found("企业") == ["东昌府企业甲", "古楼园区企业"]  # the picker is limited to the scope
    assert found("青岛") == [] and found("阳谷 企业") == [] and found("") == []
    bad = post_form(client, f"/registry/people/{coord}/work-records", {
        "kind": "risk", "occurred_on": (TODAY + timedelta(days=3)).isoformat(), "enterprise_id": str(world["e1"].id),
        "summary": "食堂停供，职工聚集", "people": "30", "severity": ""}, token_from=f"/registry/people/{coord}")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "不能晚于今天" in text and "食堂停供，职工聚集" in text
    bad = post_form(client, f"/registry/people/{coord}/work-records", {
        "kind": "risk", "occurred_on": TODAY.isoformat(), "enterprise_id": str(world["e1"].id),
        "summary": "食堂停供，职工聚集", "people": "30", "severity": ""}, token_from=f"/registry/people/{coord}")
    assert bad.status_code == 422 and "须注明严重程度" in bad.get_data(as_text=True)
    assert "食堂停供，职工聚集" in bad.get_data(as_text=True)
    bad = post_form(client, f"/registry/people/{coord}/work-records", {
        "kind": "training", "occurred_on": TODAY.isoformat(), "enterprise_id": str(world["e1"].id),
        "summary": "", "people": "-3", "severity": ""}, token_from=f"/registry/people/{coord}")
    assert bad.status_code == 422 and "此项为必填项" in bad.get_data(as_text=True)
    assert db.session.execute(select(WorkRecord)).first() is None
    for kind, severity in (("training", ""), ("training", ""), ("risk", "high")):
        ok = post_form(client, f"/registry/people/{coord}/work-records", {
            "kind": kind, "occurred_on": TODAY.isoformat(), "enterprise_id": str(world["e1"].id),
            "summary": "劳动合同法宣讲", "people": "40", "severity": severity},
            token_from=f"/registry/people/{coord}")
        assert ok.status_code == 302
    page = client.get(f"/registry/people/{coord}").get_data(as_text=True)
    assert "培训宣讲</span> <strong>2</strong>" in page and "风险隐患报告</span> <strong>1</strong>" in page
    assert "调解劳动争议</span> <strong>0</strong>" in page


def test_the_risk_page_is_for_hrss_staff_and_closes_with_handling(app, world):
    client = app.test_client()
    _post(client, world, "coord", "coord", _body(world["e1"], kind="risk", severity="high",
                                                summary="拖欠工资三个月"))
    report = db.session.execute(select(RiskReport)).scalar_one()
    union = app.test_client()
    login(union, "union")
    assert "风险隐患" not in union.get("/dashboard").get_data(as_text=True)
    assert "拖欠工资三个月" not in union.get("/registry/risk-reports").get_data(as_text=True)
    other = app.test_client()
    login(other, "hrss_b")
    assert "风险隐患" in other.get("/dashboard").get_data(as_text=True)
    assert "拖欠工资三个月" not in other.get("/registry/risk-reports").get_data(as_text=True)
    assert post_form(other, f"/registry/risk-reports/{report.id}/close", {"handling": "x"},
                     token_from="/password").status_code == 404
    staff = app.test_client()
    login(staff, "hrss_a")
    page = staff.get("/registry/risk-reports").get_data(as_text=True)
    assert "拖欠工资三个月" in page and "东昌府企业甲" in page and "重大" in page
    empty = post_form(staff, f"/registry/risk-reports/{report.id}/close", {"handling": ""},
                      token_from="/registry/risk-reports")
    assert empty.status_code == 422 and "请填写处置情况" in empty.get_data(as_text=True)
    done = post_form(staff, f"/registry/risk-reports/{report.id}/close", {"handling": "责令限期支付"},
                     token_from="/registry/risk-reports", follow_redirects=True)
    assert "已办结" in done.get_data(as_text=True)
    assert "责令限期支付" in staff.get("/registry/risk-reports?status=closed").get_data(as_text=True)
    db.session.refresh(report)
    assert report.status == "closed"


def test_a_platform_records_at_the_enterprises_of_its_service_area(client, world):
    """A street platform (371502001) serves an enterprise registered at the county code (371502): its staff may name
    it, as any enterprise under the platform's own code, but not the county's other enterprises."""
    from lrc_training.extensions import db
    from lrc_training.registry.models import ServiceArea

    assert _post(client, world, "platform", "pcoord", _body(world["e1"])).status_code == 422  # not yet served
    db.session.add(ServiceArea(platform_id=world["org_platform"].id, enterprise_id=world["e1"].id))
    db.session.commit()
    assert _post(client, world, "platform", "pcoord", _body(world["e1"])).status_code == 201
    assert _post(client, world, "platform", "pcoord", _body(world["e_park"])).status_code == 201
    assert _post(client, world, "platform", "pcoord", _body(world["e2"])).status_code == 422


def test_the_enterprise_picker_serves_only_the_recorders_scope(client, world):
    db.session.add(ServiceArea(platform_id=world["org_platform"].id, enterprise_id=world["e1"].id))
    db.session.commit()
    pcoord = world["pcoord"].id
    login(client, "platform")  # a platform's staff: its service area (and its own code) only
    items = client.get(f"/registry/people/{pcoord}/enterprises", query_string={"q": "企业"}).get_json()["items"]
    assert {item["name"] for item in items} == {"东昌府企业甲", "古楼园区企业"}
    assert set(items[0]) == {"id", "name", "region", "label"}  # nothing else about an enterprise
    post_form(client, "/logout", {}, token_from="/profile")
    login(client, "hrss_b")  # another county's officer: the person is not theirs to record for
    assert client.get(f"/registry/people/{world['coord'].id}/enterprises", query_string={"q": "企业"}).status_code == 404


def test_without_javascript_the_typed_name_is_resolved_or_the_choice_is_asked_for(client, world):
    login(client, "hrss_a")
    coord = world["coord"].id
    form = {"kind": "training", "occurred_on": TODAY.isoformat(), "summary": "劳动合同法宣讲", "people": "40",
            "severity": ""}
    many = post_form(client, f"/registry/people/{coord}/work-records", {**form, "enterprise": "企业"},
                     token_from=f"/registry/people/{coord}")
    text = many.get_data(as_text=True)
    assert many.status_code == 422 and "有多家企业符合" in text and "劳动合同法宣讲" in text
    none = post_form(client, f"/registry/people/{coord}/work-records", {**form, "enterprise": "青岛企业丙"},
                     token_from=f"/registry/people/{coord}")
    assert none.status_code == 422 and "未找到该企业" in none.get_data(as_text=True)  # out of scope = not found
    assert db.session.execute(select(WorkRecord)).first() is None
    ok = post_form(client, f"/registry/people/{coord}/work-records", {**form, "enterprise": "东昌府企业甲"},
                   token_from=f"/registry/people/{coord}")
    assert ok.status_code == 302
    assert db.session.execute(select(WorkRecord.enterprise_id)).scalar_one() == world["e1"].id


def test_an_out_of_scope_id_is_refused_at_the_picker(client, world):
    login(client, "hrss_a")
    coord = world["coord"].id
    bad = post_form(client, f"/registry/people/{coord}/work-records", {
        "kind": "training", "occurred_on": TODAY.isoformat(), "enterprise": "青岛企业丙",
        "enterprise_id": str(world["e_qd"].id), "summary": "宣讲", "people": "4", "severity": ""},
        token_from=f"/registry/people/{coord}")
    assert bad.status_code == 422 and "企业不存在或不在您的管辖范围内" in bad.get_data(as_text=True)
    assert db.session.execute(select(WorkRecord)).first() is None


def test_the_record_page_does_not_grow_with_the_enterprises_in_scope(client, world):
    login(client, "hrss_a")
    coord = world["coord"].id
    before = len(client.get(f"/registry/people/{coord}").data)
    db.session.add_all([Organization(name=f"东昌府新企业{i:03d}", kind="enterprise", region_code="371502", active=True)
                        for i in range(300)])
    db.session.commit()
    after = len(client.get(f"/registry/people/{coord}").data)
    assert abs(after - before) < 200
