"""A competition day in the browser: the committee builds the judge panels automatically, checks contestants in
(random codes), closes check-in; a judge scores on the tablet sheet; the chief judge follows the progress; the
committee publishes; a contestant appeals within the window and the committee (no supervision group designated)
dismisses it with a reason."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lrc_training.contests.models import Registration
from lrc_training.extensions import db
from tests.contests.helpers import World

pytestmark = pytest.mark.e2e

PLANNED = {0: (90, 88), 1: (80, 75), 2: (70, 66)}


def test_competition_day_from_check_in_to_appeal(new_page, sign_in, screenshot):
    world = World(contestants=3, judges=3)
    competition = world.competition(title="聊城市第三届劳动关系协调员职业技能竞赛")
    world.register_all(competition)
    page = new_page()
    sign_in(page, "committee")

    # Panels: two judges per item, chosen automatically (balanced, no one from a contestant's company).
    page.goto(f"/contests/{competition.id}")
    page.get_by_role("link", name="裁判组与分工").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("裁判组与人员分工")
    page.get_by_label("每个项目的裁判人数").fill("3")
    page.get_by_role("button", name="自动组建裁判组").click()
    expect(page.get_by_role("alert")).to_contain_text("已自动安排 6 人次裁判")
    page.locator(".card").filter(has_text="案例分析").get_by_role("button", name="设为裁判长").first.click()
    expect(page.get_by_role("alert")).to_contain_text("已设为裁判长")
    screenshot(page, "panels")

    # Check-in: each contestant draws a random code; closing check-in starts scoring.
    page.goto(f"/contests/{competition.id}")
    page.get_by_role("link", name="现场签到").click()
    for name in ("选手0", "选手1", "选手2"):
        page.get_by_role("row").filter(has_text=name).get_by_role("button", name="签到").click()
        expect(page.get_by_role("alert")).to_contain_text(f"{name} 已签到：参赛编号 C")
    screenshot(page, "check-in")
    page.wait_for_load_state()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="结束签到，开始评分").click()
    expect(page.get_by_role("alert")).to_contain_text("3 名选手进入评分")
    expect(page.get_by_role("heading", level=1)).to_contain_text("评分中")

    # A judge scores one sheet on the tablet page; the rest come in through the services.
    judge_page = new_page({"width": 820, "height": 1180})
    sign_in(judge_page, "j1")
    judge_page.goto("/contests/judging")
    judge_page.get_by_role("link", name=re.compile("^继续评分")).first.click()
    expect(judge_page.locator("main")).not_to_contain_text("选手0")
    judge_page.get_by_role("textbox").first.fill("88")
    judge_page.get_by_role("button", name="保存草稿").click()
    expect(judge_page.get_by_role("alert")).to_contain_text("已保存草稿")
    screenshot(judge_page, "judge-sheet")
    db.session.expire_all()  # the browser changed the competition
    world.score(competition, lambda j, p, item: PLANNED[p][item])

    # The chief judge's progress page, then publication.
    page.get_by_role("link", name="评分进度").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("评分进度")
    expect(page.locator("section").filter(has_text="案例分析")).to_contain_text("已提交 9 / 9")
    screenshot(page, "oversight")
    page.go_back()
    page.reload()
    page.wait_for_load_state()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="公布结果").click()
    expect(page.get_by_role("alert")).to_contain_text("结果已公布（3 名选手）")
    expect(page.get_by_role("row").filter(has_text="一等奖")).to_contain_text("选手0")
    expect(page.get_by_role("row").filter(has_text="一等奖")).to_contain_text("88.6")  # 90 × 30% + 88 × 70%
    screenshot(page, "published")

    # The third-placed contestant appeals on their own page within the 2-hour window.
    contestant = new_page()
    sign_in(contestant, "p2")
    contestant.goto("/contests/")
    contestant.get_by_role("link", name="成绩与申诉").click()
    expect(contestant.get_by_text("第 3 名")).to_be_visible()
    contestant.get_by_label("申诉内容").fill("本人认为案例分析项目评分偏低，请求复核。")
    contestant.get_by_role("button", name="提交申诉").click()
    expect(contestant.get_by_role("alert")).to_contain_text("申诉已提交")
    screenshot(contestant, "appeal")

    # The committee decides it.
    page.get_by_role("link", name=re.compile("申诉")).click()
    expect(page.get_by_text("请求复核")).to_be_visible()
    page.get_by_label("处理意见").fill("经监督组复核，评分符合评分标准，申诉不成立。")
    page.get_by_role("button", name="作出决定").click()
    expect(page.get_by_role("alert")).to_contain_text("已作出决定并通知申诉人")
    expect(page.get_by_text("申诉不成立").first).to_be_visible()
    screenshot(page, "appeal-decided")
    codes = db.session.execute(select(Registration.contestant_code).where(
        Registration.competition_id == competition.id)).scalars().all()
    assert len(set(codes)) == 3
