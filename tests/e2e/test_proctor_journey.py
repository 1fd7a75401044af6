"""Exam day from the proctor's chair and the bank owner's desk, in a real browser: the live monitor lists
candidates by room and seat with codes only, a candidate leaving the exam tab shows up there, the proctor extends one
candidate's time, pauses and resumes a room (the candidate's page says the exam is paused), prints the room's record;
after the session the item analysis page lists the flagged questions first and retires one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lrc_training.exams.models import Attempt, Question
from lrc_training.exams.services.applications import apply, assign_seats, decide
from lrc_training.extensions import db
from tests.e2e.test_exam_staff_journey import sit_the_exam
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def exam_day():
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff, title="2026 年第三批四级认定")
    people = [make_user("trainee", username=u, name=n) for u, n in (("chenxy", "陈晓燕"), ("zhaowb", "赵文博"))]
    for person in people:
        decide(staff, apply(person, session.id, work_years=5), True)
    assign_seats(staff, session, room_size=30)
    db.session.commit()
    return {"session": session, "staff": staff, "people": people}


def test_the_proctor_watches_extends_and_pauses_a_room(new_page, sign_in, screenshot, exam_day):
    session = exam_day["session"]
    candidate = new_page()
    sign_in(candidate, "chenxy")
    candidate.goto(f"/exams/sessions/{session.id}/exam")
    candidate.wait_for_load_state()
    candidate.once("dialog", lambda dialog: dialog.accept())  # 开始后立即计时 … 确定开始考试吗？
    candidate.get_by_role("button", name="开始考试").click()
    expect(candidate.locator("#exam-clock")).to_be_visible()
    candidate.wait_for_load_state()

    proctor = new_page()
    sign_in(proctor, "staff")
    proctor.goto(f"/exams/sessions/{session.id}/monitor")
    expect(proctor.get_by_role("heading", name="监考")).to_be_visible()
    table = proctor.locator("#monitor")
    expect(table).to_contain_text("答题中")
    expect(table).to_contain_text("未开始")
    expect(table).not_to_contain_text("陈晓燕")  # codes and seats, never names

    # The candidate switches to another tab: the page reports it; the monitor shows it after a refresh.
    other = candidate.context.new_page()
    other.goto("about:blank")
    other.bring_to_front()
    candidate.bring_to_front()
    candidate.evaluate("window.dispatchEvent(new Event('blur'))")
    attempt_id = db.session.execute(select(Attempt.id)).scalar_one()
    proctor.wait_for_timeout(500)
    proctor.reload()
    row = proctor.locator("tr", has=proctor.locator(f"form[action$='/attempts/{attempt_id}/extend']"))
    expect(row.locator("td").nth(7)).not_to_have_text("0")

    # Extend her time by 10 minutes with a reason.
    row.get_by_label("延长分钟").fill("10")
    row.get_by_label("原因", exact=True).fill("座位电脑重启")
    row.get_by_role("button", name="延时").click()
    expect(proctor.locator(".alert-success")).to_contain_text("延长 10 分钟")
    screenshot(proctor, "monitor")

    # Pause the room: her page says so and stops the clock; resume moves her deadline on.
    room = proctor.locator("form[action$='/monitor/pause']").first
    room.get_by_label("暂停原因").fill("考场停电")
    proctor.once("dialog", lambda dialog: dialog.accept())
    room.get_by_role("button", name="暂停本考场").click()
    expect(proctor.locator(".alert-success")).to_contain_text("计时已停止")
    candidate.evaluate("window.dispatchEvent(new Event('online'))")  # asks the server for the state at once
    expect(candidate.locator("#exam-alert")).to_contain_text("考试已暂停")
    screenshot(candidate, "candidate-paused")
    proctor.get_by_role("button", name="恢复本考场").click()
    expect(proctor.locator(".alert-success")).to_contain_text("剩余时间顺延")
    candidate.evaluate("window.dispatchEvent(new Event('online'))")
    expect(candidate.locator("#exam-alert")).to_be_hidden()

    # The room's record prints (a PDF the browser opens).
    href = proctor.get_by_role("link", name="考场记录（PDF）").first.get_attribute("href")
    record = proctor.request.get(href)
    assert record.ok and record.headers["content-type"] == "application/pdf"


def test_the_bank_owner_reads_the_item_analysis_and_retires_a_question(new_page, sign_in, screenshot, exam_day):
    session = exam_day["session"]
    for wrong, person in enumerate(exam_day["people"]):
        sit_the_exam(person, session.id, wrong=wrong * 3)
    db.session.commit()
    staff = new_page()
    sign_in(staff, "staff")
    staff.goto(f"/exams/sessions/{session.id}")
    staff.get_by_role("link", name="试题分析").click()
    expect(staff.get_by_role("heading", name="试题分析")).to_be_visible()
    expect(staff.locator("table")).to_contain_text("过易")
    screenshot(staff, "item-analysis")
    first_flagged = staff.locator("tr.table-warning").first
    staff.once("dialog", lambda dialog: dialog.accept())
    first_flagged.get_by_role("button", name="停用").click()
    expect(staff.locator(".alert-success")).to_contain_text("已停用")
    db.session.expire_all()
    assert db.session.execute(select(Question).where(Question.active.is_(False))).scalar_one()
