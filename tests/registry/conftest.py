"""Fixtures and helpers of the reporting-upward tests (test_reports.py, test_report_pages.py): a province, two
cities and two counties of Shandong with 人社 staff each, a union, and one certified coordinator with a mediation and
a high risk recorded this quarter in 东昌府区."""

from __future__ import annotations

import pytest

from lrc_training.auth.services.accreditation import local_today
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.extensions import db
from lrc_training.registry.services.work import add_work_record
from tests.conftest import api_token
from tests.factories import make_org, make_user

TODAY = local_today()
QUARTER = f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}"  # the current quarter: already begun


def certify(evaluator, person, level=3):
    issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                   issuer_organization_id=evaluator.id, source_type="manual", level=level))


@pytest.fixture
def report_world(app):
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    orgs = {
        "province": make_org("山东省人社厅", kind="hrss", region_code="370000"),
        "city": make_org("聊城市人社局", kind="hrss", region_code="371500"),
        "county": make_org("东昌府区人社局", kind="hrss", region_code="371502"),
        "sibling": make_org("阳谷县人社局", kind="hrss", region_code="371521"),
        "qingdao": make_org("青岛市人社局", kind="hrss", region_code="370200"),
        "union": make_org("聊城市总工会", kind="union", region_code="371500"),
    }
    staff = {name: make_user("org_staff", username=name, org=org) for name, org in orgs.items()}
    enterprise = make_org("东昌府企业", kind="enterprise", region_code="371502")
    coordinator = make_user("trainee", username="coord", name="陈晓燕", org=enterprise)
    certify(evaluator, coordinator, 3)
    db.session.commit()
    add_work_record(coordinator, coordinator.id, kind="mediation", occurred_on=TODAY, enterprise_id=enterprise.id,
                    summary="调解工资争议", people=5)
    add_work_record(coordinator, coordinator.id, kind="risk", occurred_on=TODAY, enterprise_id=enterprise.id,
                    summary="欠薪风险", people=30, severity="high")
    db.session.commit()
    return {"evaluator": evaluator, "enterprise": enterprise, "coordinator": coordinator, **staff,
            "orgs": orgs, "admin": make_user("admin", username="admin")}


def call(client, who, method, path, json=None):
    headers = api_token(client, who)
    return client.open(f"/api/v1{path}", method=method, json=json, headers=headers)


def create(client, who="county", period=QUARTER):
    response = call(client, who, "POST", "/reports", {"period": period})
    assert response.status_code == 201, response.get_json()
    return response.get_json()
