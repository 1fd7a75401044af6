"""The bank owner's desk in a real browser (desktop): after the session the item analysis shows a question nobody
seemed to know; the owner marks its key wrong, picks the right answer, gives a reason, and the session is re-graded —
the analysis lists the correction and the question's history page shows each paper's old and new score. The room's
proctor sees names on the monitor; other staff see codes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lrc_training.exams.models import ExamSession, Question
from lrc_training.exams.services.applications import apply, assign_seats, decide
from lrc_training.exams.services.attempts import save_response, start_attempt, submit
from lrc_training.exams.services.results import compute_results
from lrc_training.extensions import db
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def sat_session():
    """Two singles keyed B; the second one's right answer is really C. 陈晓燕 answered B to both, 赵文博 B then C."""
    org, staff = setup_org()
    make_bank(staff, singles=2, true_false=0)
    session = make_session(staff, title="2026 年第五批四级认定",
                           blueprint=[{"function_code": "LC", "kind": "single", "count": 2, "points_each": 50}])
    first, wrong = db.session.execute(select(Question.id).order_by(Question.id)).scalars().all()
    for username, name, answer in (("chenxy", "陈晓燕", "B"), ("zhaowb", "赵文博", "C")):
        person = make_user("trainee", username=username, name=name)
        decide(staff, apply(person, session.id, work_years=5), True)
        db.session.commit()
        attempt = start_attempt(person, session.id)
        for question_id, key in ((first, "B"), (wrong, answer)):
            item = next(i for i in attempt.items if i.question_id == question_id)
            save_response(attempt, question_id, "ABCD"[item.option_order.index(key)])
        submit(attempt)
        db.session.commit()
    return {"session": session, "staff": staff, "org": org, "wrong": wrong}


def _theory(session_id: int) -> dict[str, float]:
    db.session.expire_all()
    return {r.name: float(r.scores["theory"]) for r in compute_results(db.session.get(ExamSession, session_id))}


def test_the_bank_owner_marks_a_key_wrong_and_the_session_is_regraded(new_page, sign_in, screenshot, sat_session):
    session, wrong = sat_session["session"], sat_session["wrong"]
    assert _theory(session.id) == {"陈晓燕": 100.0, "赵文博": 50.0}
    staff = new_page(viewport=DESKTOP)
    sign_in(staff, "staff")
    staff.goto(f"/exams/sessions/{session.id}/item-analysis")
    expect(staff.get_by_role("heading", name="试题分析")).to_be_visible()
    row = staff.locator("tr", has=staff.get_by_role("link", name=f"第 {wrong} 题", exact=True))
    expect(row).to_contain_text("C：1")  # one candidate chose C (the bank's own key)
    row.get_by_role("link", name="答案有误").click()

    expect(staff.get_by_role("heading", name=f"更正答案：第 {wrong} 题")).to_be_visible()
    expect(staff.locator("main")).to_contain_text("原标准答案：B")
    staff.get_by_role("button", name="更正答案并重新评分").click()  # nothing chosen: Chinese field errors
    expect(staff.locator("main")).to_contain_text("请选择正确答案")
    staff.get_by_label("正确答案").select_option("C")
    staff.get_by_label("更正原因").fill("标准答案录入错误，依据《劳动合同法》应为 C")
    screenshot(staff, "key-correction")
    staff.get_by_role("button", name="更正答案并重新评分").click()

    expect(staff.locator(".alert-success")).to_contain_text("重新评分 2 份答卷，2 名考生的理论成绩有变化")
    expect(staff.locator("main")).to_contain_text("更正为")
    screenshot(staff, "analysis-after")
    assert _theory(session.id) == {"陈晓燕": 50.0, "赵文博": 100.0}

    staff.get_by_role("link", name="查看更正详情").first.click()
    expect(staff.get_by_role("heading", name=f"第 {wrong} 题 · 历次考试表现")).to_be_visible()
    expect(staff.locator("main")).to_contain_text("100.00 → 50.00")
    expect(staff.locator("main")).to_contain_text("50.00 → 100.00")
    expect(staff.locator("main")).not_to_contain_text("陈晓燕")  # codes, never names
    screenshot(staff, "history")


def test_the_rooms_proctor_sees_names_and_other_staff_see_codes(new_page, sign_in, screenshot, sat_session):
    session, staff_user = sat_session["session"], sat_session["staff"]
    make_user("examiner", username="watcher", name="王监考", org=sat_session["org"])
    assign_seats(staff_user, session, room_size=30)
    db.session.commit()
    staff = new_page(viewport=DESKTOP)
    sign_in(staff, "staff")
    staff.goto(f"/exams/sessions/{session.id}/monitor")
    staff.get_by_label("第01考场").select_option(label="王监考")
    staff.get_by_role("button", name="指定").click()
    expect(staff.locator(".alert-success")).to_contain_text("监考员已指定")
    expect(staff.locator("#monitor")).to_contain_text("监考员：王监考")
    expect(staff.locator("#monitor")).not_to_contain_text("陈晓燕")
    proctor = new_page(viewport=DESKTOP)
    sign_in(proctor, "watcher")
    proctor.goto(f"/exams/sessions/{session.id}/monitor")
    expect(proctor.locator("#monitor")).to_contain_text("陈晓燕")
    expect(proctor.locator("#monitor")).to_contain_text("赵文博")
    screenshot(proctor, "monitor-proctor")
