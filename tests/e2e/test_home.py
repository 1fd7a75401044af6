"""The home page in the browser: on a phone a trainee sees the exam open now with its 进入考试 button and the bell's
unread count without opening the menu; on a desktop an evaluation organization's staff see their work."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lrc_training.core.notifications import notify, unread_count
from lrc_training.exams.services.applications import apply, decide
from lrc_training.extensions import db
from tests.e2e.conftest import PHONE
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

pytestmark = pytest.mark.e2e


def test_trainee_on_a_phone_sees_the_open_exam_and_unread_count(new_page, screenshot, sign_in):
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff, title="2026 年第一批四级认定")
    candidate = make_user("trainee", username="phoneuser", name="孙丽娟")
    application = apply(candidate, session.id, work_years=5)
    decide(staff, application, True)
    for n in range(4):
        notify(candidate.id, f"通知{n}")
    db.session.commit()
    assert unread_count(candidate.id) == 5  # and the approval of the application
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "phoneuser")

    bell = page.get_by_role("link", name="5 条未读消息")
    expect(bell).to_be_visible()  # beside the brand, while the menu stays collapsed
    expect(page.get_by_role("button", name="切换导航")).to_have_attribute("aria-expanded", "false")
    card = page.locator(".todo-card").first
    expect(card.get_by_role("heading", name="理论考试已开始")).to_be_visible()
    expect(card).to_contain_text("2026 年第一批四级认定")
    enter = card.get_by_role("link", name="进入考试")
    expect(enter).to_be_visible()
    box = enter.bounding_box()
    assert box and box["height"] >= 30 and box["width"] > PHONE["width"] / 2  # a thumb-sized, full-width button
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "trainee-phone")

    enter.tap()
    expect(page).to_have_url(re.compile(rf"/exams/sessions/{session.id}/exam$"))
    expect(page.get_by_role("button", name="开始考试")).to_be_visible()
    page.get_by_role("link", name="5 条未读消息").tap()
    expect(page).to_have_url(re.compile(r"/notifications$"))


def test_staff_on_a_desktop_see_applications_and_results_to_publish(page, screenshot, sign_in):
    org, staff = setup_org()
    make_bank(staff)
    waiting = make_session(staff, title="2026 年第二批四级认定", opens_delta=3 * 24 * 60)
    for n in range(3):
        apply(make_user("trainee", name=f"考生{n}"), waiting.id, work_years=5)
    make_session(staff, title="2026 年第一批四级认定", opens_delta=-300, window=100)  # ended 200 minutes ago
    db.session.commit()
    sign_in(page, "staff")
    expect(page.locator(".todo-card", has_text="发布认定成绩")).to_contain_text("考试已结束，成绩待发布")
    card = page.locator(".todo-card", has_text="审核认定报名")
    expect(card).to_contain_text("2026 年第二批四级认定 · 3 人待审核")
    expect(page.get_by_role("link", name="没有未读消息", exact=False)).to_be_visible()
    screenshot(page, "staff-desktop")
    card.get_by_role("link", name="去审核").click()
    expect(page).to_have_url(re.compile(rf"/exams/sessions/{waiting.id}$"))
