"""Attacks on the accreditation (备案) gate: organizations without a valid filing covering the level cannot create an
exam session or issue a level certificate on any path; numbers never collide across organizations."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lrc_training.auth.models import Accreditation
from lrc_training.auth.services.accreditation import NotAccredited, end_accreditation, local_today
from lrc_training.certificates.models import Certificate, ManualCertificateRequest
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate, reissue
from lrc_training.db import utcnow
from lrc_training.exams.services.sessions import SessionInput, create_session
from lrc_training.extensions import db
from tests.conftest import api_token, csrf_token, login, post_form
from tests.exams.helpers import make_bank
from tests.exams.test_exam_flow import answer_key, approved_application
from tests.factories import accredit, make_org, make_user, valid_id_number


def level_request(org, level=3, issued_on=None, **extra):
    return IssueRequest(kind="level", holder_name=extra.pop("name", "张三"), issuer_organization_id=org.id,
                        source_type="import", id_number=valid_id_number(), level=level, issued_on=issued_on, **extra)


def session_body(level=4):
    now = utcnow()
    return {"title": "2026 年第一批认定", "level": level, "opens_at": (now + timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=2)).isoformat(), "duration_minutes": 90,
            "blueprint": [{"function_code": "LC", "kind": "single", "count": 5, "points_each": 20}]}


def expire(org):
    row = db.session.execute(select(Accreditation).where(Accreditation.organization_id == org.id,
                                                         Accreditation.ended_at.is_(None))).scalar_one()
    row.valid_from, row.valid_until = date(2020, 1, 1), local_today() - timedelta(days=1)
    db.session.commit()


# -- issuing ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["enterprise", "union", "school", "platform", "hrss"])
def test_organizations_that_are_not_evaluators_cannot_issue_level_certificates(kind):
    org = make_org(f"某{kind}", kind=kind, region_code="371500")
    with pytest.raises(NotAccredited) as info:
        issue_certificate(level_request(org, level=1, issued_on=date(2020, 6, 1)))
    assert info.value.status == 403 and info.value.code == "not_accredited"
    assert db.session.query(Certificate).count() == 0


def test_a_backdated_certificate_before_the_filing_started_is_refused():
    org = make_org("聊城市职业技能等级认定中心", region_code="371500", accredited=False)
    accredit(org, valid_from=date(2024, 1, 1))
    with pytest.raises(NotAccredited) as info:
        issue_certificate(level_request(org, level=1, issued_on=date(2020, 6, 1)))
    assert set(info.value.fields) == {"issued_on"}
    cert, _ = issue_certificate(level_request(org, level=1, issued_on=date(2024, 6, 1)))
    assert cert.number[13:16] == "241"


def test_an_expired_an_ended_or_a_narrower_filing_refuses():
    org = make_org("聊城市职业技能等级认定中心", region_code="371500", accredited=False)
    accredit(org, levels=(4, 3))
    with pytest.raises(NotAccredited) as narrower:
        issue_certificate(level_request(org, level=2))
    assert "不含二级" in narrower.value.message
    cert, _ = issue_certificate(level_request(org, level=3))
    db.session.commit()
    expire(org)
    with pytest.raises(NotAccredited) as expired:
        issue_certificate(level_request(org, level=3))
    assert "到期" in expired.value.message
    with pytest.raises(NotAccredited):  # a correction is a new certificate too
        reissue(cert, "姓名有误", holder_name="张叁")
    db.session.rollback()
    accredit_again = db.session.execute(select(Accreditation).where(Accreditation.organization_id == org.id)
                                        ).scalar_one()
    end_accreditation(None, org, "撤销")
    db.session.commit()
    assert accredit_again.ended_at is not None
    with pytest.raises(NotAccredited):
        issue_certificate(level_request(org, level=3))


def test_the_letter_and_codes_come_from_the_filing():
    org = make_org("聊城钢铁集团职业技能等级评价中心", region_code="371500", accredited=False)
    accredit(org, letter="Y", site_code="150233")
    cert, _ = issue_certificate(level_request(org, level=4, issued_on=date(2026, 3, 5)))
    assert cert.number == "Y000037150233264000001"


def test_two_evaluators_in_the_same_city_never_produce_the_same_number():
    """The collision of the old defaults (site code from the region, serial per organization)."""
    first = make_org("聊城市职业技能等级认定中心", region_code="371500")
    second = make_org("聊城市第二职业技能评价中心", region_code="371500")
    numbers = []
    for org in (first, second, first, second):
        cert, _ = issue_certificate(level_request(org, level=3, issued_on=date(2026, 3, 5)))
        db.session.commit()
        numbers.append(cert.number)
    assert len(set(numbers)) == 4
    assert numbers[0][7:13] == f"{first.id:06d}" and numbers[1][7:13] == f"{second.id:06d}"
    assert [n[-6:] for n in numbers] == ["000001", "000001", "000002", "000002"]


def test_a_prefix_reused_after_a_filing_ended_continues_its_serials():
    """Even when a later filing of another organization carries an ended filing's codes, the counter is keyed by
    the number prefix, so no number repeats."""
    old = make_org("原评价中心", region_code="371500", accredited=False)
    accredit(old, site_code="150001")
    first, _ = issue_certificate(level_request(old, level=3, issued_on=date(2026, 3, 5)))
    end_accreditation(None, old, "机构撤并")
    db.session.commit()
    new = make_org("新评价中心", region_code="371500", accredited=False)
    accredit(new, site_code="150001")
    second, _ = issue_certificate(level_request(new, level=3, issued_on=date(2026, 3, 5)))
    db.session.commit()
    assert first.number == "S000037150001263000001" and second.number == "S000037150001263000002"


def test_excel_import_needs_a_filing_and_the_level_in_it(client):
    """An import files requests only for rows the filing covers: level in the filing, issue date within it."""
    org = make_org("聊城市职业技能等级认定中心", region_code="371500", accredited=False)
    make_user("org_staff", username="staff", org=org)
    login(client, "staff")
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "等级", "工种/职业方向", "发证日期"])
    sheet.append(["李明", valid_id_number(seq=501), "一级/高级技师", "--", "2020-06-30"])
    sheet.append(["王五", valid_id_number(seq=502), "四级", "--", ""])
    sheet.append(["赵六", valid_id_number(seq=503), "四级", "--", "2024-12-31"])  # before the filing started
    data = io.BytesIO()
    book.save(data)

    def upload():
        return client.post("/certificates/import", data={
            "csrf_token": csrf_token(client, "/certificates/import"),
            "file": (io.BytesIO(data.getvalue()), "c.xlsx")}, content_type="multipart/form-data").get_data(as_text=True)

    assert "本机构没有有效的评价机构备案" in upload()
    assert db.session.query(ManualCertificateRequest).count() == 0
    accredit(org, levels=(4,), valid_from=date(2025, 1, 1))
    page = upload()
    assert "第 2 行" in page and "不能签发该等级" in page
    assert "第 4 行" in page and "发证日期须在备案有效期内（2025-01-01" in page
    assert "已提交 1 条发证申请" in page
    requests = db.session.execute(select(ManualCertificateRequest)).scalars().all()
    assert [(r.level, r.holder_name, r.status) for r in requests] == [(4, "王五", "pending_approval")]
    assert db.session.query(Certificate).count() == 0  # nothing issued by the import itself


# -- exam sessions ------------------------------------------------------------------------------------------------

def test_exam_sessions_need_a_filing_covering_the_level(client):
    center = make_org("聊城市职业技能等级认定中心", region_code="371500", levels=(4,))
    company = make_org("聊城华信机械", kind="enterprise", region_code="371502")
    staff = make_user("org_staff", username="staff", org=center)
    make_user("org_staff", username="hr", org=company)
    make_bank(staff, level=4)
    make_bank(staff, level=3)
    headers = api_token(client, "staff")
    refused = client.post("/api/v1/exam-sessions", json=session_body(level=3), headers=headers)
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_accredited"
    assert "不含三级" in refused.get_json()["message"]
    assert client.post("/api/v1/exam-sessions", json=session_body(level=4), headers=headers).status_code == 201
    hr = client.post("/api/v1/exam-sessions", json=session_body(level=4), headers=api_token(client, "hr"))
    assert hr.status_code == 403 and hr.get_json()["error"] == "not_accredited"
    expire(center)
    expired = client.post("/api/v1/exam-sessions", json=session_body(level=4), headers=headers)
    assert expired.status_code == 403 and "到期" in expired.get_json()["message"]


def test_the_session_page_says_why_in_chinese(client):
    center = make_org("聊城市职业技能等级认定中心", region_code="371500", levels=(4,))
    staff = make_user("org_staff", username="staff", org=center)
    make_bank(staff, level=3)
    with pytest.raises(NotAccredited):
        create_session(staff, SessionInput(title="三级", level=3, opens_at=utcnow(), closes_at=utcnow() + timedelta(
            hours=3), blueprint=[{"function_code": "LC", "kind": "single", "count": 5, "points_each": 20}]))
    db.session.rollback()
    login(client, "staff")
    now = utcnow() + timedelta(hours=8)
    page = post_form(client, "/exams/sessions/new", {
        "title": "2026 年三级认定", "level": "3", "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "90",
        "pass_mark": "60", "examiners_per_paper": "3", "arbitration_share": "0.2",
        "blueprint-0-function_code": "LC", "blueprint-0-kind": "single", "blueprint-0-count": "5",
        "blueprint-0-points_each": "20"}).get_data(as_text=True)
    assert "本机构备案的等级为四级，不含三级" in page


def test_the_exam_session_issue_path_stops_when_the_filing_ends(client):
    org = make_org("聊城市职业技能等级认定中心", region_code="371500")
    staff = make_user("org_staff", username="staff", org=org)
    make_bank(staff)
    now = utcnow()
    session = create_session(staff, SessionInput(
        title="四级认定", level=4, opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(hours=4),
        blueprint=[{"function_code": "LC", "kind": "single", "count": 5, "points_each": 10},
                   {"function_code": "LC", "kind": "true_false", "count": 5, "points_each": 10}]))
    db.session.commit()
    make_user("trainee", username="cand", name="陈晓燕")
    make_user("examiner", username="exam1", org=org)
    world = {"session": session, "staff_h": api_token(client, "staff"), "cand_h": api_token(client, "cand")}
    application_id = approved_application(client, world)
    paper = client.post(f"/api/v1/exam-sessions/{session.id}/attempts", headers=world["cand_h"]).get_json()
    keys = answer_key(paper["id"])
    for q in paper["questions"]:
        client.put(f"/api/v1/attempts/{paper['id']}/responses/{q['id']}", json={"response": keys[q["id"]]},
                   headers=world["cand_h"])
    client.post(f"/api/v1/attempts/{paper['id']}/submit", headers=world["cand_h"])
    client.post(f"/api/v1/exam-sessions/{session.id}/practical-scores",
                json={"application_id": application_id, "score": 80}, headers=api_token(client, "exam1"))
    assert client.post(f"/api/v1/exam-sessions/{session.id}/publish", headers=world["staff_h"]).status_code == 200
    end_accreditation(None, org, "备案被撤销")
    db.session.commit()
    refused = client.post("/api/v1/certificates/issue", json={"exam_session_id": session.id},
                          headers=world["staff_h"])
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_accredited"
    assert db.session.query(Certificate).count() == 0
    accredit(org)
    issued = client.post("/api/v1/certificates/issue", json={"exam_session_id": session.id},
                         headers=world["staff_h"])
    assert issued.status_code == 201 and issued.get_json()["issued"] == 1
