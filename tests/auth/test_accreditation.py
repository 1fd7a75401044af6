"""Accreditation (备案): the admin records, edits and ends an evaluation organization's filing through the API and
the organization pages; ended filings stay on record; every change is audited."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lrc_training.auth.models import Accreditation
from lrc_training.auth.services.accreditation import local_today
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.factories import make_org, make_user


@pytest.fixture
def home(client):
    evaluator = make_org("聊城市职业技能等级认定中心", kind="evaluator", region_code="371500", accredited=False)
    school = make_org("聊城高级技工学校", kind="school", region_code="371502")
    make_user("admin", username="root")
    make_user("org_staff", username="staff", org=evaluator)
    make_user("org_staff", username="outsider", org=school)
    return {"evaluator": evaluator, "school": school, "admin": api_token(client, "root"),
            "staff": api_token(client, "staff"), "outsider": api_token(client, "outsider")}


def filing(**extra):
    until = (local_today() + timedelta(days=365)).isoformat()
    return {"filing_number": "鲁人社职鉴备〔2026〕0001号", "letter": "S", "levels": [4, 3], "valid_until": until} | extra


def url(org):
    return f"/api/v1/organizations/{org.id}/accreditation"


def test_admin_records_reads_edits_and_ends_a_filing(client, home):
    org = home["evaluator"]
    assert client.get(url(org), headers=home["admin"]).status_code == 404  # not accredited yet
    put = client.put(url(org), json=filing(site_code="150001"), headers=home["admin"])
    assert put.status_code == 200
    body = put.get_json()
    assert body == body | {"filing_number": "鲁人社职鉴备〔2026〕0001号", "letter": "S", "levels": [4, 3],
                           "org_code": "0000", "province_code": "37", "site_code": "150001",
                           "number_prefix": "S000037150001", "valid_today": True, "valid_from": local_today().isoformat()}
    assert client.get(url(org), headers=home["staff"]).get_json()["levels"] == [4, 3]  # its own staff may read
    edited = client.put(url(org), json=filing(levels=[4, 3, 2], version=body["version"]), headers=home["admin"])
    assert edited.status_code == 200 and edited.get_json()["levels"] == [4, 3, 2]
    assert edited.get_json()["site_code"] == f"{org.id:06d}" and edited.get_json()["site_code_derived"]
    stale = client.put(url(org), json=filing(version=body["version"]), headers=home["admin"])
    assert stale.status_code == 409
    ended = client.delete(url(org), json={"reason": "省人社厅撤销备案"}, headers=home["admin"])
    assert ended.status_code == 200 and ended.get_json()["ended_at"]
    assert client.get(url(org), headers=home["admin"]).status_code == 404
    assert client.delete(url(org), headers=home["admin"]).status_code == 404
    rows = db.session.execute(select(Accreditation).where(Accreditation.organization_id == org.id)).scalars().all()
    assert len(rows) == 1 and rows[0].ended_at is not None and rows[0].end_reason == "省人社厅撤销备案"  # kept
    again = client.put(url(org), json=filing(), headers=home["admin"])  # a new filing after the old one ended
    assert again.status_code == 200
    assert db.session.query(Accreditation).filter(Accreditation.organization_id == org.id).count() == 2
    actions = db.session.execute(select(AuditLog.action).where(AuditLog.object_type == "organization",
                                                               AuditLog.object_id == str(org.id))
                                 .order_by(AuditLog.id)).scalars().all()
    assert actions == ["accreditation.record", "accreditation.update", "accreditation.end", "accreditation.record"]


def test_only_admins_record_and_only_evaluators_are_accredited(client, home):
    assert client.put(url(home["evaluator"]), json=filing(), headers=home["staff"]).status_code == 403
    assert client.delete(url(home["evaluator"]), headers=home["staff"]).status_code == 403
    assert client.get(url(home["evaluator"]), headers=home["outsider"]).status_code == 404  # another organization
    school = client.put(url(home["school"]), json=filing(), headers=home["admin"])
    assert school.status_code == 422 and school.get_json()["fields"] == {"organization": "机构类型不是评价机构"}


@pytest.mark.parametrize(("override", "field", "status"), [
    ({"letter": "X"}, "letter", 422),
    ({"levels": [5]}, "levels", 422),
    ({"levels": [4, 4]}, "levels", 422),
    ({"levels": []}, "levels", 422),
    ({"valid_until": "2020-01-01"}, "valid_until", 422),
    ({"valid_until": "2026-02-30"}, "valid_until", 400),
    ({"site_code": "15000A"}, "site_code", 422),
    ({"org_code": "12"}, "org_code", 422),
    ({"filing_number": ""}, "filing_number", 422),
])
def test_bad_filings_name_the_field(client, home, override, field, status):
    response = client.put(url(home["evaluator"]), json=filing(**override), headers=home["admin"])
    assert response.status_code == status and field in response.get_json()["fields"]


def test_two_open_filings_cannot_share_a_number_prefix(client, home):
    other = make_org("聊城市第二评价中心", kind="evaluator", region_code="371500", accredited=False)
    assert client.put(url(home["evaluator"]), json=filing(site_code="150001"), headers=home["admin"]).status_code == 200
    clash = client.put(url(other), json=filing(site_code="150001"), headers=home["admin"])
    assert clash.status_code == 409 and clash.get_json()["fields"] == {"site_code": "与其他机构的备案重复"}
    assert client.put(url(other), json=filing(letter="Y", site_code="150001"), headers=home["admin"]).status_code == 200


def test_an_accredited_organization_keeps_its_kind_and_province(client, home):
    org = home["evaluator"]
    client.put(url(org), json=filing(), headers=home["admin"])
    login(client, "root")
    response = post_form(client, f"/admin/organizations/{org.id}/edit", {
        "name": org.name, "kind": "school", "region_code": "371500", "active": "y", "version": str(org.version)})
    assert response.status_code == 200 and "有效备案期间不能改为非评价机构" in response.get_data(as_text=True)
    db.session.refresh(org)
    assert org.kind == "evaluator"


def test_admin_pages_record_edit_and_end_with_chinese_errors(client, home):
    org = home["evaluator"]
    login(client, "root")
    page = client.get(f"/admin/organizations/{org.id}/accreditation").get_data(as_text=True)
    assert "尚未备案" in page and "登记备案" in page
    bad = post_form(client, f"/admin/organizations/{org.id}/accreditation", {
        "filing_number": "鲁备001", "letter": "S", "valid_until": "2020-01-01", "site_code": "12"})
    text = bad.get_data(as_text=True)
    assert "请选择备案的等级" in text and "有效期截止日期不能早于今天" in text and "站点代码应为 6 位数字" in text
    until = (local_today() + timedelta(days=700)).isoformat()
    saved = post_form(client, f"/admin/organizations/{org.id}/accreditation", {
        "filing_number": "鲁备001", "letter": "S", "levels": ["4", "3"], "valid_until": until})
    assert saved.status_code == 302
    page = client.get(f"/admin/organizations/{org.id}/accreditation").get_data(as_text=True)
    assert "备案有效" in page and f"S000037{org.id:06d}" in page
    assert "可组织 四级、三级认定" in page and "4 级" not in page  # one way to write a level everywhere
    listing = client.get("/admin/organizations").get_data(as_text=True)
    assert f"已备案 至 {until}" in listing
    too_long = post_form(client, f"/admin/organizations/{org.id}/accreditation/end", {"end-reason": "长" * 501},
                         token_from=f"/admin/organizations/{org.id}/accreditation")
    assert too_long.status_code == 302  # refused by the schema (AccreditationEndIn): the filing stays open
    assert "备案有效" in client.get(f"/admin/organizations/{org.id}/accreditation").get_data(as_text=True)
    ended = post_form(client, f"/admin/organizations/{org.id}/accreditation/end", {"end-reason": "到期不再续展"},
                      token_from=f"/admin/organizations/{org.id}/accreditation")
    assert ended.status_code == 302
    page = client.get(f"/admin/organizations/{org.id}/accreditation").get_data(as_text=True)
    assert "尚未备案" in page and "到期不再续展" in page  # the history keeps the ended filing
    school_page = client.get(f"/admin/organizations/{home['school'].id}/accreditation").get_data(as_text=True)
    assert "只有“评价机构”类型的机构可以备案" in school_page
    staff_client = client.application.test_client()
    login(staff_client, "staff")
    assert staff_client.get(f"/admin/organizations/{org.id}/accreditation").status_code == 403
