"""Course pages: catalog, enrollment, management hub, attendance grid, materials, exports, completion PDF."""

import io
import zipfile
from datetime import date, time, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from lrc_training.courses.models import Course, CourseMaterial, CourseSession, Enrollment
from lrc_training.extensions import db
from tests.conftest import csrf_token, login, post_form
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.factories import make_user


@pytest.fixture
def teacher():
    return make_school_and_teacher()[1]


def test_instructor_creates_publishes_and_trainee_enrolls(client, app, teacher):
    login(client, teacher.username)
    start = date.today() + timedelta(days=5)
    response = post_form(client, "/courses/new", {
        "title": "劳动争议调解实务", "level": "3", "work_areas": ["DR", "LC"], "hours": "24", "capacity": "1",
        "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=10)).isoformat(),
        "completion_share": "0.8", "location": "聊城高级技工学校 3 号楼 201", "requires_approval": ""})
    assert response.status_code == 302
    course = db.session.execute(select(Course)).scalar_one()
    assert course.status == "draft" and [a.code for a in course.work_areas] == ["LC", "DR"]
    assert post_form(client, f"/courses/{course.id}/status/publish", {},
                     token_from=f"/courses/{course.id}/manage").status_code == 302
    db.session.refresh(course)
    assert course.status == "published"

    make_user("trainee", username="amy", name="陈晓燕")
    make_user("trainee", username="ben", name="赵文博")
    amy, ben = app.test_client(), app.test_client()
    login(amy, "amy")
    login(ben, "ben")
    catalog = amy.get("/courses/?level=3&work_area=DR").get_data(as_text=True)
    assert "劳动争议调解实务" in catalog and "余 1 / 1 名额" in catalog
    assert "劳动争议调解实务" not in amy.get("/courses/?level=4").get_data(as_text=True)
    post_form(amy, f"/courses/{course.id}/enroll", {}, token_from=f"/courses/{course.id}")
    response = post_form(ben, f"/courses/{course.id}/enroll", {}, token_from=f"/courses/{course.id}",
                         follow_redirects=True)
    assert "候补名单（第 1 位）" in response.get_data(as_text=True)
    assert "候补第 1 位" in ben.get("/courses/mine").get_data(as_text=True)

    # Amy withdraws; Ben moves up and gets a notification.
    amy_enrollment = db.session.execute(select(Enrollment).where(Enrollment.status == "enrolled")).scalar_one()
    post_form(amy, f"/courses/enrollments/{amy_enrollment.id}/withdraw", {}, token_from=f"/courses/{course.id}")
    statuses = dict(db.session.execute(select(Enrollment.user_id, Enrollment.status)).all())
    assert sorted(statuses.values()) == ["enrolled", "withdrawn"]


def test_form_errors_are_shown_in_chinese(client, teacher):
    login(client, teacher.username)
    response = post_form(client, "/courses/new", {"title": "", "level": "3", "hours": "abc", "capacity": "0",
                                                   "starts_on": "2026-05-10", "ends_on": "2026-05-01"})
    page = response.get_data(as_text=True)
    assert "此项为必填项" in page
    assert "招生人数应在 1 到 10000 之间" in page
    assert db.session.execute(select(Course)).first() is None
    response = post_form(client, "/courses/new", {"title": "某课程", "level": "3", "hours": "10", "capacity": "5",
                                                   "starts_on": "2026-05-10", "ends_on": "2026-05-01"})
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)


def _course_with_people(teacher, started=True):
    course = make_course(teacher, capacity=5, hours=6, starts_on=date.today() - timedelta(days=1) if started else None)
    from lrc_training.courses.services.enrollment import enroll_trainee

    people = [make_user("trainee", name=n) for n in ("陈晓燕", "赵文博")]
    enrollments = [enroll_trainee(p, course.id) for p in people]
    for i, hours in enumerate(("3", "3")):
        db.session.add(CourseSession(course_id=course.id, held_on=course.starts_on + timedelta(days=i),
                                     starts_at=time(9), ends_at=time(12),
                                     topic=f"第{i + 1}讲", hours=hours))
    db.session.commit()
    return course, enrollments


def test_attendance_grid_click_saves_and_completion_follows(client, teacher):
    course, enrollments = _course_with_people(teacher)
    login(client, teacher.username)
    page = client.get(f"/courses/{course.id}/attendance").get_data(as_text=True)
    assert "陈晓燕" in page and "第1讲" in page
    token = csrf_token(client, f"/courses/{course.id}/attendance")
    sessions = course.sessions
    for session in sessions:
        response = client.post(f"/courses/sessions/{session.id}/attendance/{enrollments[0].id}",
                               data={"csrf_token": token, "present": "1"}, headers={"Accept": "application/json"})
        assert response.status_code == 200
    assert response.get_json() == {"present": True, "hours": "6"}
    stranger = client.post(f"/courses/sessions/{sessions[0].id}/attendance/999999",
                           data={"csrf_token": token, "present": "1"}, headers={"Accept": "application/json"})
    assert stranger.status_code == 404 and stranger.get_json()["message"] == "该学员不在本课程名单中"
    # Only the first trainee reached the 80% rule.
    post_form(client, f"/courses/enrollments/{enrollments[0].id}/complete", {},
              token_from=f"/courses/{course.id}/manage")
    response = post_form(client, f"/courses/enrollments/{enrollments[1].id}/complete", {},
                         token_from=f"/courses/{course.id}/manage", follow_redirects=True)
    assert "未达到结业要求" in response.get_data(as_text=True)
    statuses = [db.session.get(Enrollment, e.id).status for e in enrollments]
    assert statuses == ["completed", "enrolled"]


def test_trainee_downloads_completion_record_pdf(client, app, teacher):
    course, enrollments = _course_with_people(teacher)
    from lrc_training.courses.services.enrollment import complete_enrollment

    complete_enrollment(teacher, enrollments[0], hours_attended=6)
    db.session.commit()
    holder = enrollments[0].user
    login(client, holder.username)
    response = client.get(f"/courses/enrollments/{enrollments[0].id}/completion.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    assert "陈晓燕" in compact and "培训结业证明" in compact and "劳动合同管理实务" in compact
    assert holder.id_number not in text  # masked on the record
    other = app.test_client()
    login(other, enrollments[1].user.username)
    assert other.get(f"/courses/enrollments/{enrollments[0].id}/completion.pdf").status_code == 404


def _docx_bytes() -> bytes:
    """A minimal .docx, byte-for-byte the same on every call (fixed member timestamps)."""
    buffer = io.BytesIO()
    stamp = (2026, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", stamp), "<Types/>")
        archive.writestr(zipfile.ZipInfo("word/document.xml", stamp), "<w:document/>")
    return buffer.getvalue()


def test_materials_real_type_checked_and_served_only_to_the_course(client, app, teacher):
    course, enrollments = _course_with_people(teacher)
    login(client, teacher.username)
    token = csrf_token(client, f"/courses/{course.id}/manage")
    fake = client.post(f"/courses/{course.id}/materials", data={
        "csrf_token": token, "material-title": "伪装的文件", "material-file": (io.BytesIO(b"MZ\x90\x00evil"), "x.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "文件类型不受支持或与扩展名不符" in fake.get_data(as_text=True) or "只支持" in fake.get_data(as_text=True)
    ok = client.post(f"/courses/{course.id}/materials", data={
        "csrf_token": token, "material-title": "劳动合同范本",
        "material-file": (io.BytesIO(_docx_bytes()), "范本.docx")},
        content_type="multipart/form-data")
    assert ok.status_code == 302
    material = db.session.execute(select(CourseMaterial)).scalar_one()
    assert material.mime_type.endswith("wordprocessingml.document")
    enrolled = app.test_client()
    login(enrolled, enrollments[0].user.username)
    assert enrolled.get(f"/courses/materials/{material.id}").data == _docx_bytes()
    outsider = app.test_client()
    make_user("trainee", username="outsider")
    login(outsider, "outsider")
    assert outsider.get(f"/courses/materials/{material.id}").status_code == 404


def test_excel_exports(client, teacher):
    course, enrollments = _course_with_people(teacher)
    login(client, teacher.username)
    roster = load_workbook(io.BytesIO(client.get(f"/courses/{course.id}/export/roster.xlsx").data)).active
    values = [[c.value for c in row] for row in roster.iter_rows()]
    assert any("陈晓燕" in row for row in values)
    assert not any(enrollments[0].user.id_number in row for row in values)
    attendance = load_workbook(io.BytesIO(client.get(f"/courses/{course.id}/export/attendance.xlsx").data)).active
    header = [c.value for c in attendance[2]]
    assert header[0] == "姓名" and "第1讲" in header[1]


def test_another_schools_instructor_gets_404_everywhere(client, teacher):
    course, enrollments = _course_with_people(teacher)
    _, stranger = make_school_and_teacher("济南技师学院")
    login(client, stranger.username)
    for path in (f"/courses/{course.id}/manage", f"/courses/{course.id}/edit", f"/courses/{course.id}/attendance",
                 f"/courses/{course.id}/export/roster.xlsx"):
        assert client.get(path).status_code == 404, path
    response = post_form(client, f"/courses/enrollments/{enrollments[0].id}/approve", {}, token_from="/courses/manage")
    assert response.status_code == 404


def test_org_staff_overview_shows_fill_and_completion_rates(client, teacher, count_queries):
    course, enrollments = _course_with_people(teacher)
    staff = make_user("org_staff", org=course.organization)
    login(client, staff.username)
    with count_queries() as one:
        page = client.get("/courses/manage").get_data(as_text=True)
    assert "40%" in page  # 2 of 5 seats
    for _ in range(5):
        make_course(teacher)
    with count_queries() as six:
        client.get("/courses/manage")
    assert six.count == one.count


def test_catalog_uses_constant_queries(client, teacher, count_queries):
    make_course(teacher)
    with count_queries() as one:
        client.get("/courses/")
    for _ in range(8):
        make_course(teacher, work_area_codes=["LC", "DR"])
    with count_queries() as many:
        assert client.get("/courses/").status_code == 200
    assert many.count == one.count
