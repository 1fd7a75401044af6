"""Staff and the on-site scores (who enters them), and the 成绩登记表 in Excel and PDF."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from lrc_training.core.models import AuditLog
from lrc_training.db import utcnow
from lrc_training.exams.exports import COLUMNS
from lrc_training.exams.models import ExamSession
from lrc_training.exams.services.applications import apply, decide
from lrc_training.exams.services.attempts import save_response, start_attempt, submit
from lrc_training.exams.services.grading import record_part_score
from lrc_training.exams.services.results import compute_results
from lrc_training.extensions import db
from tests.conftest import login
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_org, make_user


@pytest.fixture
def world():
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff, parts=["theory", "practical"])
    examiner = make_user("examiner", username="kpy", name="王考评", org=org)
    people = []
    for name in ("陈晓燕", "赵文博"):
        user = make_user("trainee", name=name)
        application = apply(user, session.id, work_years=5)
        decide(staff, application, True)
        people.append((user, application))
    db.session.commit()
    return {"org": org, "staff": staff, "session": session, "examiner": examiner, "people": people}


def _finish(world):
    """陈晓燕 writes the theory exam (all correct); 赵文博 does not come; both get practical scores."""
    session = world["session"]
    (chen, chen_app), (zhao, zhao_app) = world["people"]
    attempt = start_attempt(chen, session.id)
    for item in attempt.items:  # options are shuffled per paper: answer the letter this candidate saw for "B"
        save_response(attempt, item.question_id,
                      "ABCD"[item.option_order.index("B")] if item.kind == "single" else True)
    submit(attempt)
    session.opens_at, session.closes_at = utcnow() - timedelta(hours=5), utcnow() - timedelta(hours=1)
    record_part_score(world["examiner"], session, chen_app.id, 88)
    record_part_score(world["examiner"], session, zhao_app.id, "72.5")
    db.session.commit()


def test_staff_on_the_scores_page_learn_who_enters_them(client, world):
    session = world["session"]
    login(client, "staff")
    response = client.get(f"/exams/sessions/{session.id}/scores")
    assert response.status_code == 200  # was a bare 403
    page = response.get_data(as_text=True)
    assert "现场成绩由考评员录入" in page and "王考评" in page
    assert "操作技能考核：已录入 <strong>0</strong> / 2 人" in page
    assert 'name="score-' not in page  # no inputs: staff do not enter scores
    results = client.get(f"/exams/sessions/{session.id}/results").get_data(as_text=True)
    assert "现场成绩由考评员录入" in results and "王考评" in results


def test_staff_of_another_organization_see_nothing_of_the_session(client, world):
    make_user("org_staff", username="other", org=make_org("济南市评价中心", region_code="370100"))
    login(client, "other")
    assert client.get(f"/exams/sessions/{world['session'].id}/scores").status_code == 404


def test_examiners_still_get_the_score_sheet(client, world):
    login(client, "kpy")
    page = client.get(f"/exams/sessions/{world['session'].id}/scores").get_data(as_text=True)
    assert 'name="score-' in page and "陈晓燕" not in page  # anonymous codes only


def test_register_waits_for_every_result(client, world):
    session = world["session"]
    login(client, "staff")
    assert "成绩登记表 Excel" not in client.get(f"/exams/sessions/{session.id}/results").get_data(as_text=True)
    response = client.get(f"/exams/sessions/{session.id}/register.xlsx", follow_redirects=True)
    assert "尚未确定，全部确定后可导出成绩登记表" in response.get_data(as_text=True)


def test_register_excel_in_the_official_layout(client, world):
    _finish(world)
    session = world["session"]
    (chen, _), (zhao, _) = world["people"]
    login(client, "staff")
    assert "成绩登记表 Excel" in client.get(f"/exams/sessions/{session.id}/results").get_data(as_text=True)
    response = client.get(f"/exams/sessions/{session.id}/register.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = [[c for c in row] for row in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]
    texts = ["".join(str(c) for c in row if c is not None) for row in rows]
    assert texts[0] == "职业技能等级认定成绩登记表"
    assert session.title in texts[1]
    assert "四级/中级工" in texts[2] and "聊城市职业技能等级认定中心" in texts[2] and "考试日期" in texts[2]
    header = [list(r[:9]) for r in rows].index(COLUMNS)
    body = [list(r[:9]) for r in rows[header + 1:header + 3]]
    by_name = {r[2]: r for r in body}
    theory = compute_results(db.session.get(ExamSession, session.id))
    chen_theory = next(r.scores["theory"] for r in theory if r.name == "陈晓燕")
    assert by_name["陈晓燕"][4:8] == [float(chen_theory), 88, "—", "合格"]
    assert by_name["赵文博"][4:9] == [0, 72.5, "—", "不合格", "理论缺考"]
    assert by_name["陈晓燕"][3] == chen.id_number_masked and chen.id_number not in "".join(texts)
    assert [r[0] for r in body] == [1, 2]
    assert any("考评组长（签字）" in t and "评价机构（盖章）" in t for t in texts)
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "export.results_register")).scalar_one()
    assert audit.new["rows"] == 2


def test_register_pdf(client, world):
    _finish(world)
    session = world["session"]
    (chen, _), _ = world["people"]
    login(client, "staff")
    response = client.get(f"/exams/sessions/{session.id}/register.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("成绩登记表", "准考证号", "综合评审", "是否合格", "考评组长", "评价机构", "陈晓燕", "理论缺考",
                     chen.id_number_masked):
        assert expected in text.replace(" ", ""), expected
    assert chen.id_number not in text
    # Still there after publication.
    from lrc_training.exams.services.results import publish

    publish(world["staff"], db.session.get(ExamSession, session.id))
    db.session.commit()
    assert client.get(f"/exams/sessions/{session.id}/register.pdf").status_code == 200
