"""Manual certificates need two people: one staff member asks (with the evidence), another approves."""

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from lrc_training.auth.services.accreditation import local_today
from lrc_training.certificates.models import Certificate, ManualCertificateRequest
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from tests.conftest import api_token, csrf_token, login, post_form
from tests.factories import accredit, make_org, make_user

MANUAL = "/api/v1/certificates/manual"


@pytest.fixture
def world(client):
    center = make_org("聊城市职业技能等级认定中心", region_code="371500", accredited=False)
    accredit(center, levels=(4, 3), valid_from=date(2024, 1, 1))
    other_center = make_org("济南市职业技能等级认定中心", region_code="370100")
    company = make_org("青岛港集团", kind="enterprise", region_code="370211")
    make_user("org_staff", username="clerk", name="王建国", org=center)
    make_user("org_staff", username="checker", name="李秀梅", org=center)
    make_user("org_staff", username="elsewhere", org=other_center)
    make_user("org_staff", username="hr", org=company)
    holder = make_user("trainee", username="holder", name="孙丽娟", org=company)
    return {"center": center, "holder": holder, **{name: api_token(client, name) for name in
                                                    ("clerk", "checker", "elsewhere", "hr")}}


def ask(client, world, who="clerk", **extra):
    body = {"user_id": world["holder"].id, "level": 3, "issued_on": "2024-06-30",
            "reason": "平台上线前已通过三级认定，纸质档案补录", "evidence": "2024 年第二批认定成绩册第 12 页"} | extra
    return client.post(MANUAL, json=body, headers=world[who])


def test_a_request_is_issued_only_when_another_staff_member_approves(client, world):
    asked = ask(client, world, job_direction="集体协商")
    assert asked.status_code == 201
    body = asked.get_json()
    assert body == body | {"status": "pending_approval", "level": 3, "holder_name": "孙丽娟", "number": None}
    assert db.session.query(Certificate).count() == 0  # nothing issued yet
    own = client.post(f"{MANUAL}/{body['id']}/approve", headers=world["clerk"])
    assert own.status_code == 403 and own.get_json()["error"] == "self_approval"
    assert client.post(f"{MANUAL}/{body['id']}/approve", headers=world["elsewhere"]).status_code == 404
    assert client.get(f"{MANUAL}/{body['id']}", headers=world["elsewhere"]).status_code == 404
    assert db.session.query(Certificate).count() == 0
    approved = client.post(f"{MANUAL}/{body['id']}/approve", headers=world["checker"])
    assert approved.status_code == 201
    number = approved.get_json()["number"]
    assert approved.get_json()["status"] == "approved" and number.startswith("S000037") and number[13:16] == "243"
    cert = db.session.execute(select(Certificate)).scalar_one()
    assert (cert.source_type, cert.job_direction, cert.issued_on, cert.holder_user_id) == (
        "manual", "集体协商", date(2024, 6, 30), world["holder"].id)
    again = client.post(f"{MANUAL}/{body['id']}/approve", headers=world["checker"])
    assert again.status_code == 409
    verified = client.get(f"/api/v1/verify/{number}?name=孙丽娟").get_json()
    assert verified["valid"] is True
    record = db.session.execute(select(AuditLog).where(AuditLog.action == "certificate.manual_approve")).scalar_one()
    requested = db.session.execute(select(AuditLog).where(AuditLog.action == "certificate.manual_request")
                                   ).scalar_one()
    checker_id, clerk_id = approved.get_json()["decided_by"]["id"], approved.get_json()["requested_by"]["id"]
    assert record.actor_id == checker_id and record.new["requested_by"] == clerk_id and requested.actor_id == clerk_id
    assert checker_id != clerk_id


def test_staff_of_an_organization_without_a_filing_cannot_ask(client, world):
    """The attack: an enterprise's HR staff typing in a level-1 certificate dated 2020."""
    refused = ask(client, world, who="hr", level=1, issued_on="2020-05-01")
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_accredited"
    assert db.session.query(ManualCertificateRequest).count() == 0


@pytest.mark.parametrize(("extra", "field", "status"), [
    ({"level": 1}, "level", 403),  # not in the filing
    ({"issued_on": "2020-05-01"}, "issued_on", 403),  # before the filing started
    ({"issued_on": (local_today() + timedelta(days=1)).isoformat()}, "issued_on", 422),
    ({"user_id": 999999}, "user_id", 422),
    ({"evidence": ""}, "evidence", 422),
    ({"level": 5}, "level", 422),
])
def test_requests_that_break_a_rule_are_refused(client, world, extra, field, status):
    response = ask(client, world, **extra)
    assert response.status_code == status and field in response.get_json()["fields"]


def test_a_filing_that_ends_before_approval_stops_the_issue(client, world):
    request_id = ask(client, world).get_json()["id"]
    assert client.delete(f"/api/v1/organizations/{world['center'].id}/accreditation",
                         headers=api_token(client, make_user("admin", username="root").username)).status_code == 200
    refused = client.post(f"{MANUAL}/{request_id}/approve", headers=world["checker"])
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_accredited"
    assert db.session.get(ManualCertificateRequest, request_id).status == "pending_approval"
    assert db.session.query(Certificate).count() == 0


def test_duplicates_and_rejection(client, world):
    request_id = ask(client, world).get_json()["id"]
    assert ask(client, world).status_code == 409  # one pending request per person and level
    empty = client.post(f"{MANUAL}/{request_id}/reject", json={"reason": ""}, headers=world["checker"])
    assert empty.status_code == 422
    rejected = client.post(f"{MANUAL}/{request_id}/reject", json={"reason": "成绩册页码不符"}, headers=world["checker"])
    assert rejected.status_code == 200 and rejected.get_json()["decision_reason"] == "成绩册页码不符"
    assert client.post(f"{MANUAL}/{request_id}/approve", headers=world["checker"]).status_code == 409
    listing = client.get(MANUAL, headers=world["clerk"]).get_json()
    assert listing["total"] == 1 and listing["items"][0]["status"] == "rejected"
    assert client.get(MANUAL, headers=world["elsewhere"]).get_json()["total"] == 0
    second = ask(client, world).get_json()["id"]
    client.post(f"{MANUAL}/{second}/approve", headers=world["checker"])
    held = ask(client, world)  # already certified at this level by this organization
    assert held.status_code == 409 and "更正补发" in held.get_json()["message"]


def _pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (255, 255, 255)).save(buffer, "PDF")
    return buffer.getvalue()


def test_the_page_flow_with_a_scan_of_the_evidence(app, client, world):
    login(client, "clerk")
    form = {"holder_name": "孙丽娟", "id_number": world["holder"].id_number, "level": "3", "job_direction": "--",
            "issued_on": "2024-06-30", "reason": "纸质档案补录", "evidence": "认定成绩册第 12 页"}
    fake = client.post("/certificates/issue", data=form | {
        "csrf_token": csrf_token(client, "/certificates/issue"), "scan": (io.BytesIO(b"MZ\x90 not a pdf"), "x.pdf")},
        content_type="multipart/form-data")
    assert "只支持 PDF、JPG 或 PNG 文件" in fake.get_data(as_text=True)
    too_early = post_form(client, "/certificates/issue", form | {"issued_on": "2019-01-01"})
    assert "发证日期须在备案有效期内" in too_early.get_data(as_text=True)
    sent = client.post("/certificates/issue", data=form | {
        "csrf_token": csrf_token(client, "/certificates/issue"), "scan": (io.BytesIO(_pdf()), "scan.pdf")},
        content_type="multipart/form-data")
    assert sent.status_code == 302
    req = db.session.execute(select(ManualCertificateRequest)).scalar_one()
    assert req.scan_file.endswith(".pdf") and req.status == "pending_approval"
    own_page = client.get("/certificates/manual").get_data(as_text=True)
    assert "待其他工作人员复核" in own_page and "批准并签发" not in own_page
    assert client.post(f"/certificates/manual/{req.id}/approve", data={
        "csrf_token": csrf_token(client, "/certificates/manual")}).status_code == 302
    assert db.session.query(Certificate).count() == 0  # the requester's own approval did nothing

    outsider = app.test_client()
    login(outsider, "elsewhere")
    assert outsider.get(f"/certificates/manual/{req.id}/evidence").status_code == 404

    checker = app.test_client()
    login(checker, "checker")
    page = checker.get("/certificates/manual").get_data(as_text=True)
    assert "批准并签发" in page and "查看扫描件" in page and "3715" in page and world["holder"].id_number not in page
    scan = checker.get(f"/certificates/manual/{req.id}/evidence")
    assert scan.status_code == 200 and scan.mimetype == "application/pdf" and scan.data.startswith(b"%PDF-")
    done = checker.post(f"/certificates/manual/{req.id}/approve",
                        data={"csrf_token": csrf_token(checker, "/certificates/manual")}, follow_redirects=True)
    cert = db.session.execute(select(Certificate)).scalar_one()
    assert f"已批准并签发证书 {cert.number}" in done.get_data(as_text=True)
