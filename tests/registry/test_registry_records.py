"""Registry records: the person page and its edits (version check, audit, region scope), adding and importing
coordinators certified elsewhere (row-by-row report, idempotent), monthly trends and large enterprises on known
data, and the new tables in the Excel export."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lrc_training.auth.models import User
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.core.errors import Conflict, NotFound
from lrc_training.core.models import AuditLog
from lrc_training.courses.models import Course, Enrollment
from lrc_training.db import utcnow
from lrc_training.exams.models import Application, ExamSession, PartResult
from lrc_training.exams.services.outcomes import rebuild
from lrc_training.extensions import db
from lrc_training.registry.models import RegistryEntry
from lrc_training.registry.services.access import Access
from lrc_training.registry.services.importing import COLUMNS, import_registry
from lrc_training.registry.services.records import profile, update_entry
from lrc_training.registry.services.trends import large_enterprise_gaps, monthly_trends, months_back
from tests.conftest import login, post_form
from tests.factories import make_org, make_user, valid_id_number
from tests.registry.helpers import import_sheet


@pytest.fixture
def world(app):
    city = make_org("聊城市人社局", kind="hrss", region_code="371500")
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    company = make_org("聊城企业甲", kind="enterprise", region_code="371502")
    qingdao = make_org("青岛企业丙", kind="enterprise", region_code="370211")
    person = make_user("trainee", username="a", name="陈晓燕", org=company)
    far = make_user("trainee", username="c", name="孙丽娟", org=qingdao)
    for holder, level in ((person, 3), (far, 4)):
        issue_certificate(IssueRequest(kind="level", holder_name=holder.name, holder_user_id=holder.id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=level))
    staff = make_user("org_staff", username="citystaff", org=city)
    db.session.commit()
    return {"staff": staff, "person": person, "far": far, "company": company, "qingdao": qingdao,
            "evaluator": evaluator}


def test_person_page_shows_what_the_platform_knows_and_edits_are_version_checked(client, world):
    login(client, "citystaff")
    person = world["person"]
    page = client.get(f"/registry/people/{person.id}").get_data(as_text=True)
    assert "陈晓燕" in page and "三级/高级工" in page and "聊城企业甲" in page
    assert person.id_number not in page  # masked
    assert client.get(f"/registry/people/{world['far'].id}").status_code == 404  # Qingdao: outside the city
    saved = post_form(client, f"/registry/people/{person.id}",
                      {"position": "劳动关系专员", "full_time": "1", "started_on": "2020-03-01", "version": ""},
                      follow_redirects=True)
    assert "已保存" in saved.get_data(as_text=True)
    entry = db.session.execute(select(RegistryEntry).where(RegistryEntry.user_id == person.id)).scalar_one()
    assert (entry.position, entry.full_time, entry.started_on.isoformat()) == ("劳动关系专员", True, "2020-03-01")
    # a second editor who loaded the page before the first saved gets a conflict, not an overwrite
    stale = post_form(client, f"/registry/people/{person.id}",
                      {"position": "人事经理", "full_time": "0", "started_on": "", "version": ""},
                      follow_redirects=True)
    assert "已被他人修改" in stale.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.position == "劳动关系专员"
    future = post_form(client, f"/registry/people/{person.id}", {"position": "x", "full_time": "0",
                       "started_on": (utcnow() + timedelta(days=3)).date().isoformat(), "version": str(entry.version)})
    assert "不能晚于今天" in future.get_data(as_text=True)
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "registry.update")).scalars().all()
    assert len(audit) == 1 and audit[0].new["position"] == "劳动关系专员" and audit[0].old == {}


def test_update_entry_rules(world):
    staff, person = world["staff"], world["person"]
    entry = update_entry(staff, person.id, position="专员", full_time=False, started_on=None, version=None)
    db.session.commit()
    with pytest.raises(Conflict):
        update_entry(staff, person.id, position="经理", full_time=True, started_on=None, version=None)
    update_entry(staff, person.id, position="经理", full_time=True, started_on=None, version=entry.version)
    db.session.commit()
    with pytest.raises(NotFound):
        update_entry(staff, world["far"].id, position="x", full_time=False, started_on=None, version=None)
    assert profile(staff, person.id).entry.position == "经理"




def test_import_reports_every_row_and_is_idempotent(world):
    new_id = valid_id_number(region="371502", birth="19850612", seq=211)
    bad_digit = valid_id_number(region="371502", birth="19870101", seq=212)
    bad_digit = bad_digit[:17] + ("1" if bad_digit[17] != "1" else "2")
    rows = [
        ["王建华", new_id, "聊城企业甲", "S000037150001253000123", "三级/高级工", "调解员", "专职", "2019-05-01"],
        ["李强", bad_digit, "聊城企业甲", "", "", "", "", ""],
        ["赵敏", valid_id_number(region="370211", birth="19900101", seq=213), "青岛企业丙", "X1", "4", "", "", ""],
        ["孙丽", valid_id_number(region="371502", birth="19910101", seq=214), "聊城企业甲", "Y2", "", "", "", ""],
        ["陈晓燕", world["person"].id_number, "聊城企业甲", "", "", "人事专员", "兼职", ""],
        ["王建华", new_id, "聊城企业甲", "", "", "", "", ""],
    ]
    report = import_registry(world["staff"], import_sheet(rows))
    db.session.commit()
    assert report.added == [(2, "王建华"), (6, "陈晓燕")]
    reasons = dict(report.errors)
    assert reasons[3].startswith("身份证号")
    assert "不在您的管辖范围内" in reasons[4]
    assert "须注明等级" in reasons[5]
    assert reasons[7] == "与前面的行是同一人"
    created = db.session.execute(select(User).where(User.id_number == new_id)).scalar_one()
    assert created.username == new_id and created.organization_id == world["company"].id
    entry = db.session.execute(select(RegistryEntry).where(RegistryEntry.user_id == created.id)).scalar_one()
    assert (entry.level, entry.certificate_number, entry.full_time) == (3, "S000037150001253000123", True)
    # the same sheet again: nothing new; a changed row is an update
    again = import_registry(world["staff"], import_sheet(rows[:1]))
    assert again.unchanged == [(2, "王建华")] and not again.added
    rows[0][5] = "首席调解员"
    changed = import_registry(world["staff"], import_sheet(rows[:1]))
    db.session.commit()
    assert changed.updated == [(2, "王建华")]
    wrong_name = import_registry(world["staff"], import_sheet([["错名字", world["person"].id_number, "聊城企业甲",
                                                         "", "", "", "", ""]]))
    assert "不一致" in dict(wrong_name.errors)[2]
    assert import_registry(world["staff"], io.BytesIO(b"not excel")).file_error


def test_import_page_and_add_page(client, world):
    login(client, "citystaff")
    template = client.get("/registry/import-template.xlsx")
    assert [c.value for c in load_workbook(io.BytesIO(template.data)).active[1]][:len(COLUMNS)] == COLUMNS
    new_id = valid_id_number(region="371502", birth="19800101", seq=301)
    sheet = import_sheet([["周平", new_id, "聊城企业甲", "Z9", "2", "", "", ""]])
    response = post_form(client, "/registry/import", {"file": (sheet, "信息库.xlsx")},
                         content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert "新增 1" in text and "周平" in text
    outsider = make_user("trainee", username="outsider", org=world["qingdao"])
    refused = post_form(client, "/registry/add", {"person": outsider.username, "level": "", "certificate_number": ""},
                        follow_redirects=True)
    assert "不在您的管辖范围内" in refused.get_data(as_text=True)
    insider = make_user("trainee", username="insider", name="钱多多", org=world["company"])
    added = post_form(client, "/registry/add", {"person": insider.id_number, "level": "4",
                                                 "certificate_number": "s0001"}, follow_redirects=True)
    assert "已加入信息库" in added.get_data(as_text=True) and "钱多多" in added.get_data(as_text=True)


def test_monthly_trends_on_known_data(world):
    now = utcnow()
    this_month, last_month = months_back(2)[1], months_back(2)[0]
    company = world["company"]
    people = [make_user("trainee", username=f"t{i}", org=company) for i in range(4)]
    # certificates: the fixture issued 2 today (one in Qingdao, outside the city scope)
    course = Course(organization_id=company.id, title="劳动合同管理实务", level=4, hours=40, capacity=30,
                    starts_on=now.date(), ends_on=now.date(), enrollment_closes_at=now, status="published",
                    completion_share=0.8)
    db.session.add(course)
    db.session.flush()
    for i, person in enumerate(people[:3]):
        db.session.add(Enrollment(course_id=course.id, user_id=person.id, status="completed", hours_attended=40,
                                  completed_at=now - timedelta(days=40 if i == 0 else 0)))
    session = ExamSession(organization_id=world["evaluator"].id, title="认定", level=4, parts=["theory", "practical"],
                          opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=2),
                          applications_close_at=now - timedelta(days=4), blueprint=[], state="published")
    db.session.add(session)
    db.session.flush()
    outcomes = {people[0]: (True, True), people[1]: (True, False), people[2]: (False, False), people[3]: (True, True)}
    for person, parts in outcomes.items():
        application = Application(session_id=session.id, user_id=person.id, status="approved")
        db.session.add(application)
        db.session.flush()
        for part, passed in zip(("theory", "practical"), parts, strict=True):
            db.session.add(PartResult(application_id=application.id, user_id=person.id, level=4, part=part,
                                      score=Decimal("70") if passed else Decimal("40"), passed=passed,
                                      published_at=now))
    db.session.commit()
    rebuild()  # these results were written directly, not published through the exams service
    db.session.commit()
    rows = {r["month"]: r for r in monthly_trends(Access.region("3715"))}
    assert rows[this_month]["certificates"] == 1  # the Qingdao certificate is outside the scope
    assert rows[this_month]["completions"] == 2
    if (now - timedelta(days=40)).strftime("%Y-%m") == last_month:
        assert rows[last_month]["completions"] == 1
    assert (rows[this_month]["exam_candidates"], rows[this_month]["exam_passed"], rows[this_month]["pass_rate"]) == (
        4, 2, 50.0)
    assert monthly_trends(Access.region("37"))[-1]["certificates"] == 2
    assert len(monthly_trends(Access.region("3715"))) == 12


def test_large_enterprises_with_too_few_coordinators(app, world):
    big = make_org("聊城钢铁集团", kind="enterprise", region_code="371502")
    big.employees = 5000
    bigger = make_org("聊城化工集团", kind="enterprise", region_code="371521")
    bigger.employees = 8000
    small = make_org("小企业", kind="enterprise", region_code="371502")
    small.employees = 50
    world["company"].employees = 1200  # 1 coordinator (陈晓燕): still short of 2
    for n in range(2):
        worker = make_user("trainee", username=f"w{n}", org=bigger)
        db.session.add(RegistryEntry(user_id=worker.id, level=4, certificate_number=f"EXT{n}"))
    db.session.commit()
    gaps = large_enterprise_gaps(Access.region("3715"))
    assert (gaps["large"], gaps["short"]) == (3, 2)
    assert [(e["name"], e["coordinators"]) for e in gaps["enterprises"]] == [("聊城钢铁集团", 0), ("聊城企业甲", 1)]
    assert large_enterprise_gaps(Access.region("3702"))["large"] == 0


def test_export_has_trend_and_coverage_sheets(client, world):
    login(client, "citystaff")
    book = load_workbook(io.BytesIO(client.get("/registry/export.xlsx").data))
    assert {"月度趋势", "企业覆盖"} <= set(book.sheetnames)
    assert book["月度趋势"].max_row == 13
    page = client.get("/registry/").get_data(as_text=True)
    assert "近 12 个月趋势" in page and "协调员不足的大型企业" in page


def test_single_record_api_scope_edit_and_trends(client, world):
    from tests.conftest import api_token

    headers = api_token(client, "citystaff")
    person = world["person"]
    record = client.get(f"/api/v1/registry/{person.id}", headers=headers)
    assert record.status_code == 200 and record.get_json()["highest_level"] == "3"
    assert record.get_json()["version"] is None
    assert client.get(f"/api/v1/registry/{world['far'].id}", headers=headers).status_code == 404
    saved = client.put(f"/api/v1/registry/{person.id}", headers=headers,
                       json={"position": "劳动关系专员", "full_time": True, "started_on": "2021-01-01", "version": None})
    assert saved.status_code == 200 and saved.get_json()["position"] == "劳动关系专员"
    stale = client.put(f"/api/v1/registry/{person.id}", headers=headers,
                       json={"position": "经理", "full_time": False, "version": None})
    assert stale.status_code == 409 and "version" in stale.get_json()["fields"]
    bad = client.put(f"/api/v1/registry/{person.id}", headers=headers, json={"started_on": "not a date"})
    assert bad.status_code in (400, 422) and "started_on" in bad.get_json()["fields"]
    trends = client.get("/api/v1/statistics/trends", headers=headers).get_json()
    assert len(trends["months"]) == 12 and trends["months"][-1]["certificates"] == 1
    assert client.get("/api/v1/statistics/trends?region_code=370200", headers=headers).status_code == 403
