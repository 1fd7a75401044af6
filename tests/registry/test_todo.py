"""The home page's registry to-do: 人社 (hrss) staff see the risk reports open in their region scope, the serious
ones marked urgent — never another region's, and nobody but hrss staff."""

from __future__ import annotations

from datetime import timedelta

from lrc_training.auth.services.accreditation import local_today
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.extensions import db
from lrc_training.registry.services.work import add_work_record
from tests.conftest import login
from tests.factories import make_org, make_user
from tests.home import todo_section


def signed_in(client, username):
    other = client.application.test_client()
    login(other, username)
    return other


def test_hrss_staff_see_open_risk_reports_in_their_scope(client):
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    for name, region in (("hrss_district", "371502"), ("hrss_city", "371500"), ("hrss_qd", "370200")):
        make_user("org_staff", username=name, org=make_org(f"{name}人社局", kind="hrss", region_code=region))
    make_user("org_staff", username="union", org=make_org("聊城市总工会", kind="union", region_code="371500"))
    company = make_org("东昌府企业甲", kind="enterprise", region_code="371502")
    coordinator = make_user("trainee", username="coord", name="陈晓燕", org=company)
    issue_certificate(IssueRequest(kind="level", holder_name=coordinator.name, holder_user_id=coordinator.id,
                                   issuer_organization_id=evaluator.id, source_type="manual", level=3))
    for severity in ("high", "low"):
        add_work_record(coordinator, coordinator.id, kind="risk", occurred_on=local_today() - timedelta(days=1),
                        enterprise_id=company.id, summary="拖欠工资，职工聚集", people=40, severity=severity)
    db.session.commit()
    for username in ("hrss_district", "hrss_city"):
        html = todo_section(signed_in(client, username))
        assert "处置风险隐患报告" in html and "辖区内 2 条待处置，其中重大 1 条" in html and "紧急" in html
        assert 'href="/registry/risk-reports?status=open"' in html
    for username in ("hrss_qd", "union", "coord"):
        assert "风险隐患" not in todo_section(signed_in(client, username))


def test_hrss_staff_are_told_to_report_and_to_review_their_childrens_reports(client, report_world):
    from lrc_training.registry.services.periods import default_period

    period = default_period(local_today()).text
    county = signed_in(client, "county")
    html = todo_section(county)
    assert "报表" in html and "尚未生成" in html and f'/registry/reports?period={period}' in html
    assert "审核下级报表" not in todo_section(signed_in(client, "city"))

    api = client.application.test_client()
    headers = {"Authorization": "Bearer " + api.post("/api/v1/auth/token", json={
        "username": "county", "password": "Passw0rd1"}).get_json()["token"]}
    created = api.post("/api/v1/reports", json={"period": period}, headers=headers).get_json()
    assert "已生成，尚未上报" in todo_section(county)
    assert api.post(f"/api/v1/reports/{created['id']}/submit", headers=headers).status_code == 200
    assert "尚未生成" not in todo_section(county) and "尚未上报" not in todo_section(county)
    city = todo_section(signed_in(client, "city"))
    assert "审核下级报表" in city and "1 份下级报表等待审核" in city
    assert "审核下级报表" not in todo_section(signed_in(client, "qingdao"))  # another city: its own report only
    for username in ("union", "coord"):  # not a 人社 department: no reports at all
        assert "报表" not in todo_section(signed_in(client, username))
