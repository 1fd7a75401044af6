"""Staff and examiner pages of the exams area, and blind grading with arbitration."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from pypdf import PdfReader
from sqlalchemy import select

from lrc_training.exams.models import Application, ExamSession, PartScore, Question
from lrc_training.exams.services.applications import apply, decide
from lrc_training.exams.services.attempts import save_response, start_attempt, submit
from lrc_training.exams.services.grading import grade, tasks_for
from lrc_training.exams.services.results import compute_results
from lrc_training.extensions import db
from tests.conftest import csrf_token, login, post_form
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user


@pytest.fixture
def org_staff():
    return setup_org()


def test_staff_add_edit_and_import_questions(client, org_staff):
    org, staff = org_staff
    login(client, "staff")
    response = post_form(client, "/exams/bank/new", {
        "kind": "single", "level": "4", "function_code": "LC", "difficulty": "2", "points": "1",
        "stem": "劳动合同应当以什么形式订立？", "option_a": "口头", "option_b": "书面", "answer": "B"})
    assert response.status_code == 302
    question = db.session.execute(select(Question)).scalar_one()
    bad = post_form(client, "/exams/bank/new", {
        "kind": "single", "level": "4", "function_code": "LC", "difficulty": "2", "points": "1",
        "stem": "缺答案的题", "option_a": "甲", "option_b": "乙", "answer": "E"})
    assert "单选题答案应为一个选项键" in bad.get_data(as_text=True)
    limits = post_form(client, "/exams/bank/new", {
        "kind": "single", "level": "4", "function_code": "LC", "difficulty": "9", "points": "101",
        "stem": "", "option_a": "甲", "option_b": "乙", "answer": "A"}).get_data(as_text=True)
    assert "难度应在 1 到 5 之间" in limits and "分值应在 0 到 100 之间" in limits and "此项为必填项" in limits
    assert db.session.query(Question).count() == 1
    post_form(client, f"/exams/bank/{question.id}", {
        "kind": "single", "level": "4", "function_code": "LC", "difficulty": "2", "points": "1",
        "stem": "劳动合同应当以何种形式订立？", "option_a": "口头", "option_b": "书面", "answer": "B"})
    page = client.get(f"/exams/bank/{question.id}").get_data(as_text=True)
    assert "v2" in page and "v1" in page
    template = client.get("/exams/bank/template.xlsx")
    upload = client.post("/exams/bank/import", data={
        "csrf_token": csrf_token(client, "/exams/bank/import"), "file": (io.BytesIO(template.data), "q.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "新增 <strong>4</strong> 道" in upload
    assert db.session.query(Question).count() == 5
    listing = client.get("/exams/bank?kind=essay").get_data(as_text=True)
    assert "简述职工代表大会的主要职权" in listing and "劳动合同应当" not in listing


def test_session_form_checks_the_bank(client, org_staff):
    org, staff = org_staff
    make_bank(staff, singles=3, true_false=0)
    login(client, "staff")
    data = {"title": "2026 第二批", "level": "4", "parts": ["theory", "practical"],
            "opens_at": "2026-12-01T09:00", "closes_at": "2026-12-01T12:00", "duration_minutes": "90",
            "pass_mark": "60", "examiners_per_paper": "3", "arbitration_share": "0.2",
            "blueprint-0-function_code": "LC", "blueprint-0-kind": "single", "blueprint-0-count": "10",
            "blueprint-0-points_each": "10"}
    page = post_form(client, "/exams/sessions/new", data).get_data(as_text=True)
    assert "只有 3 道，需要 10 道" in page
    data["blueprint-0-count"] = "3"
    assert post_form(client, "/exams/sessions/new", data).status_code == 302
    session = db.session.execute(select(ExamSession)).scalar_one()
    assert session.blueprint == [{"function_code": "LC", "kind": "single", "count": 3, "points_each": 10.0}]
    assert session.opens_at.hour == 1  # 09:00 Beijing time is 01:00 UTC
    assert session.allow_review is False and session.partial_credit is False  # unticked boxes mean no


def test_session_form_shows_the_schemas_reasons(client, org_staff):
    org, staff = org_staff
    make_bank(staff, singles=3, true_false=0)
    login(client, "staff")
    data = {"title": "2026 第三批", "level": "4", "parts": ["theory"], "opens_at": "2026-12-01T09:00",
            "closes_at": "", "duration_minutes": "5", "pass_mark": "60", "examiners_per_paper": "3",
            "arbitration_share": "0.2", "allow_review": "y", "blueprint-0-function_code": "LC",
            "blueprint-0-kind": "single", "blueprint-0-count": "3", "blueprint-0-points_each": "10"}
    page = post_form(client, "/exams/sessions/new", data).get_data(as_text=True)
    assert "考试时长（分钟）应在 10 到 600 之间" in page and "此项为必填项" in page
    data.update(closes_at="2026-12-01T12:00", duration_minutes="90")
    assert post_form(client, "/exams/sessions/new", data).status_code == 302
    session = db.session.execute(select(ExamSession)).scalar_one()
    assert session.allow_review is True and session.parts == ["theory"] and session.closes_at.hour == 4


def test_blueprint_rows_take_their_limits_from_the_schema_and_show_reasons_at_the_row(client, org_staff):
    org, staff = org_staff
    make_bank(staff, singles=3, true_false=0)
    login(client, "staff")
    data = {"title": "2026 第四批", "level": "4", "parts": ["theory"], "opens_at": "2026-12-01T09:00",
            "closes_at": "2026-12-01T12:00", "duration_minutes": "90", "pass_mark": "60", "examiners_per_paper": "3",
            "arbitration_share": "0.2", "blueprint-0-function_code": "LC", "blueprint-0-kind": "single",
            "blueprint-0-count": "600", "blueprint-0-points_each": "0.2",
            "blueprint-1-function_code": "", "blueprint-1-kind": "", "blueprint-1-count": "",
            "blueprint-1-points_each": "",  # a browser sends the empty rows too
            "blueprint-2-function_code": "LC", "blueprint-2-count": "1", "blueprint-2-points_each": "10"}
    page = post_form(client, "/exams/sessions/new", data)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "第 1 行：题量应在 1 到 500 之间；每题分值应在 0.5 到 100 之间" in text
    assert "第 3 行：请选择题型" in text and "第 2 行：" not in text  # a row begun, not finished; an empty one
    assert 'min="0.5"' in text and 'max="500"' in text  # BlueprintRow's limits, as the boxes' hints
    data.update({"blueprint-0-count": "3", "blueprint-0-points_each": "10", "blueprint-2-function_code": ""})
    data.pop("blueprint-2-count"), data.pop("blueprint-2-points_each")
    assert post_form(client, "/exams/sessions/new", data).status_code == 302
    session = db.session.execute(select(ExamSession)).scalar_one()
    assert session.blueprint == [{"function_code": "LC", "kind": "single", "count": 3, "points_each": 10.0}]


def _candidate(session, name, years=5):
    user = make_user("trainee", name=name)
    application = apply(user, session.id, work_years=years)
    db.session.commit()
    return user, application


def test_applications_seats_tickets_and_sign_in_sheet(client, org_staff):
    org, staff = org_staff
    make_bank(staff)
    session = make_session(staff)
    people = [_candidate(session, n) for n in ("陈晓燕", "赵文博", "孙丽娟")]
    login(client, "staff")
    for _, application in people[:2]:
        post_form(client, f"/exams/applications/{application.id}/approve", {}, token_from=f"/exams/sessions/{session.id}")
    post_form(client, f"/exams/applications/{people[2][1].id}/reject", {"reason": "材料不全"},
              token_from=f"/exams/sessions/{session.id}")
    statuses = [db.session.get(Application, a.id).status for _, a in people]
    assert statuses == ["approved", "approved", "rejected"]
    post_form(client, f"/exams/sessions/{session.id}/seats", {"room_size": "1"}, token_from=f"/exams/sessions/{session.id}")
    rooms = sorted(db.session.get(Application, a.id).room for _, a in people[:2])
    assert rooms == ["第01考场", "第02考场"]
    tickets = PdfReader(io.BytesIO(client.get(f"/exams/sessions/{session.id}/tickets.pdf").data))
    assert len(tickets.pages) == 2
    text = tickets.pages[0].extract_text().replace(" ", "")
    assert "准考证" in text and "陈晓燕" in text and people[0][0].id_number not in text
    sheet = PdfReader(io.BytesIO(client.get(f"/exams/sessions/{session.id}/sign-in.pdf").data))
    assert "签到表" in sheet.pages[0].extract_text().replace(" ", "")


def test_seating_refuses_a_room_size_out_of_range_with_the_schemas_words(client, org_staff):
    org, staff = org_staff
    make_bank(staff)
    session = make_session(staff)
    _, application = _candidate(session, "陈晓燕")
    decide(staff, application, True)
    db.session.commit()
    login(client, "staff")
    url, page = f"/exams/sessions/{session.id}/seats", f"/exams/sessions/{session.id}"
    for typed, reason in (("500", "每个考场人数应在 1 到 200 之间"), ("", "每个考场人数：此项为必填项"),
                          ("三十", "每个考场人数：应为整数")):
        text = post_form(client, url, {"room_size": typed}, token_from=page, follow_redirects=True).get_data(as_text=True)
        assert reason in text
        assert db.session.get(Application, application.id).room is None
    assert 'min="1"' in client.get(page).get_data(as_text=True)  # the limit the schema declares, as a hint


def test_ineligible_needs_an_override_reason(org_staff):
    org, staff = org_staff
    make_bank(staff)
    session = make_session(staff)
    user = make_user("trainee")
    from lrc_training.exams.services.applications import Ineligible, staff_register

    with pytest.raises(Ineligible):
        staff_register(staff, session, user, work_years=1)
    application = staff_register(staff, session, user, work_years=1, override_reason="省级技术能手，破格申报")
    assert application.override_reason and application.eligibility_note.startswith("不符合")
    decide(staff, application, True)  # the recorded override lets it through
    assert application.status == "approved"
    other = make_user("trainee")
    with pytest.raises(Ineligible):  # a blank reason is no reason
        staff_register(staff, session, other, work_years=1, override_reason="  ")


def _essay_world():
    org, staff = setup_org()
    make_bank(staff, level=2, singles=2, true_false=0, essays=2, code="DM")
    session = make_session(staff, level=2, blueprint=[
        {"function_code": "DM", "kind": "single", "count": 2, "points_each": 10},
        {"function_code": "DM", "kind": "essay", "count": 2, "points_each": 40}], title="二级认定")
    candidate = make_user("trainee", name="王建国")
    from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate

    issue_certificate(IssueRequest(kind="level", holder_name="王建国", issuer_organization_id=org.id,
                                   source_type="manual", level=3, holder_user_id=candidate.id,
                                   issued_on=date(2020, 3, 1)))  # level 2 needs 4 years after level 3
    application = apply(candidate, session.id, work_years=5)
    decide(staff, application, True)
    attempt = start_attempt(candidate, session.id)
    for item in attempt.items:
        if item.kind == "essay":
            save_response(attempt, item.question_id, "职工代表大会有审议建议权、审议通过权、审议决定权……")
    submit(attempt)
    examiners = [make_user("examiner", name=f"考评员{i}", org=org) for i in range(3)]
    db.session.commit()
    return org, staff, session, application, examiners


def test_blind_grading_mean_and_arbitration():
    org, staff, session, application, examiners = _essay_world()
    chief = make_user("examiner", name="主考评员", org=org)
    session.chief_examiner_id = chief.id
    db.session.commit()
    assert tasks_for(chief) == []  # the chief is never one of the graders
    all_tasks = {e.id: tasks_for(e) for e in examiners}
    assert all(len(t) == 2 for t in all_tasks.values())
    assert all("王建国" not in str(t) for t in all_tasks.values())  # blind
    assert all(t[0]["anonymous_code"] == application.anonymous_code for t in all_tasks.values())
    first, second = sorted(all_tasks[examiners[0].id], key=lambda t: t["question_id"])
    # Essay 1: 30, 32, 34 → mean 32. Essay 2: 10, 30, 32 → spread 22 > 20% of 40 → the chief decides.
    for examiner, (a, b) in zip(examiners, [(30, 10), (32, 30), (34, 32)], strict=True):
        tasks = sorted(tasks_for(examiner), key=lambda t: t["question_id"])
        grade(examiner, tasks[0]["id"], a)
        grade(examiner, tasks[1]["id"], b)
    db.session.commit()
    rows = compute_results(session)
    assert rows[0].scores["theory"] is None  # waiting for arbitration
    arbitration = [t for t in tasks_for(chief) if t["is_arbitration"]]
    assert len(arbitration) == 1
    with pytest.raises(Exception, match="分数应在 0 到 40"):
        grade(chief, arbitration[0]["id"], 41)
    grade(chief, arbitration[0]["id"], 28)
    db.session.commit()
    row = compute_results(session)[0]
    objective = row.scores["theory"]
    # (objective + 32 + 28) / 100 points: the mean counts for essay 1, the chief's score for essay 2.
    from lrc_training.exams.models import Attempt

    attempt = db.session.execute(select(Attempt)).scalar_one()
    assert objective == (attempt.objective_score + 32 + 28).quantize(Decimal("0.01"))
    assert first["points"] == 40.0 and second["points"] == 40.0


def test_examiner_enters_practical_scores_without_names(client):
    org, staff, session, application, examiners = _essay_world()
    login(client, examiners[1].username)
    page = client.get(f"/exams/sessions/{session.id}/scores").get_data(as_text=True)
    assert application.anonymous_code in page and "王建国" not in page
    post_form(client, f"/exams/sessions/{session.id}/scores",
              {f"score-{application.id}-practical": "75.5", f"score-{application.id}-review": "101"})
    scores = {p.part: p.score for p in db.session.execute(select(PartScore)).scalars()}
    assert scores == {"practical": Decimal("75.50")}  # 101 refused
    wb = Workbook()
    ws = wb.active
    ws.append(["考生编号", "操作技能考核", "综合评审"])
    ws.append([application.anonymous_code, 80, 66])
    ws.append(["K000000", 70, 70])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = client.post(f"/exams/sessions/{session.id}/scores", data={
        "csrf_token": csrf_token(client, f"/exams/sessions/{session.id}/scores"),
        "import-file": (io.BytesIO(buffer.getvalue()), "s.xlsx")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "K000000 不存在" in response.get_data(as_text=True)
    scores = {p.part: p.score for p in db.session.execute(select(PartScore)).scalars()}
    assert scores == {"practical": Decimal("80.00"), "review": Decimal("66.00")}


def test_results_page_publish_and_certificates(client, org_staff):
    org, staff = org_staff
    make_bank(staff)
    session = make_session(staff)
    user, application = _candidate(session, "陈晓燕")
    decide(staff, application, True)
    from datetime import timedelta

    from lrc_training.db import utcnow

    session.opens_at, session.closes_at = utcnow() - timedelta(hours=5), utcnow() - timedelta(hours=1)  # it is over
    examiner = make_user("examiner", org=org)
    from lrc_training.exams.services.grading import record_part_score

    record_part_score(examiner, session, application.id, 88)
    db.session.commit()
    login(client, "staff")
    page = client.get(f"/exams/sessions/{session.id}/results").get_data(as_text=True)
    assert "陈晓燕" in page and "<svg" in page and "未通过" in page  # absent from theory: 0
    post_form(client, f"/exams/sessions/{session.id}/publish", {}, token_from=f"/exams/sessions/{session.id}/results")
    assert db.session.get(ExamSession, session.id).state == "published"
    response = post_form(client, f"/exams/sessions/{session.id}/certificates", {},
                         token_from=f"/exams/sessions/{session.id}/results", follow_redirects=True)
    assert "签发 0 张" in response.get_data(as_text=True)
