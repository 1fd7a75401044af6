"""Reporting upward (报表上报), the API contract: a county's 人社 staff make a report for a period (201, frozen
figures; the same period again 409), submit it to the city (whose staff are told), the city returns it with a reason
(422 naming `reason` without one) or approves it; a county can't approve its own, a sibling county and the province
can't see it (404), a union can't make one (403), a parent sees a child's draft only as a status; stale versions 409;
the city's report rolls up its counties' approved figures; the children list costs the same queries however many
children there are; every change is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrc_training.core.models import AuditLog, Notification
from lrc_training.extensions import db
from lrc_training.registry.models import Report
from tests.conftest import api_token
from tests.factories import make_org, make_user
from tests.registry.conftest import QUARTER, TODAY, call, certify, create


def test_a_county_makes_a_report_with_its_figures_frozen(client, report_world):
    report = create(client)
    assert {k: report[k] for k in ("region_code", "period", "status", "version", "name")} == {
        "region_code": "371502", "period": QUARTER, "status": "draft", "version": 1, "name": "东昌府区"}
    snapshot = report["snapshot"]
    assert snapshot["total"] == 1 and snapshot["by_level"]["3"] == 1
    assert snapshot["by_organization_kind"] == {"enterprise": 1}
    assert snapshot["coverage"]["enterprises"] == 1 and snapshot["coverage"]["covered"] == 1
    assert snapshot["work_records"]["mediation"] == 1 and snapshot["work_records"]["risk"] == 1
    assert snapshot["risk_reports"] == {"opened": 1, "high": 1, "closed": 0, "open_now": 1}
    assert snapshot["children"] == []  # no 人社 department below the county

    # Frozen: a coordinator certified later does not change the draft until it is regenerated.
    certify(report_world["evaluator"], make_user("trainee", org=report_world["enterprise"]), 4)
    db.session.commit()
    again = call(client, "county", "GET", f"/reports/{report['id']}").get_json()
    assert again["snapshot"]["total"] == 1
    refreshed = call(client, "county", "POST", f"/reports/{report['id']}/refresh", {"version": 1})
    assert refreshed.status_code == 200 and refreshed.get_json()["snapshot"]["total"] == 2
    assert refreshed.get_json()["version"] == 2


def test_one_report_per_region_and_period(client, report_world):
    create(client)
    response = call(client, "county", "POST", "/reports", {"period": QUARTER})
    assert response.status_code == 409
    assert response.get_json()["error"] == "duplicate" and "period" in response.get_json()["fields"]
    create(client, period=str(TODAY.year))  # another period is another report
    assert db.session.query(Report).count() == 2


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "26-Q1", "abc", "1999", "2026-q1", "",
                                    f"{TODAY.year + 1}-Q1"])
def test_a_bad_period_is_422_naming_period(client, report_world, period):
    response = call(client, "county", "POST", "/reports", {"period": period})
    assert response.status_code == 422
    assert "period" in response.get_json()["fields"]


def test_the_list_needs_a_valid_period(client, report_world):
    for query in ("", "?period=2026-00"):
        response = call(client, "county", "GET", f"/reports{query}")
        assert response.status_code == 422 and "period" in response.get_json()["fields"]


@pytest.mark.parametrize("who", ["union", "admin", "coord"])
def test_only_hrss_staff_make_reports(client, report_world, who):
    response = call(client, who, "POST", "/reports", {"period": QUARTER})
    assert response.status_code == 403
    assert db.session.query(Report).count() == 0


def test_a_union_sees_no_reports(client, report_world):
    report = create(client)
    call(client, "county", "POST", f"/reports/{report['id']}/submit")
    listed = call(client, "union", "GET", f"/reports?period={QUARTER}")
    assert listed.status_code == 200 and listed.get_json() == {"own": None, "children": []}
    for method, path in (("GET", ""), ("POST", "/approve"), ("POST", "/submit")):
        response = call(client, "union", method, f"/reports/{report['id']}{path}")
        assert response.status_code == 404 and "东昌府" not in response.get_data(as_text=True)


def test_submit_return_resubmit_approve(client, report_world):
    report = create(client)
    rid = report["id"]
    submitted = call(client, "county", "POST", f"/reports/{rid}/submit", {"version": 1})
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "submitted"
    note = db.session.execute(select(Notification).where(Notification.user_id == report_world["city"].id,
                                                         Notification.kind == "report")).scalar_one()
    assert "东昌府区" in note.title and note.link == f"/registry/reports/{rid}" and note.kind == "report"

    listed = call(client, "city", "GET", f"/reports?period={QUARTER}").get_json()
    assert listed["own"] is None
    assert listed["children"] == [
        {"region_code": "371502", "name": "东昌府区", "report_id": rid, "status": "submitted"},
        {"region_code": "371521", "name": "阳谷县", "report_id": None, "status": "missing"}]

    assert call(client, "county", "POST", f"/reports/{rid}/approve").status_code == 403  # not its own
    missing = call(client, "city", "POST", f"/reports/{rid}/return", {"reason": "  "})
    assert missing.status_code == 422 and "reason" in missing.get_json()["fields"]
    empty = call(client, "city", "POST", f"/reports/{rid}/return")
    assert empty.status_code == 422 and "reason" in empty.get_json()["fields"]
    returned = call(client, "city", "POST", f"/reports/{rid}/return", {"reason": "覆盖企业数与台账不符"})
    assert returned.status_code == 200
    assert returned.get_json()["status"] == "returned"
    assert returned.get_json()["return_reason"] == "覆盖企业数与台账不符"
    told = db.session.execute(select(Notification).where(Notification.user_id == report_world["county"].id,
                                                          Notification.kind == "report")).scalar_one()
    assert "退回" in told.title and "覆盖企业数与台账不符" in told.body

    own = call(client, "county", "GET", f"/reports?period={QUARTER}").get_json()["own"]
    assert own["status"] == "returned" and own["return_reason"] == "覆盖企业数与台账不符"
    assert call(client, "city", "POST", f"/reports/{rid}/refresh").status_code == 403  # only the county edits
    assert call(client, "county", "POST", f"/reports/{rid}/refresh").status_code == 200
    assert call(client, "county", "POST", f"/reports/{rid}/submit").get_json()["status"] == "submitted"
    approved = call(client, "city", "POST", f"/reports/{rid}/approve")
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    again = call(client, "city", "POST", f"/reports/{rid}/approve")
    assert again.status_code == 409 and again.get_json()["error"] == "wrong_status"
    assert call(client, "county", "POST", f"/reports/{rid}/submit").status_code == 409

    actions = db.session.execute(select(AuditLog.action).where(AuditLog.object_type == "report")
                                 .order_by(AuditLog.id)).scalars().all()
    assert actions == ["report.create", "report.submit", "report.return", "report.refresh", "report.submit",
                       "report.approve"]
    reason = db.session.execute(select(AuditLog).where(AuditLog.action == "report.return")).scalar_one()
    assert reason.reason == "覆盖企业数与台账不符"
    assert reason.old == {"status": "submitted"} and reason.new["status"] == "returned"


def test_outsiders_get_404(client, report_world):
    rid = create(client)["id"]
    call(client, "county", "POST", f"/reports/{rid}/submit")
    for who in ("sibling", "qingdao", "province"):  # a sibling county, another city, the grandparent
        for method, path in (("GET", ""), ("POST", "/approve"), ("POST", "/submit"), ("POST", "/refresh")):
            response = call(client, who, method, f"/reports/{rid}{path}")
            assert response.status_code == 404, (who, path)
            assert "东昌府" not in response.get_data(as_text=True)
        response = call(client, who, "POST", f"/reports/{rid}/return", {"reason": "x"})
        assert response.status_code == 404
    assert call(client, "county", "GET", "/reports/99999").status_code == 404


def test_a_draft_is_visible_to_the_parent_only_as_a_status(client, report_world):
    rid = create(client)["id"]
    child = call(client, "city", "GET", f"/reports?period={QUARTER}").get_json()["children"][0]
    assert child == {"region_code": "371502", "name": "东昌府区", "report_id": rid, "status": "draft"}
    response = call(client, "city", "GET", f"/reports/{rid}")
    assert response.status_code == 403 and "snapshot" not in response.get_json()
    assert call(client, "city", "POST", f"/reports/{rid}/approve").status_code == 409  # nothing submitted yet


def test_a_stale_version_is_409(client, report_world):
    rid = create(client)["id"]
    call(client, "county", "POST", f"/reports/{rid}/refresh", {"version": 1})
    stale = call(client, "county", "POST", f"/reports/{rid}/submit", {"version": 1})
    assert stale.status_code == 409 and stale.get_json()["error"] == "stale_version"
    call(client, "county", "POST", f"/reports/{rid}/submit", {"version": 2})
    assert call(client, "city", "POST", f"/reports/{rid}/approve", {"version": 2}).status_code == 409
    assert call(client, "city", "POST", f"/reports/{rid}/approve", {"version": 3}).status_code == 200


def test_the_city_report_rolls_up_approved_counties(client, report_world):
    rid = create(client)["id"]
    call(client, "county", "POST", f"/reports/{rid}/submit")
    call(client, "city", "POST", f"/reports/{rid}/approve")
    create(client, "sibling")  # a draft: counted as not approved
    city = create(client, "city")
    snapshot = city["snapshot"]
    assert snapshot["region_code"] == "371500" and snapshot["total"] == 1
    rows = {row["region_code"]: row for row in snapshot["children"]}
    assert rows["371502"]["status"] == "approved"
    assert rows["371502"]["figures"]["total"] == 1 and rows["371502"]["figures"]["risk_high"] == 1
    assert rows["371521"] == {"region_code": "371521", "name": "阳谷县", "report_id": rows["371521"]["report_id"],
                              "status": "draft", "figures": None}
    assert snapshot["children_approved"]["count"] == 1 and snapshot["children_approved"]["of"] == 2
    assert snapshot["children_approved"]["total"] == 1

    # The province's children are the cities; its own figures cover the whole province.
    province = call(client, "province", "GET", f"/reports?period={QUARTER}").get_json()
    assert [c["region_code"] for c in province["children"]] == ["370200", "371500"]
    call(client, "city", "POST", f"/reports/{city['id']}/submit")
    assert call(client, "province", "GET", f"/reports/{city['id']}").get_json()["snapshot"]["children"][0][
        "status"] == "approved"
    assert call(client, "province", "POST", f"/reports/{city['id']}/approve").status_code == 200


def test_a_county_without_a_city_department_reports_to_the_province(client, report_world):
    make_user("org_staff", username="zhifu", org=make_org("芝罘区人社局", kind="hrss", region_code="370602"))
    db.session.commit()
    rid = create(client, "zhifu")["id"]
    call(client, "zhifu", "POST", f"/reports/{rid}/submit")
    children = call(client, "province", "GET", f"/reports?period={QUARTER}").get_json()["children"]
    assert {"region_code": "370602", "name": "芝罘区", "report_id": rid, "status": "submitted"} in children
    assert call(client, "province", "POST", f"/reports/{rid}/approve").status_code == 200


def test_administrators_decide_the_provinces_reports(client, report_world):
    rid = create(client, "province")["id"]
    call(client, "province", "POST", f"/reports/{rid}/submit")
    listed = call(client, "admin", "GET", f"/reports?period={QUARTER}").get_json()
    assert listed["own"] is None
    assert listed["children"] == [{"region_code": "370000", "name": "山东省", "report_id": rid,
                                   "status": "submitted"}]
    assert call(client, "province", "POST", f"/reports/{rid}/approve").status_code == 403
    assert call(client, "admin", "POST", f"/reports/{rid}/approve").status_code == 200


def test_the_children_list_costs_the_same_queries_however_many_children(client, report_world, count_queries):
    headers = api_token(client, "city")

    def measure():
        with count_queries() as counter:
            response = client.get(f"/api/v1/reports?period={QUARTER}", headers=headers)
        assert response.status_code == 200
        return counter.count, len(response.get_json()["children"])

    few, n_few = measure()
    for code in ("371522", "371523", "371524", "371525"):
        org = make_org(f"{code}人社局", kind="hrss", region_code=code)
        staff = make_user("org_staff", org=org)
        db.session.commit()
        report = Report(region_code=code, scope=code, period=QUARTER, status="submitted",
                        snapshot={"children": []}, created_by_id=staff.id)
        db.session.add(report)
    db.session.commit()
    many, n_many = measure()
    assert (n_few, n_many) == (2, 6)
    assert many == few


def test_reports_reach_risk_reports_of_the_period_only(client, report_world):
    last_year = f"{TODAY.year - 1}"
    snapshot = create(client, period=last_year)["snapshot"]
    assert snapshot["risk_reports"]["opened"] == 0 and snapshot["risk_reports"]["open_now"] == 1
    assert sum(snapshot["work_records"].values()) == 0
    assert snapshot["period_end"] == f"{TODAY.year - 1}-12-31"
