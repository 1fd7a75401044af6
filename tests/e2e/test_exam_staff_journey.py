"""The evaluation organization's side of a skill-level assessment: a session set up through the form with a
two-row blueprint, applications approved, rooms and seats, admission tickets, then (after the candidates' papers
and the practical scores) the results page with its chart, publication after a confirmation, and certificates."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from lrc_training.core.timeutil import local_zone
from lrc_training.exams.models import Application, ExamSession
from lrc_training.exams.services.applications import apply
from lrc_training.exams.services.attempts import save_response, start_attempt, submit
from lrc_training.exams.services.grading import record_part_score
from lrc_training.extensions import db
from tests.e2e.conftest import ARTIFACTS
from tests.exams.helpers import make_bank, setup_org
from tests.factories import make_user

pytestmark = pytest.mark.e2e

TITLE = "2026 年第二批四级认定（东昌府区）"


@pytest.fixture
def staff_world():
    org, staff = setup_org()
    make_bank(staff)  # level 4, LC: 6 single-choice and 6 true/false questions
    examiner = make_user("examiner", username="kaoping1", name="考评员甲", org=org)
    people = [make_user("trainee", username=u, name=n) for u, n in (("chenxy", "陈晓燕"), ("zhaowb", "赵文博"))]
    db.session.commit()
    return {"org": org, "staff": staff, "examiner": examiner, "people": people}


def local_input(moment: datetime) -> str:
    """A datetime-local input's value, in the platform's time zone."""
    return moment.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


def sit_the_exam(user, session_id: int, wrong: int) -> None:
    """The candidate's paper through the services: `wrong` answers wrong, the rest right (B, True)."""
    attempt = start_attempt(user, session_id)
    for index, item in enumerate(attempt.items):
        right = index >= wrong
        if item.kind == "true_false":
            save_response(attempt, item.question_id, right)
        else:
            shown = "ABCD"[item.option_order.index("B")]
            save_response(attempt, item.question_id, shown if right else next(k for k in "ABCD" if k != shown))
    submit(attempt)


def test_staff_set_up_a_session_seat_candidates_publish_results_and_issue_certificates(
        new_page, sign_in, go_to, screenshot, staff_world):
    now = datetime.now(local_zone())
    page = new_page()
    sign_in(page, "staff")

    # A session through the form: the theory window is open now; two blueprint rows of 5 questions × 10 points.
    go_to(page, "等级认定", "认定批次")
    expect(page.get_by_role("heading", name="认定批次")).to_be_visible()
    page.get_by_role("link", name="新建认定批次").click()
    expect(page.get_by_role("heading", name="新建认定批次")).to_be_visible()
    page.get_by_label("批次名称").fill(TITLE)
    page.get_by_label("认定等级").select_option(label="四级/中级工")
    expect(page.get_by_label("理论知识考试")).to_be_checked()
    expect(page.get_by_label("操作技能考核")).to_be_checked()
    page.get_by_label("理论考试开始").fill(local_input(now - timedelta(hours=1)))
    page.get_by_label("理论考试结束").fill(local_input(now + timedelta(hours=3)))
    rows = page.locator(".blueprint-row")
    for index, (kind, count) in enumerate((("单选题", "5"), ("判断题", "5"))):
        row = rows.nth(index)
        row.get_by_label("职业功能").select_option(label="LC 劳动合同管理")
        row.get_by_label("题型").select_option(label=kind)
        row.get_by_label("题量").fill(count)
        row.get_by_label("每题分值").fill("10")
    screenshot(page, "session-form")
    page.get_by_role("button", name="保存批次").click()
    expect(page.get_by_role("alert")).to_contain_text("认定批次已创建")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    session_id = int(re.search(r"/exams/sessions/(\d+)$", page.url).group(1))
    db.session.expire_all()
    session = db.session.get(ExamSession, session_id)
    assert session.blueprint == [{"function_code": "LC", "kind": "single", "count": 5, "points_each": 10.0},
                                 {"function_code": "LC", "kind": "true_false", "count": 5, "points_each": 10.0}]

    # Two candidates apply (through the services); staff approve both on the page.
    for person in staff_world["people"]:
        apply(person, session_id, work_years=6)
    db.session.commit()
    page.reload()
    for name in ("陈晓燕", "赵文博"):
        row = page.locator("#applications").get_by_role("row").filter(has_text=name)
        expect(row).to_contain_text("待审核")
        row.get_by_role("button", name="通过").click()
        expect(page.get_by_role("alert")).to_contain_text(f"{name}：已通过")
        expect(page.locator("#applications").get_by_role("row").filter(has_text=name)).to_contain_text("已通过")

    # Rooms and seats, then the admission tickets.
    page.get_by_label("每个考场人数").fill("30")
    page.get_by_role("button", name="编排考场座位").click()
    expect(page.get_by_role("alert")).to_contain_text("已为 2 名考生编排考场和座位")
    expect(page.locator("#applications").get_by_role("row").filter(has_text="陈晓燕")).to_contain_text("第01考场")
    screenshot(page, "session-detail")
    tickets = page.request.get(page.get_by_role("link", name="准考证 PDF").get_attribute("href"))
    assert tickets.ok and tickets.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "exam-admission-tickets.pdf").write_bytes(tickets.body())
    reader = PdfReader(ARTIFACTS / "exam-admission-tickets.pdf")
    assert len(reader.pages) == 2
    assert "准考证" in reader.pages[0].extract_text().replace(" ", "")

    # The exam happens (services): 陈晓燕 scores 80 and 82, 赵文博 40 in theory and 70 in practice.
    amy, ben = staff_world["people"]
    sit_the_exam(amy, session_id, wrong=2)
    sit_the_exam(ben, session_id, wrong=6)
    session = db.session.get(ExamSession, session_id)
    applications = {a.user_id: a for a in db.session.execute(
        select(Application).where(Application.session_id == session_id)).scalars()}
    record_part_score(staff_world["examiner"], session, applications[amy.id].id, 82)
    record_part_score(staff_world["examiner"], session, applications[ben.id].id, 70)
    db.session.commit()

    # Results: the table and the chart, publication after the confirmation, then certificates.
    page.get_by_role("link", name="成绩与发布").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("成绩")
    amy_row = page.get_by_role("row").filter(has_text="陈晓燕")
    expect(amy_row).to_contain_text("80")
    expect(amy_row).to_contain_text("82")
    expect(amy_row).to_contain_text("通过")
    expect(page.get_by_role("row").filter(has_text="赵文博")).to_contain_text("未通过")
    expect(page.get_by_role("img", name="理论知识考试成绩分布")).to_be_visible()
    expect(page.get_by_role("img", name="操作技能考核成绩分布")).to_be_visible()
    screenshot(page, "results")
    page.wait_for_load_state()  # app.js, which asks for confirmation, has run
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="发布成绩").click()
    expect(page.get_by_role("alert")).to_contain_text("成绩已发布并冻结：2 人参加，1 人通过")
    assert asked == ["发布后成绩对考生可见并冻结，不能再修改。确定发布吗？"]
    expect(page.get_by_role("heading", level=1)).to_contain_text("成绩已发布")
    expect(page.get_by_role("button", name="发布成绩")).to_have_count(0)
    page.get_by_role("button", name="为通过者签发证书").click()
    expect(page.get_by_role("alert")).to_contain_text("签发 1 张职业技能等级证书")
    screenshot(page, "results-published")

    go_to(page, "证书", "证书管理")
    row = page.get_by_role("row").filter(has_text="陈晓燕")
    expect(row).to_contain_text("四级/中级工")
    expect(page.get_by_role("row").filter(has_text="赵文博")).to_have_count(0)
