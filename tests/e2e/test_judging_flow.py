"""A judge on a tablet (1024×768) scores two stations with the keyboard alone: competition → item → the next
station, Enter from one criterion to the next, a running total, a wrong score shown on its criterion with the
typed values kept, the confirm step, and on to the next station. Then the same pages on a phone, and axe-core on
each of them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lrc_training.contests.services.scoring import sheets_for
from lrc_training.extensions import db
from tests.contests.helpers import World
from tests.contests.test_judging_flow import TWO_CRITERIA
from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import BLOCKING, _violations

pytestmark = pytest.mark.e2e

TABLET = {"width": 1024, "height": 768}


def _stations(competition, judge) -> list[str]:
    rows = [s for s in sheets_for(judge) if s.item.competition_id == competition.id and s.item.kind == "practical"]
    return [s.registration.station_number for s in rows]


def _no_serious_violations(page) -> None:
    found = [v for v in _violations(page) if v["impact"] in BLOCKING]
    assert not found, f"{page.url}: {found}"


def _score(page, first: str, second: str) -> None:
    """Type both criteria with Enter between them, then Enter onto 检查并提交 and Enter again."""
    expect(page.get_by_label("事实认定")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(first)
    page.keyboard.press("Enter")
    expect(page.get_by_label("法律适用")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(second)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="检查并提交")).to_be_focused()
    page.keyboard.press("Enter")


def test_a_judge_scores_two_stations_on_a_tablet_with_the_keyboard(new_page, sign_in, screenshot):
    world = World(contestants=3, judges=1)
    first = world.ready(title="聊城市第一届劳动关系协调员技能竞赛", items=TWO_CRITERIA)
    world.ready(title="聊城市第二届劳动关系协调员技能竞赛")
    stations = _stations(first, world.judges[0])
    db.session.commit()
    page = new_page(TABLET, bypass_csp=True)  # bypass: axe-core is injected by the test
    sign_in(page, "j0")
    page.goto("/contests/judging")
    competition = page.locator("section").filter(has=page.get_by_role("heading", name="聊城市第一届劳动关系协调员技能竞赛"))
    item = competition.get_by_role("listitem").filter(has_text="案例分析")
    expect(item).to_contain_text("已评 0/3")
    expect(page.get_by_role("heading", name="聊城市第二届劳动关系协调员技能竞赛")).to_be_visible()
    screenshot(page, "tablet-overview")
    _no_serious_violations(page)
    item.get_by_role("link", name=f"继续评分：工位 {stations[0]}").click()
    _first_station_with_a_running_total_and_the_confirm_step(page, stations, screenshot)
    _second_station_with_a_wrong_score(page, stations, screenshot)

    # The item page lists every station with its state.
    page.get_by_role("link", name="全部选手").last.click()
    expect(page.get_by_role("link", name=re.compile(f"工位 {stations[1]}"))).to_contain_text("已提交 · 88 分")
    screenshot(page, "tablet-item")
    _no_serious_violations(page)
    _on_a_phone(new_page, sign_in, stations, screenshot)


def _first_station_with_a_running_total_and_the_confirm_step(page, stations, screenshot) -> None:
    """Type both criteria (Enter between them): a running total while typing, then the confirm step."""
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"工位 {stations[0]}")
    expect(page.locator("main")).to_contain_text("聊城市第一届劳动关系协调员技能竞赛")
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    page.keyboard.type("45.5")
    expect(page.locator("#live-total")).to_have_text("75.5")
    expect(page.locator("#live-note")).to_be_visible()
    screenshot(page, "tablet-sheet")
    _no_serious_violations(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="检查并提交")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"核对并提交：工位 {stations[0]}")
    expect(page.get_by_role("table")).to_contain_text("75.5")
    expect(page.get_by_role("button", name="确认提交")).to_be_focused()
    screenshot(page, "tablet-confirm")
    _no_serious_violations(page)
    page.keyboard.press("Enter")


def _second_station_with_a_wrong_score(page, stations, screenshot) -> None:
    """On to the second station; a score over the maximum comes back on its field with both values kept."""
    expect(page.get_by_role("alert").first).to_contain_text(f"已提交 工位 {stations[0]}（合计 75.5）")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"工位 {stations[1]}")
    expect(page.locator("main")).to_contain_text("已评 1/3")
    _score(page, "45", "50")
    expect(page.get_by_role("alert").filter(has_text="请更正")).to_contain_text("事实认定：应在 0 到 40 之间")
    expect(page.get_by_label("事实认定")).to_have_value("45")
    expect(page.get_by_label("法律适用")).to_have_value("50")
    expect(page.get_by_label("事实认定")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "tablet-error")
    _no_serious_violations(page)
    _score(page, "38", "50")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"核对并提交：工位 {stations[1]}")
    expect(page.get_by_role("button", name="确认提交")).to_be_focused()  # the page's script has put focus there
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"工位 {stations[2]}")
    expect(page.locator("main")).to_contain_text("已评 2/3")


def _on_a_phone(new_page, sign_in, stations, screenshot) -> None:
    """The same judge on a phone: the pages fit the screen, the next station is one tap away."""
    phone = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, "j0")
    phone.goto("/contests/judging")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "phone-overview")
    phone.get_by_role("link", name=f"继续评分：工位 {stations[2]}").tap()
    expect(phone.get_by_label("事实认定")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollHeight") < 3 * PHONE["height"]
    screenshot(phone, "phone-sheet")
