"""A selection in the browser: a reviewer finds the round under 评审任务 and scores a nomination (the one from
their own organization shows why they must recuse), the 人社 staff see the ranking and post the notice, and the public
notice on a phone shows masked names with the objection form."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lrc_training.extensions import db
from lrc_training.registry.selection.schemas import NominationIn, ScoreIn
from lrc_training.registry.selection.services.nominations import nominate
from lrc_training.registry.selection.services.review import appoint_reviewer, submit_score
from lrc_training.registry.selection.services.rounds import move_round
from tests.e2e.conftest import PHONE
from tests.registry.selection_world import build_world, open_round, pass_deadline


def test_review_rank_and_public_notice(new_page, sign_in, go_to, screenshot):
    w = build_world()
    rnd = open_round(w)
    n1 = nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="调解劳动争议 36 起，成效突出"))
    n3 = nominate(w["e2staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="排查风险隐患，指导集体协商"))
    appoint_reviewer(w["hrss"], rnd.id, "r1")
    appoint_reviewer(w["hrss"], rnd.id, "r2")
    pass_deadline(rnd)
    move_round(w["hrss"], rnd.id, "review")
    submit_score(w["r1"], rnd.id, ScoreIn(nomination_id=n1.id, score=92, comment="突出"))
    submit_score(w["r1"], rnd.id, ScoreIn(nomination_id=n3.id, score=84, comment="扎实"))
    db.session.commit()

    reviewer = new_page()
    sign_in(reviewer, "r2")
    go_to(reviewer, "评审任务")  # their only 信息库 page: a plain link, no dropdown
    reviewer.get_by_role("link", name=re.compile("金牌劳动关系协调员")).click()
    expect(reviewer.get_by_text("不能为本单位推荐的人选评分（回避）")).to_be_visible()
    card = reviewer.locator(f"#n{n3.id}")
    card.get_by_label("分数（0–100）").fill("86.5")
    card.get_by_label("评语").fill("风险排查扎实")
    card.get_by_role("button", name="保存评分").click()
    expect(reviewer.get_by_text("评分已保存。")).to_be_visible()
    screenshot(reviewer, "review-sheet")

    staff = new_page()
    sign_in(staff, "hrss")
    go_to(staff, "信息库", "评选")
    staff.get_by_role("link", name=re.compile("金牌劳动关系协调员")).click()
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.get_by_role("button", name="公示入围名单").click()
    expect(staff.get_by_text("评选结果已公示。")).to_be_visible()
    screenshot(staff, "round-page")

    public = new_page(PHONE)
    public.goto(f"/registry/selections/{rnd.id}/notice")
    expect(public.get_by_role("cell", name="张**")).to_be_visible()
    expect(public.get_by_text("张三丰")).to_have_count(0)
    public.get_by_label("异议内容").fill("材料与事实不符")
    public.get_by_label("联系方式").fill("13800000000")
    public.get_by_role("button", name="提交异议").click()
    expect(public.get_by_text("异议已提交")).to_be_visible()
    screenshot(public, "public-notice")
