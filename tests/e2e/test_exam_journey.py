"""A trainee applies for a skill-level assessment, is approved, takes the theory exam through a network outage
and a reload, and hands it in; the deadline is the server's, whatever the device's clock says."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from lrc_training.db import utcnow
from lrc_training.exams.models import Application, Attempt, Response
from lrc_training.exams.services.applications import apply, assign_seats, decide
from lrc_training.extensions import db
from tests.e2e.conftest import ARTIFACTS, PHONE
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

pytestmark = pytest.mark.e2e

SESSION_TITLE = "2026 年第一批四级认定"


@pytest.fixture
def exam_world():
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff)
    trainee = make_user("trainee", username="chenxy", name="陈晓燕")
    db.session.commit()
    return {"org": org, "staff": staff, "session": session, "trainee": trainee}


@pytest.fixture
def view_shot(request):
    """view_shot(page, "step"): what the screen shows (the sticky bar included), not the whole page."""
    ARTIFACTS.mkdir(exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(page, step: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{test_name}-{step}.png"))

    return take


def saved_count() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(Response)).scalar_one()


def question(page, position: int):
    return page.locator(f"#q-{position}")


def answer(page, position: int, option: int = 0) -> None:
    question(page, position).locator("label.exam-option").nth(option).click()


def status(page, position: int):
    return question(page, position).locator(".exam-save-status")


def approve_and_seat(world) -> None:
    db.session.expire_all()
    application = db.session.execute(select(Application)).scalar_one()
    decide(world["staff"], application, True)
    assign_seats(world["staff"], application.session, room_size=30)
    db.session.commit()


def start_exam(page, shot=None) -> None:
    page.get_by_role("link", name="进入理论考试").click()
    expect(page.get_by_role("heading", name="理论知识考试")).to_be_visible()
    page.wait_for_load_state()
    if shot:
        shot(page, "exam-rules")
    page.once("dialog", lambda dialog: dialog.accept())  # 开始后立即计时 ... 确定开始考试吗？
    page.get_by_role("button", name="开始考试").click()
    expect(page.locator("#exam-clock")).to_have_text(re.compile(r"^\d{2}:\d{2}$|^\d:\d{2}:\d{2}$"))
    page.wait_for_load_state()


def test_trainee_applies_takes_the_exam_offline_reloads_and_submits(new_page, sign_in, screenshot, view_shot, go_to,
                                                                    exam_world):
    page = new_page()
    sign_in(page, "chenxy")
    go_to(page, "我的认定")
    expect(page.get_by_role("heading", name="我的认定")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=SESSION_TITLE)).to_contain_text("四级/中级工")
    screenshot(page, "mine-open-sessions")

    # Apply: the eligibility rule refuses one year, the entered values stay, five years pass.
    page.get_by_role("link", name=f"报名：{SESSION_TITLE}").click()
    page.get_by_label("从事本职业或相关职业的工作年限（年）").fill("1")
    page.get_by_label("学历").select_option(label="大专")
    page.get_by_role("button", name="提交报名").click()
    refusal = page.locator("#refusal")
    expect(refusal).to_contain_text("申报四级需从事本职业或相关职业工作满 4 年")
    expect(page.get_by_label("学历")).to_have_value("junior_college")
    expect(page.get_by_label("从事本职业或相关职业的工作年限（年）")).to_have_value("1")
    screenshot(page, "apply-refused")
    page.get_by_label("从事本职业或相关职业的工作年限（年）").fill("5")
    page.get_by_role("button", name="提交报名").click()
    expect(page).to_have_url(re.compile(r"/exams/mine$"))
    expect(page.get_by_role("alert")).to_contain_text("已提交")
    expect(page.locator(".application-card")).to_contain_text("待审核")

    # Staff approve and seat the candidate (through the services).
    approve_and_seat(exam_world)
    page.reload()
    card = page.locator(".application-card")
    expect(card).to_contain_text("已通过")
    expect(card).to_contain_text("第01考场 · 01 号")
    screenshot(page, "mine-approved")
    card.get_by_role("link", name="准考证").click()
    expect(page.get_by_role("heading", name="职业技能等级认定准考证")).to_contain_text("准考证")
    expect(page.locator(".ticket")).to_contain_text("第01考场 · 01 号")
    screenshot(page, "ticket")
    page.go_back()

    start_exam(page, screenshot)
    expect(page.locator("#exam-progress-text")).to_have_text("已答 0 / 10")
    expect(page.locator("#exam-net-text")).to_have_text("全部答案已保存")

    # Three answers, each saved as it is given; question 2 flagged for review.
    for position in (1, 2, 3):
        answer(page, position, option=1)
        expect(status(page, position)).to_have_text("已保存")
    question(page, 2).get_by_role("button", name="☆ 标记待检查").click()
    expect(question(page, 2).locator(".exam-flag")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".exam-nav-item[data-position='2']")).to_have_class(re.compile(r"\bis-flagged\b"))
    expect(page.locator("#exam-progress-text")).to_have_text("已答 3 / 10")
    assert saved_count() == 3
    view_shot(page, "exam-desktop")

    # The network drops: the fourth answer waits in the browser and says so.
    page.context.set_offline(True)
    answer(page, 6, option=0)  # a true/false question: 正确
    expect(status(page, 6)).to_have_text("离线，恢复后自动提交")
    expect(page.locator("#exam-net")).to_contain_text("网络已断开")
    assert "lrc-exam:" in page.evaluate("Object.keys(localStorage).join(' ')")
    assert saved_count() == 3
    view_shot(page, "exam-offline")

    # Back online: it is sent by itself.
    page.context.set_offline(False)
    expect(status(page, 6)).to_have_text("已保存")
    expect(page.locator("#exam-net-text")).to_have_text("全部答案已保存")
    assert saved_count() == 4

    # A reload resumes the same paper with every answer and the flag.
    clock_before = page.locator("#exam-clock").inner_text()
    page.reload()
    page.wait_for_load_state()
    expect(page.locator("#exam-progress-text")).to_have_text("已答 4 / 10")
    for position, option in ((1, 1), (2, 1), (3, 1), (6, 0)):
        expect(question(page, position).locator("input").nth(option)).to_be_checked()
        expect(status(page, position)).to_have_text("已保存")
    expect(question(page, 2).locator(".exam-flag")).to_have_attribute("aria-pressed", "true")
    assert page.locator("#exam-clock").inner_text() <= clock_before  # the countdown did not restart

    # One question at a time, starting where the candidate was (question 6), with the navigator.
    page.get_by_role("button", name="逐题作答").click()
    expect(question(page, 6)).to_be_visible()
    expect(question(page, 1)).to_be_hidden()
    page.locator(".exam-nav-item[data-position='5']").click()
    expect(question(page, 5)).to_be_visible()
    expect(question(page, 1)).to_be_hidden()
    question(page, 5).get_by_role("button", name="下一题 →").click()
    expect(question(page, 6)).to_be_visible()
    view_shot(page, "exam-one-question")
    page.get_by_role("button", name="显示全部题目").click()
    expect(question(page, 2)).to_be_visible()

    # Another browser on a phone: the same attempt, the same answers; the timer stays at the top.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, "chenxy")
    phone.goto("/exams/mine")
    phone.get_by_role("link", name="继续答题").click()
    phone.wait_for_load_state()
    expect(phone.locator("#exam-progress-text")).to_have_text("已答 4 / 10")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tap = question(phone, 4).locator("label.exam-option").nth(0).bounding_box()
    assert tap["height"] >= 44  # a comfortable tap target
    view_shot(phone, "exam-phone")
    question(phone, 8).scroll_into_view_if_needed()
    phone.mouse.wheel(0, 400)
    bar = phone.locator(".exam-bar").bounding_box()
    assert abs(bar["y"]) < 2, bar  # sticky at the top of the viewport
    view_shot(phone, "exam-phone-scrolled")
    phone.get_by_role("button", name="题目导航").tap()
    expect(phone.locator("#exam-nav")).to_have_class(re.compile(r"\bshow\b"))
    phone.locator("#exam-nav .exam-nav-item[data-position='9']").tap()
    expect(phone.locator("#exam-nav")).not_to_have_class(re.compile(r"\bshow\b"))
    answer(phone, 9, option=0)
    expect(status(phone, 9)).to_have_text("已保存")

    # Back at the desktop: reopening the exam takes it over (one active device per attempt); the phone is told.
    page.reload()
    expect(page.locator("#exam-progress-text")).to_have_text("已答 5 / 10")
    answer(phone, 10, option=0)
    expect(phone.locator("#exam-alert")).to_contain_text("本页面已停止作答")
    view_shot(phone, "exam-phone-taken-over")

    # Hand in from the desktop: the confirmation counts unanswered and flagged questions.
    page.get_by_role("button", name="交卷").first.click()
    dialog = page.get_by_role("dialog", name="确认交卷")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("未答 5 题")
    expect(dialog).to_contain_text("标记待检查 1 题（第 2 题）")
    view_shot(page, "exam-confirm")
    dialog.get_by_role("button", name="确认交卷").click()
    expect(page.get_by_role("heading", name="已交卷")).to_be_visible()
    expect(page.get_by_text("客观题得分")).to_be_visible()
    screenshot(page, "exam-submitted")
    db.session.expire_all()
    attempt = db.session.execute(select(Attempt)).scalar_one()
    assert attempt.status == "submitted" and attempt.submitted_by == "candidate"
    assert saved_count() == 5  # the phone's answer counts too
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes(':queue')).length") == 0


def test_the_server_deadline_rules_a_skewed_clock_late_answers_and_the_automatic_hand_in(new_page, sign_in,
                                                                                         view_shot, exam_world):
    application = apply(exam_world["trainee"], exam_world["session"].id, work_years=6)
    decide(exam_world["staff"], application, True)
    db.session.commit()

    # The device's clock is two hours fast: the countdown still shows the server's 90 minutes.
    page = new_page()
    page.clock.install(time=utcnow() + timedelta(hours=2))
    sign_in(page, "chenxy")
    page.goto("/exams/mine")
    start_exam(page)
    expect(page.locator("#exam-clock")).to_have_text(re.compile(r"^1:(29|30):\d{2}$"))
    answer(page, 1)
    expect(status(page, 1)).to_have_text("已保存")

    # The server's deadline passes while the page still counts down: the late answer is refused, clearly.
    db.session.expire_all()
    attempt = db.session.execute(select(Attempt)).scalar_one()
    attempt.deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    answer(page, 2)
    expect(status(page, 2)).to_have_text("未保存：考试时间已到")
    expect(page.locator("#exam-alert")).to_contain_text("考试时间已到")
    expect(page.locator("#exam-alert")).to_contain_text("平台已自动交卷")
    expect(page.locator("#exam-alert")).to_contain_text("第 2 题的答案未能在截止前保存")
    expect(question(page, 3).locator("input").first).to_be_disabled()
    view_shot(page, "late-answer")
    db.session.expire_all()
    attempt = db.session.execute(select(Attempt)).scalar_one()
    assert attempt.status == "submitted" and attempt.submitted_by == "platform"
    assert saved_count() == 1
    page.get_by_role("link", name="查看交卷结果").click()
    expect(page.get_by_text("平台已于")).to_contain_text("自动交卷")


def test_the_countdown_reaching_zero_locks_the_paper_and_the_platform_hands_it_in(new_page, sign_in, view_shot,
                                                                                   exam_world):
    application = apply(exam_world["trainee"], exam_world["session"].id, work_years=6)
    decide(exam_world["staff"], application, True)
    db.session.commit()
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, "chenxy")
    page.goto("/exams/mine")
    start_exam(page)
    answer(page, 1)
    expect(status(page, 1)).to_have_text("已保存")

    db.session.expire_all()
    attempt = db.session.execute(select(Attempt)).scalar_one()
    attempt.deadline = utcnow() + timedelta(seconds=4)
    db.session.commit()
    page.reload()
    expect(page.locator("#exam-clock")).to_have_text(re.compile(r"^00:0[0-4]$"))
    expect(page.locator("#exam-alert")).to_contain_text("平台已自动交卷", timeout=15_000)
    expect(page.locator("#exam-clock")).to_have_text("00:00")
    expect(question(page, 2).locator("input").first).to_be_disabled()
    expect(page.get_by_role("button", name="交卷").first).to_be_disabled()
    view_shot(page, "time-up-phone")
    db.session.expire_all()
    attempt = db.session.execute(select(Attempt)).scalar_one()
    assert attempt.status == "submitted" and attempt.submitted_by == "platform"
    assert attempt.objective_score is not None


def test_after_publication_the_candidate_sees_scores_the_certificate_and_the_review(new_page, sign_in, screenshot,
                                                                                    exam_world):
    from lrc_training.exams.services.attempts import save_response, start_attempt, submit
    from lrc_training.exams.services.grading import record_part_score
    from lrc_training.exams.services.results import issue_session_certificates, publish

    world = exam_world
    application = apply(world["trainee"], world["session"].id, work_years=6)
    decide(world["staff"], application, True)
    attempt = start_attempt(world["trainee"], world["session"].id)
    for index, item in enumerate(attempt.items):  # the bank's key: B for single choice, True for true/false
        right = index not in (0, 5)  # two wrong answers: 80 points
        if item.kind == "true_false":
            save_response(attempt, item.question_id, right)
        else:
            shown = "ABCD"[item.option_order.index("B")]
            save_response(attempt, item.question_id, shown if right else next(k for k in "ABCD" if k != shown))
    submit(attempt)
    examiner = make_user("examiner", username="exam1", org=world["org"])
    record_part_score(examiner, world["session"], application.id, 82)
    publish(world["staff"], world["session"])
    db.session.commit()
    certificates = issue_session_certificates(world["staff"], world["session"].id)
    db.session.commit()
    assert attempt.objective_score == 80

    page = new_page()
    sign_in(page, "chenxy")
    page.goto("/exams/mine")
    card = page.locator(".application-card")
    expect(card).to_contain_text("成绩（已发布）")
    expect(card.get_by_role("row").filter(has_text="理论知识考试")).to_contain_text("80")
    expect(card.get_by_role("row").filter(has_text="操作技能考核")).to_contain_text("82")
    expect(card).to_contain_text("通过本级认定")
    expect(card.get_by_role("link", name=re.compile("查看证书"))).to_have_attribute(
        "href", f"/certificates/{certificates[0].number}")
    screenshot(page, "mine-published")
    card.get_by_role("link", name="查看答卷与解析").click()
    expect(page.get_by_role("heading", name="答卷与解析")).to_be_visible()
    expect(page.locator(".review-correct").first).not_to_be_empty()
    expect(page.get_by_text("✗ 错误")).to_have_count(2)
    screenshot(page, "review")

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, "chenxy")
    phone.goto("/exams/mine")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "mine-published-phone")
    phone.goto(page.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "review-phone")
