"""Who issues a promotion's certificate, in the browser: the committee (a union, not accredited) picks an accredited
evaluator on the control room and sends the promotions; the evaluator's staff read the results on 晋级发证申请 and
issue one, decline the other with a reason; the contestants see where their promotion stands and the rule."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.contests.helpers import World
from tests.contests.test_promotion_requests import evaluator, final

pytestmark = pytest.mark.e2e


def test_the_committee_asks_the_evaluator_issues_and_the_contestant_sees_it(new_page, sign_in, screenshot, app):
    world = World()
    center, center_staff = evaluator()
    competition = final(world)

    committee = new_page()
    sign_in(committee, world.staff.username)
    committee.goto(f"/contests/{competition.id}#promotions")
    section = committee.locator("#promotions")
    expect(section).to_contain_text("待发送")
    committee.get_by_label("发证评价机构").select_option(str(center.id))
    screenshot(committee, "committee-picks")
    committee.get_by_role("button", name="发送晋级发证申请").click()
    expect(committee.locator(".alert-success")).to_contain_text("已向评价机构发送 2 条晋级发证申请")
    expect(committee.locator("#promotions")).to_contain_text(f"已送交{center.name}")

    staff = new_page()
    sign_in(staff, center_staff.username)
    staff.goto("/certificates/issue-requests")
    expect(staff.get_by_role("heading", level=1)).to_have_text("晋级发证申请")
    row = staff.get_by_role("row").filter(has_text=world.people[0].name)
    row.get_by_text("查看成绩").click()
    expect(row).to_contain_text("第 1 名")
    screenshot(staff, "evaluator-list")
    row.get_by_role("button", name=f"签发 {world.people[0].name} 的四级/中级工证书").click()
    expect(staff.locator(".alert-success")).to_contain_text("编号 S")
    other = staff.get_by_role("row").filter(has_text=world.people[1].name)
    other.get_by_label(f"拒绝 {world.people[1].name} 的原因").fill("获奖名单与公示不符，请组委会核实")
    other.get_by_role("button", name="拒绝").click()
    expect(staff.locator(".alert-success")).to_contain_text("已拒绝该申请")
    screenshot(staff, "evaluator-decided")

    contestant = new_page()
    sign_in(contestant, world.people[1].username)
    contestant.goto(f"/contests/{competition.id}/mine")
    expect(contestant.locator("#my-promotion")).to_contain_text("获奖名单与公示不符")
    expect(contestant.locator("#promotion-rule")).to_contain_text("获奖晋级须已持有低一级的职业技能等级证书")
    screenshot(contestant, "contestant")

    committee.goto(f"/contests/{competition.id}")  # a fresh load (the page is at …#promotions already)
    expect(committee.locator("#promotions")).to_contain_text("已签发")
    expect(committee.locator("#promotions")).to_contain_text("拒绝签发：获奖名单与公示不符")
    screenshot(committee, "committee-after")
