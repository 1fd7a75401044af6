"""Certificate pages and API: settings, issuing, import, revoke/reissue, verification, batches, permissions."""

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from lrc_training.certificates.models import Certificate, CertificateBatch, ManualCertificateRequest
from lrc_training.certificates.services import issuing
from lrc_training.certificates.services.batches import process_pending_batches
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.extensions import db
from tests.conftest import api_token, csrf_token, login, post_form
from tests.factories import make_org, make_user, valid_id_number


@pytest.fixture
def evaluator():
    return make_org("山东省劳动关系协调员职业技能等级认定中心", kind="evaluator", region_code="370000")


@pytest.fixture
def staff(evaluator):
    return make_user("org_staff", username="staff", org=evaluator)


def issue(org, name="陈晓燕", level=3, **extra):
    cert, _ = issue_certificate(IssueRequest(kind="level", holder_name=name, issuer_organization_id=org.id,
                                             source_type=extra.pop("source_type", "manual"), level=level,
                                             id_number=extra.pop("id_number", valid_id_number()), **extra))
    db.session.commit()
    return cert


def test_settings_form_and_example_number(client, staff):
    """The codes come from the filing (shown, not editable); name, signatory and seal from the settings."""
    login(client, "staff")
    page = client.get("/certificates/settings").get_data(as_text=True)
    assert f"S000037{staff.organization_id:06d}" in page and "以本机构的评价机构备案" in page
    seal = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 0, 0, 128)).save(seal, "PNG")
    seal.seek(0)
    response = client.post("/certificates/settings", data={  # a disabled select sends no type letter
        "csrf_token": csrf_token(client, "/certificates/settings"), "org_code": "9999",
        "province_code": "11", "site_code": "150001", "registered_name": "山东省劳动关系协调员评价中心",
        "signatory": "王建国", "seal": (seal, "seal.png")}, content_type="multipart/form-data")
    assert response.status_code == 302
    cert = issue(staff.organization)
    assert cert.number.startswith(f"S000037{staff.organization_id:06d}26")  # the filing's codes, not the typed ones
    assert cert.issuer_name == "山东省劳动关系协调员评价中心" and cert.signatory == "王建国"
    fake = client.post("/certificates/settings", data={
        "csrf_token": csrf_token(client, "/certificates/settings"), "type_letter": "S", "org_code": "0000",
        "province_code": "37", "site_code": "150001", "registered_name": "x",
        "seal": (io.BytesIO(b"not an image"), "seal.png")}, content_type="multipart/form-data")
    assert "不是有效的图片" in fake.get_data(as_text=True)


def test_holder_and_staff_see_a_certificate_others_do_not(app, client, staff):
    holder = make_user("trainee", username="holder")
    cert = issue(staff.organization, holder_user_id=holder.id)
    login(client, "holder")
    assert cert.number in client.get("/certificates/mine").get_data(as_text=True)
    assert client.get(f"/certificates/{cert.number}").status_code == 200
    stranger = app.test_client()
    make_user("trainee", username="stranger")
    login(stranger, "stranger")
    assert stranger.get(f"/certificates/{cert.number}").status_code == 404
    assert stranger.get(f"/certificates/{cert.number}.pdf").status_code == 404
    other_staff = app.test_client()
    make_user("org_staff", username="otherstaff", org=make_org("另一评价机构"))
    login(other_staff, "otherstaff")
    assert other_staff.get(f"/certificates/{cert.number}").status_code == 404


def test_revoke_and_reissue_through_the_page(client, staff):
    cert = issue(staff.organization, name="张山")
    login(client, "staff")
    response = post_form(client, f"/certificates/{cert.number}", {
        "reissue-reason": "姓名录入错误", "reissue-holder_name": "张三", "reissue-submit": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    old = db.session.execute(select(Certificate).where(Certificate.number == cert.number)).scalar_one()
    assert old.status == "revoked" and old.replaced_by.holder_name == "张三"
    page = client.get(f"/certificates/{old.replaced_by.number}").get_data(as_text=True)
    assert cert.number in page  # the chain is shown
    public = client.get(f"/verify?number={cert.number}&name=张山").get_data(as_text=True)
    assert "证书已撤销" in public and old.replaced_by.number in public


def test_revoking_through_the_page_needs_a_reason(client, staff):
    cert = issue(staff.organization)
    login(client, "staff")
    form = client.get(f"/certificates/{cert.number}").get_data(as_text=True)
    assert "撤销原因" in form and 'maxlength="500"' in form  # the label and the limit come from RevokeIn
    refused = post_form(client, f"/certificates/{cert.number}", {"revoke-reason": " ", "revoke-submit": "1"})
    assert refused.status_code == 200 and "不能为空" in refused.get_data(as_text=True)
    assert db.session.get(Certificate, cert.id).status == "valid"
    done = post_form(client, f"/certificates/{cert.number}", {"revoke-reason": "材料不实", "revoke-submit": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Certificate, cert.id).status, db.session.get(Certificate, cert.id).revoke_reason) == (
        "revoked", "材料不实")


def test_public_verification_page_and_qr(client, staff):
    cert = issue(staff.organization, name="陈晓燕")
    page = client.get(f"/verify?number={cert.number}&name=陈晓燕").get_data(as_text=True)
    assert "证书有效" in page and "陈*燕" in page and cert.id_number not in page
    assert "未找到" in client.get(f"/verify?number={cert.number}&name=陈小燕").get_data(as_text=True)
    from lrc_training.certificates.services.verification import qr_token

    assert client.get(f"/verify/q/{qr_token(cert)}").status_code == 200
    assert client.get("/verify/q/forged.token").status_code == 404


def test_verification_is_rate_limited(client, staff):
    cert = issue(staff.organization)
    statuses = [client.get(f"/api/v1/verify/{cert.number}?name=x").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


def test_api_settings_revoke_record_and_verify(client, staff):
    holder = make_user("trainee", username="holder", name="赵文博")
    cert = issue(staff.organization, name="赵文博", holder_user_id=holder.id)
    headers = api_token(client, "staff")
    org_id = staff.organization_id
    defaults = client.get(f"/api/v1/organizations/{org_id}/certificate-settings", headers=headers).get_json()
    site = f"{org_id:06d}"  # the filing gave no site code: derived from the organization id
    assert (defaults["type_letter"], defaults["org_code"], defaults["province_code"], defaults["site_code"]) == (
        "S", "0000", "37", site) and defaults["seal_configured"]  # factories set a seal
    put = client.put(f"/api/v1/organizations/{org_id}/certificate-settings", headers=headers, json={
        "type_letter": "S", "org_code": "0000", "province_code": "37", "site_code": site,
        "registered_name": "评价中心"})
    assert put.status_code == 200 and put.get_json()["configured"] and put.get_json()["registered_name"] == "评价中心"
    contradicting = client.put(f"/api/v1/organizations/{org_id}/certificate-settings", headers=headers, json={
        "type_letter": "Y", "org_code": "0001", "province_code": "37", "site_code": "150001",
        "registered_name": "评价中心"})
    assert contradicting.status_code == 422
    assert set(contradicting.get_json()["fields"]) == {"type_letter", "org_code", "site_code"}
    bad = client.put(f"/api/v1/organizations/{org_id}/certificate-settings", headers=headers, json={
        "type_letter": "Q", "org_code": "0001", "province_code": "37", "site_code": "150001", "registered_name": "x"})
    assert bad.status_code == 422 and "type_letter" in bad.get_json()["fields"]
    record = client.get(f"/api/v1/certificates/{cert.number}", headers=api_token(client, "holder")).get_json()
    assert record["number"] == cert.number and "id_number" not in record
    assert record["id_number_masked"].startswith("3715****")
    public = client.get(f"/api/v1/verify/{cert.number}?name=赵文博").get_json()
    assert public == public | {"valid": True, "status": "valid", "holder": "赵*博", "occupation": "劳动关系协调师",
                               "level": "三级/高级工", "issued_on": cert.issued_on.isoformat(),
                               "issuer": staff.organization.name}
    assert client.get(f"/api/v1/verify/{cert.number}?name=别人").status_code == 404
    revoked = client.post(f"/api/v1/certificates/{cert.number}/revoke", headers=headers, json={"reason": "材料不实"})
    assert revoked.status_code == 200
    assert client.get(f"/api/v1/verify/{cert.number}?name=赵文博").get_json()["status"] == "revoked"
    assert client.post(f"/api/v1/certificates/{cert.number}/revoke", headers=headers,
                       json={"reason": "again"}).status_code == 409
    pdf = client.get(f"/api/v1/certificates/{cert.number}.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_issue_endpoint_dispatches_to_registered_sources(client, staff, monkeypatch):
    org_id = staff.organization_id

    def exam_issuer(actor, source_id):
        return issuing.issue_many([IssueRequest(
            kind="level", holder_name=f"考生{i}", issuer_organization_id=org_id, source_type="exam_session",
            source_id=str(source_id), source_key=f"exam_session:{source_id}:{i}", level=4) for i in range(3)])

    monkeypatch.setitem(issuing.certificate_sources(), "exam_session",
                        issuing.CertificateSource("exam_session", exam_issuer))
    headers = api_token(client, "staff")
    first = client.post("/api/v1/certificates/issue", headers=headers, json={"exam_session_id": 9})
    assert first.status_code == 201 and first.get_json()["issued"] == 3
    again = client.post("/api/v1/certificates/issue", headers=headers, json={"exam_session_id": 9})
    assert again.get_json()["issued"] == 0 and again.get_json()["numbers"] == []
    assert db.session.query(Certificate).count() == 3
    both = client.post("/api/v1/certificates/issue", headers=headers, json={"exam_session_id": 9, "competition_id": 1})
    assert both.status_code == 422
    unknown = client.post("/api/v1/certificates/issue", headers=headers, json={"competition_id": 424242})
    assert unknown.status_code == 404  # the competition source is registered; this competition does not exist


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "等级", "工种/职业方向", "发证日期"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_excel_import_reports_rows_and_is_idempotent(app, client, staff):
    make_user("org_staff", username="colleague", org=staff.organization)
    login(client, "staff")
    data = _sheet([["李明", valid_id_number(seq=501), "三级/高级工", "--", "2025-06-30"],
                   ["王五", "371502199001011230", "三级", "--", ""],
                   ["赵六", valid_id_number(seq=502), "五级", "--", ""],
                   ["钱七", valid_id_number(seq=503), "4", "", "2025-13-01"]])

    def upload():
        return client.post("/certificates/import", data={
            "csrf_token": csrf_token(client, "/certificates/import"), "file": (io.BytesIO(data), "c.xlsx")},
            content_type="multipart/form-data").get_data(as_text=True)

    page = upload()
    assert "已提交 1 条发证申请，需由本机构另一名工作人员在「发证复核」中批准后签发" in page
    assert "第 3 行" in page and "校验码" in page and "第 4 行" in page and "第 5 行" in page
    req = db.session.execute(select(ManualCertificateRequest)).scalar_one()
    assert (req.issued_on, req.level, req.reason) == (date(2025, 6, 30), 3, "批量导入")
    again = upload()
    assert "已提交 0 条发证申请" in again and "已有待复核的手工发证申请" in again
    assert db.session.query(ManualCertificateRequest).count() == 1
    colleague = app.test_client()
    login(colleague, "colleague")
    post_form(colleague, f"/certificates/manual/{req.id}/approve", {}, token_from="/certificates/manual")
    cert = db.session.execute(select(Certificate)).scalar_one()
    assert cert.issued_on == date(2025, 6, 30) and cert.number[13:16] == "253" and cert.source_type == "import"
    held = upload()
    assert "已提交 0 条发证申请" in held and cert.number in held  # already certified: skipped, says which
    assert db.session.query(ManualCertificateRequest).count() == 1 and db.session.query(Certificate).count() == 1


def test_batch_builds_merged_pdf_and_zip_with_progress(client, staff):
    for i in range(5):
        issue(staff.organization, name=f"学员{i}", source_type="import", source_id="20260301")
    login(client, "staff")
    page = client.get("/certificates/batches").get_data(as_text=True)
    assert "批量导入 20260301（5 张）" in page
    for fmt in ("pdf", "zip"):
        post_form(client, "/certificates/batches", {"source": "import|20260301", "format": fmt})
    assert process_pending_batches() == 2
    assert process_pending_batches() == 0  # idempotent: nothing left
    batches = db.session.execute(select(CertificateBatch).order_by(CertificateBatch.id)).scalars().all()
    assert [(b.status, b.done, b.total) for b in batches] == [("done", 5, 5), ("done", 5, 5)]
    progress = client.get(f"/certificates/batches/{batches[0].id}/progress").get_json()
    assert progress == {"status": "done", "done": 5, "total": 5, "percent": 100, "error": None}
    merged = client.get(f"/certificates/batches/{batches[0].id}/download")
    assert len(PdfReader(io.BytesIO(merged.data)).pages) == 5
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/certificates/batches/{batches[1].id}/download").data))
    assert len(archive.namelist()) == 5 and all(n.endswith(".pdf") for n in archive.namelist())


def test_preview_renders_sample_certificates(client, staff):
    login(client, "staff")
    for kind in ("level", "award"):
        response = client.get(f"/certificates/preview/{kind}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
