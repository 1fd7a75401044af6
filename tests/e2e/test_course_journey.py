"""A course from the instructor's form to a trainee's completion record: create with work areas and publish,
find it in the catalog with a filter, enroll, a full course's waitlist and its promotion (with a notification),
sessions, one-click attendance that saves without a reload, completion and the completion-record PDF."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lrc_training.core.timeutil import local_today
from lrc_training.courses.models import Course
from lrc_training.courses.schemas import SessionIn as SessionInput
from lrc_training.courses.services.teaching import add_session
from lrc_training.extensions import db
from tests.courses.helpers import make_course
from tests.e2e.conftest import ARTIFACTS, PHONE
from tests.factories import make_org, make_user

pytestmark = pytest.mark.e2e

TITLE = "劳动争议调解实务（周末班）"


@pytest.fixture
def course_world():
    school = make_org("聊城高级技工学校", kind="school", region_code="371502")
    teacher = make_user("instructor", username="lixm", name="李秀梅", org=school)
    make_user("trainee", username="chenxy", name="陈晓燕")
    make_user("trainee", username="zhaowb", name="赵文博")
    make_course(teacher, title="劳动合同管理基础", level=4, capacity=30, work_area_codes=["LC"])  # filtered out
    db.session.commit()
    return {"school": school, "teacher": teacher}


def course_card(page):
    return page.locator(".card").filter(has=page.get_by_role("link", name=TITLE))


def my_course(page):
    return page.locator(".my-course").filter(has_text=TITLE)


def test_instructor_runs_a_course_and_a_waitlisted_trainee_completes_it(new_page, sign_in, go_to, screenshot,
                                                                        course_world):
    today = local_today()

    # The instructor creates the course through the form (two work areas, one seat) and publishes it.
    teacher = new_page()
    sign_in(teacher, "lixm")
    go_to(teacher, "课程管理")
    expect(teacher.get_by_role("heading", name="课程管理")).to_be_visible()
    teacher.get_by_role("link", name="开设新课程").click()
    expect(teacher.get_by_role("heading", name="开设新课程")).to_be_visible()
    teacher.get_by_label("课程名称").fill(TITLE)
    teacher.get_by_label("培训等级").select_option(label="三级/高级工")
    teacher.get_by_label("劳动合同管理", exact=True).check()
    teacher.get_by_label("员工申诉与劳动争议处理", exact=True).check()
    teacher.get_by_label("总课时").fill("6")
    teacher.get_by_label("招生人数").fill("1")
    teacher.get_by_label("开始日期").fill(today.isoformat())
    teacher.get_by_label("结束日期").fill((today + timedelta(days=14)).isoformat())
    teacher.get_by_label("上课地点").fill("聊城高级技工学校 3 号楼 201")
    teacher.get_by_role("button", name="保存").click()
    expect(teacher.get_by_role("alert")).to_contain_text("课程已保存为草稿")
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("草稿")
    teacher.get_by_role("button", name="发布").click()
    expect(teacher.get_by_role("alert")).to_contain_text("课程状态已更新为“报名中”")
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("报名中")
    screenshot(teacher, "hub-published")

    # The first trainee filters the catalog by work area and level, finds the course and enrolls.
    amy = new_page()
    sign_in(amy, "chenxy")
    go_to(amy, "培训", "课程报名")
    expect(amy.get_by_role("heading", name="培训课程")).to_be_visible()
    expect(amy.get_by_role("link", name="劳动合同管理基础")).to_be_visible()
    amy.get_by_label("职业功能").select_option(label="员工申诉与劳动争议处理")
    amy.get_by_label("等级").select_option(label="三级/高级工")
    amy.get_by_role("button", name="查找").click()
    expect(amy).to_have_url(re.compile(r"work_area=DR"))
    expect(amy.get_by_role("link", name="劳动合同管理基础")).to_have_count(0)
    expect(course_card(amy)).to_contain_text("余 1 / 1 名额")
    expect(course_card(amy)).to_contain_text("劳动合同管理")
    screenshot(amy, "catalog-filtered")
    amy.get_by_role("link", name=TITLE).click()
    expect(amy.get_by_role("heading", level=1)).to_have_text(TITLE)
    amy.get_by_role("button", name="立即报名").click()
    expect(amy.get_by_role("alert")).to_contain_text("报名成功")
    expect(amy.locator(".enrollment-card")).to_contain_text("已录取")

    # The course is full: the second trainee joins the waitlist and sees the place in it.
    ben = new_page()
    sign_in(ben, "zhaowb")
    ben.goto("/courses/")
    expect(course_card(ben)).to_contain_text("已满（可候补）")
    ben.get_by_role("link", name=TITLE).click()
    ben.get_by_role("button", name="报名候补").click()
    expect(ben.get_by_role("alert")).to_contain_text("课程已满，您已进入候补名单（第 1 位）")
    expect(ben.locator(".enrollment-card")).to_contain_text("候补第 1 位")
    screenshot(ben, "detail-waitlisted")
    go_to(ben, "培训", "我的课程")
    expect(my_course(ben)).to_contain_text("候补第 1 位")

    # The first trainee withdraws (after confirming); the seat goes to the waitlisted trainee.
    amy.wait_for_load_state()  # app.js, which asks for confirmation, has run
    asked = []
    amy.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    amy.get_by_role("button", name="退出课程").click()
    expect(amy.get_by_role("alert")).to_contain_text("已退出该课程")
    assert asked == ["确定退出该课程吗？名额将让给候补学员。"]

    ben.reload()
    expect(my_course(ben)).to_contain_text("已录取")
    expect(my_course(ben)).not_to_contain_text("候补")
    screenshot(ben, "mine-promoted")
    ben.goto("/notifications")
    note = ben.locator(".list-group-item").filter(has_text=f"候补成功：《{TITLE}》")
    expect(note).to_contain_text("您已从候补名单递补为正式学员")
    expect(note.get_by_role("link", name="查看详情")).to_be_visible()

    # The instructor schedules two sessions of 3 hours.
    teacher.reload()
    expect(teacher.get_by_role("row").filter(has_text="赵文博")).to_contain_text("已录取")
    expect(teacher.get_by_role("row").filter(has_text="陈晓燕")).to_contain_text("已退出")
    for day, topic in ((0, "劳动争议的预防"), (1, "调解的程序与技巧")):
        form = teacher.locator("#sessions form.card")
        form.get_by_label("上课日期").fill((today + timedelta(days=day)).isoformat())
        form.get_by_label("开始时间").fill("09:00")
        form.get_by_label("结束时间").fill("12:00")
        form.get_by_label("主题").fill(topic)
        form.get_by_label("课时").fill("3")
        form.get_by_role("button", name="添加课次").click()
        expect(teacher.get_by_role("alert")).to_contain_text("已添加课次")
        expect(teacher.locator("#sessions").get_by_role("row").filter(has_text=topic)).to_be_visible()

    # Attendance: one click per cell, saved in the background; the hours column follows without a reload.
    teacher.locator("#sessions").get_by_role("link", name="考勤登记").click()
    expect(teacher.get_by_role("heading", name="考勤登记")).to_be_visible()
    teacher.wait_for_load_state()  # attendance.js has run
    teacher.evaluate("window.__samePage = true")
    trainee_row = teacher.get_by_role("row").filter(has_text="赵文博")
    hours = trainee_row.locator("[data-hours-for]")
    expect(hours).to_have_text("0")
    cells = trainee_row.locator("form.attendance-cell button")
    expect(cells).to_have_count(2)
    cells.nth(0).click()
    expect(cells.nth(0)).to_have_text("✓")
    expect(hours).to_have_text("3")
    cells.nth(1).click()
    expect(cells.nth(1)).to_have_text("✓")
    expect(hours).to_have_text("6")
    cells.nth(1).click()  # a mistake, corrected
    expect(cells.nth(1)).to_have_text("✗")
    expect(hours).to_have_text("3")
    cells.nth(1).click()
    expect(cells.nth(1)).to_have_text("✓")
    expect(hours).to_have_text("6")
    assert teacher.evaluate("window.__samePage") is True  # no reload happened
    screenshot(teacher, "attendance")
    teacher.reload()  # it was saved
    expect(teacher.get_by_role("row").filter(has_text="赵文博").locator("[data-hours-for]")).to_have_text("6")

    # Completion, then the trainee's completion record.
    teacher.get_by_role("link", name=TITLE).click()
    teacher.get_by_role("row").filter(has_text="赵文博").get_by_role("button", name="结业").click()
    expect(teacher.get_by_role("alert")).to_contain_text("赵文博：已结业")

    ben.goto("/courses/mine")
    expect(my_course(ben)).to_contain_text("已结业")
    expect(my_course(ben)).to_contain_text("6 / 5 课时")  # 80% of 6 = 4.8, rounded up to a half 课时
    screenshot(ben, "mine-completed")
    link = my_course(ben).get_by_role("link", name="下载结业证明")
    response = ben.request.get(link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "course-completion-record.pdf").write_bytes(body)

    # A term's worth of sessions: on a phone the grid scrolls inside its frame, the names stay in view.
    course = db.session.execute(select(Course).where(Course.title == TITLE)).scalar_one()
    course.hours = 6 + 12 * 3  # the plan may not outgrow the course's 课时
    for day in range(2, 14):
        add_session(course_world["teacher"], course, SessionInput(
            held_on=today + timedelta(days=day), starts_at=time(14), ends_at=time(17), topic=f"案例研讨 {day}",
            hours=3))
    db.session.commit()
    teacher.set_viewport_size(PHONE)
    teacher.goto(f"/courses/{course.id}/attendance")
    teacher.wait_for_load_state()
    grid = teacher.locator(".attendance-grid")
    assert teacher.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert grid.evaluate("e => e.scrollWidth - e.clientWidth") > PHONE["width"]
    grid.evaluate("e => e.scrollLeft = e.scrollWidth")
    name = teacher.get_by_role("rowheader", name=re.compile("赵文博"))
    box = name.bounding_box()
    assert box is not None and 0 <= box["x"] < PHONE["width"] / 2  # sticky: still at the left edge
    screenshot(teacher, "attendance-phone")
