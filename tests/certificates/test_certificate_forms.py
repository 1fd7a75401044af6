"""The certificates pages' forms are SchemaForms over schemas.py: what a user types is checked by the schema the API
shares (or the page's own), each Chinese reason shown at its field; the settings page never reads the filing's
codes from what was typed."""

from datetime import date

import pytest
from sqlalchemy import select

from lrc_training.certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateSettings,
    ManualCertificateRequest,
)
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.factories import make_org, make_user, valid_id_number


@pytest.fixture
def center():
    center = make_org("聊城市职业技能等级认定中心", region_code="371500")
    make_user("org_staff", username="clerk", name="王建国", org=center)
    return center


def _issued(org, name="陈晓燕"):
    cert, _ = issue_certificate(IssueRequest(kind="level", holder_name=name, issuer_organization_id=org.id,
                                             source_type="manual", level=3, id_number=valid_id_number()))
    db.session.commit()
    return cert


def _field_error(page: str, field: str) -> str:
    marker = f'id="{field}-error">'
    assert marker in page, f"no error at {field}"
    return page.split(marker, 1)[1].split("<", 1)[0]


def test_the_manual_request_page_shows_the_schemas_reasons_at_the_fields(client, center):
    login(client, "clerk")
    page = client.get("/certificates/issue").get_data(as_text=True)
    assert "原发证日期" in page and "证明材料" in page and 'maxlength="200"' in page  # from ManualFields
    refused = post_form(client, "/certificates/issue", {
        "holder_name": "孙丽娟", "id_number": valid_id_number(), "level": "3", "issued_on": "",
        "reason": "平台上线前已通过认定", "evidence": "档" * 201, "job_direction": "--"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert _field_error(text, "evidence") == "长度不能超过 200 个字符"
    assert _field_error(text, "issued_on") == "此项为必填项"
    assert "孙丽娟" in text  # what was typed stays in the boxes
    assert db.session.query(ManualCertificateRequest).count() == 0


def test_the_manual_request_page_files_a_request_and_the_service_names_the_id_field(client, center):
    login(client, "clerk")
    wrong_id = post_form(client, "/certificates/issue", {
        "holder_name": "孙丽娟", "id_number": "12345", "level": "3", "issued_on": "2024-06-30",
        "reason": "纸质档案补录", "evidence": "成绩册第 12 页"})
    assert wrong_id.status_code == 200 and _field_error(wrong_id.get_data(as_text=True), "id_number")
    filed = post_form(client, "/certificates/issue", {
        "holder_name": "孙丽娟", "id_number": valid_id_number(), "level": "3", "issued_on": "2024-06-30",
        "reason": "纸质档案补录", "evidence": "成绩册第 12 页", "job_direction": ""})
    assert filed.status_code == 302
    req = db.session.execute(select(ManualCertificateRequest)).scalar_one()
    assert (req.holder_name, req.level, req.issued_on, req.job_direction) == ("孙丽娟", 3, date(2024, 6, 30), "--")


def test_settings_with_a_filing_read_only_the_name_and_signatory(client, center):
    login(client, "clerk")
    refused = post_form(client, "/certificates/settings", {
        "type_letter": "Y", "org_code": "12", "province_code": "x", "site_code": "", "registered_name": ""})
    text = refused.get_data(as_text=True)
    assert _field_error(text, "registered_name") == "此项为必填项"
    for code in ("org_code", "province_code", "site_code"):  # not typed here: no reason about them
        assert f'id="{code}-error"' not in text
    assert post_form(client, "/certificates/settings", {
        "org_code": "12", "registered_name": "聊城市评价中心", "signatory": "王建国"}).status_code == 302
    row = db.session.get(CertificateSettings, center.id)
    assert (row.org_code, row.registered_name, row.signatory) == ("0000", "聊城市评价中心", "王建国")


def test_settings_without_a_filing_type_the_codes(client):
    company = make_org("青岛港集团", kind="enterprise", region_code="370211")
    make_user("org_staff", username="hr", org=company)
    login(client, "hr")
    short = post_form(client, "/certificates/settings", {
        "type_letter": "Y", "org_code": "1234", "province_code": "3", "site_code": "123456", "registered_name": "港"})
    assert _field_error(short.get_data(as_text=True), "province_code") == "长度不能少于 2 个字符"
    letters = post_form(client, "/certificates/settings", {
        "type_letter": "Y", "org_code": "12a4", "province_code": "37", "site_code": "123456", "registered_name": "港"})
    assert _field_error(letters.get_data(as_text=True), "org_code") == "机构代码应为 4 位数字"  # the service's rule
    saved = post_form(client, "/certificates/settings", {
        "type_letter": "Y", "org_code": "1234", "province_code": "37", "site_code": "123456", "registered_name": "港"})
    assert saved.status_code == 302
    row = db.session.get(CertificateSettings, company.id)
    assert (row.type_letter, row.org_code, row.province_code, row.site_code) == ("Y", "1234", "37", "123456")
    stale = post_form(client, "/certificates/settings", {
        "type_letter": "Y", "org_code": "1234", "province_code": "37", "site_code": "123456", "registered_name": "港",
        "version": "abc"})
    assert "已被他人修改" in stale.get_data(as_text=True)


def test_reissue_needs_a_reason_at_its_field(client, center):
    cert = _issued(center, name="张山")
    login(client, "clerk")
    refused = post_form(client, f"/certificates/{cert.number}", {"reissue-reason": " ", "reissue-submit": "1"})
    assert refused.status_code == 200 and _field_error(refused.get_data(as_text=True), "reissue-reason") == "不能为空"
    assert db.session.get(Certificate, cert.id).status == "valid"
    too_long = post_form(client, f"/certificates/{cert.number}", {
        "reissue-reason": "录入错误", "reissue-holder_name": "张" * 51, "reissue-submit": "1"})
    assert _field_error(too_long.get_data(as_text=True), "reissue-holder_name") == "长度不能超过 50 个字符"
    done = post_form(client, f"/certificates/{cert.number}", {
        "reissue-reason": "录入错误", "reissue-holder_name": "张三", "reissue-id_number": "", "reissue-submit": "1"})
    db.session.expire_all()
    new = db.session.get(Certificate, cert.id).replaced_by
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/certificates/{new.number}")
    assert (new.holder_name, new.id_number) == ("张三", cert.id_number)


def test_the_verification_page_asks_for_both_fields(client, center):
    cert = _issued(center)
    empty = client.get("/verify", query_string={"number": cert.number, "name": ""}).get_data(as_text=True)
    assert _field_error(empty, "name") == "此项为必填项" and "证书有效" not in empty
    long = client.get("/verify", query_string={"number": "9" * 61, "name": "陈晓燕"}).get_data(as_text=True)
    assert _field_error(long, "number") == "长度不能超过 60 个字符"
    found = client.get("/verify", query_string={"number": cert.number, "name": "陈晓燕"}).get_data(as_text=True)
    assert "证书有效" in found


def test_a_batch_in_an_unknown_format_or_source_is_refused(client, center):
    cert = _issued(center)
    login(client, "clerk")
    source = f"{cert.source_type}|"
    bad_format = post_form(client, "/certificates/batches", {"source": source, "format": "exe"},
                           follow_redirects=True)
    assert "格式：取值应为" in bad_format.get_data(as_text=True)
    unknown = post_form(client, "/certificates/batches", {"source": "exam_session|424242", "format": "pdf"},
                        follow_redirects=True)
    assert "该来源没有证书" in unknown.get_data(as_text=True)
    assert db.session.query(CertificateBatch).count() == 0
    assert post_form(client, "/certificates/batches", {"source": source, "format": "zip"}).status_code == 302
    assert db.session.execute(select(CertificateBatch.format)).scalar_one() == "zip"
