"""The candidate's pages as people use them: "我的认定" counts only batches still open to them and shows cards
on a phone (with 已报名 in view); during the exam the site's menu is gone and leaving with unsaved answers asks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lrc_training.exams.models import Application
from lrc_training.exams.services.applications import apply, assign_seats, decide
from lrc_training.extensions import db
from tests.e2e.conftest import PHONE
from tests.e2e.test_exam_journey import answer, start_exam, status
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def applied_world():
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff, title="2026 年第一批四级认定")
    make_session(staff, title="2026 年第二批四级认定", opens_delta=60 * 24 * 10)
    trainee = make_user("trainee", username="chenxy", name="陈晓燕")
    application = apply(trainee, session.id, work_years=5)
    decide(staff, application, True)
    assign_seats(staff, session, room_size=30)
    db.session.commit()
    return {"session": session, "trainee": trainee}


def test_mine_counts_only_what_one_can_still_apply_for_and_is_cards_on_a_phone(new_page, sign_in, screenshot,
                                                                                applied_world):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "chenxy")
    page.goto("/exams/mine")
    expect(page.get_by_role("link", name="可报名的批次（1）")).to_be_visible()  # not 2: one is applied for
    cards = page.locator(".open-session-cards > li")
    expect(cards).to_have_count(2)
    applied = cards.filter(has_text="2026 年第一批四级认定")
    applied.scroll_into_view_if_needed()
    badge = applied.get_by_text("已报名", exact=True)
    expect(badge).to_be_visible()
    box = badge.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    expect(cards.filter(has_text="第二批").get_by_role("link", name=re.compile("报名："))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "mine-phone")


def test_the_exam_page_has_no_way_out_but_asks_before_leaving_unsaved_answers(new_page, sign_in, screenshot,
                                                                              applied_world):
    page = new_page()
    sign_in(page, "chenxy")
    page.goto("/exams/mine")
    start_exam(page)
    expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)
    expect(page.get_by_role("link", name="证书查询")).to_have_count(0)
    expect(page.locator(".exam-site-bar")).to_contain_text("理论知识考试进行中 · 陈晓燕")
    screenshot(page, "exam-no-menu")

    # Everything saved: leaving does not ask.
    answer(page, 1, option=1)
    expect(status(page, 1)).to_have_text("已保存")

    # Offline with an answer waiting: leaving asks, and staying keeps the page.
    page.context.set_offline(True)
    answer(page, 2, option=1)
    expect(status(page, 2)).to_have_text("离线，恢复后自动提交")
    asked: list[str] = []

    def stay(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.evaluate("() => { window.setTimeout(() => { window.location.href = '/exams/mine'; }, 0); }")
    page.wait_for_timeout(200)
    for _ in range(50):
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked == ["beforeunload"]
    expect(page.locator("#exam-clock")).to_be_visible()
    assert page.url.endswith("/exam")
    page.remove_listener("dialog", stay)

    # Back online the answer is sent; now the candidate may leave without a question.
    page.context.set_offline(False)
    expect(status(page, 2)).to_have_text("已保存")
    unexpected: list[str] = []
    page.on("dialog", lambda d: (unexpected.append(d.type), d.accept()))
    page.goto("/exams/mine")
    expect(page).to_have_url(re.compile(r"/exams/mine$"))
    assert unexpected == []
    assert db.session.execute(select(Application)).scalar_one().status == "approved"
