"""Every competition page on the demo data, on a desktop and on a phone: a clear heading, no horizontal overflow,
no CSP violation. Screenshots go to test-artifacts/tour/ for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lrc_training.contests.models import Competition
from lrc_training.core.demo import seed_demo
from lrc_training.extensions import db
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE

pytestmark = pytest.mark.e2e

TOUR = ARTIFACTS / "tour"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_competition_pages_fit_the_screen(new_page, sign_in, browser_problems, viewport):
    seed_demo()
    db.session.commit()
    competitions = {c.state: c.id for c in db.session.execute(select(Competition)).scalars()}
    published, scoring, open_ = competitions["published"], competitions["drawn"], competitions["registration"]
    size = "desktop" if viewport is DESKTOP else "phone"
    TOUR.mkdir(parents=True, exist_ok=True)
    too_wide = []

    def visit(page, name: str, path: str, heading: str) -> None:
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wider > 0:
            too_wide.append(f"{name} ({path}): {wider}px")
        page.screenshot(path=str(TOUR / f"{size}-contests-{name}.png"), full_page=True)

    staff = new_page(viewport=viewport)
    sign_in(staff, "staff", "Demo2026!lrc")
    visit(staff, "index", "/contests/", "职业技能竞赛")
    visit(staff, "new", "/contests/new", "创建竞赛")
    visit(staff, "published", f"/contests/{published}", "省赛")
    visit(staff, "scoring", f"/contests/{scoring}", "决赛")
    visit(staff, "panels", f"/contests/{scoring}/panels", "裁判组与人员分工")
    visit(staff, "check-in", f"/contests/{open_}/check-in", "现场签到")
    visit(staff, "oversight", f"/contests/{published}/oversight", "评分进度")
    visit(staff, "appeals", f"/contests/{published}/appeals", "申诉处理")
    visit(staff, "bulk", f"/contests/{open_}/bulk", "批量报名")

    judge = new_page(viewport=viewport)
    sign_in(judge, "judge", "Demo2026!lrc")
    visit(judge, "judging", "/contests/judging", "竞赛评分")
    visit(judge, "judge-oversight", f"/contests/{scoring}/oversight", "评分进度")

    trainee = new_page(viewport=viewport)
    sign_in(trainee, "trainee", "Demo2026!lrc")
    visit(trainee, "trainee-index", "/contests/", "职业技能竞赛")
    visit(trainee, "mine", f"/contests/{published}/mine", "省赛")
    expect(trainee.get_by_role("button", name="提交申诉")).to_be_visible()

    visitor = new_page(viewport=viewport)
    visit(visitor, "public-index", "/contests/results", "竞赛结果公示")
    visit(visitor, "public-results", f"/contests/{published}/results", "结果公示")

    assert not browser_problems.csp_violations()
    assert not too_wide, "pages wider than the screen:\n" + "\n".join(too_wide)
