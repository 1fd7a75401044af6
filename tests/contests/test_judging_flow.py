"""The judge's pages: competition → item → the next contestant, progress counts the committee sees too, errors
on the criterion's field with every typed value kept, another device's save detected, and a confirm step after
the server has checked the scores."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lrc_training.contests.models import JudgingSheet, Registration
from lrc_training.contests.services.scoring import save_scores, sheets_for, submit_sheet
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.contests.helpers import ITEMS, World

TWO_CRITERIA = [ITEMS[0], {"name": "案例分析", "kind": "practical", "weight": 70, "criteria": [
    {"name": "事实认定", "max_points": 40}, {"name": "法律适用", "max_points": 60}]}]


@pytest.fixture
def world(app):
    return World(contestants=3, judges=2)


def _practical_sheets(competition, judge) -> list[JudgingSheet]:
    """The judge's practical sheets in station order, as the item page lists them."""
    return [s for s in sheets_for(judge) if s.item.competition_id == competition.id and s.item.kind == "practical"]


def _ready(world, title="聊城市劳动关系协调员技能竞赛"):
    competition = world.ready(title=title, items=TWO_CRITERIA)
    sheets = _practical_sheets(competition, world.judges[0])
    db.session.commit()
    return competition, competition.items[1], sheets


def _field(page: str, criterion_id: int) -> str:
    return re.search(rf'<input[^>]*id="score-{criterion_id}"[^>]*>', page).group(0)


def test_sheets_are_grouped_by_competition_and_item_with_the_next_contestant(client, world):
    first, _, _ = _ready(world, "聊城市第一届竞赛")
    second = world.ready(title="聊城市第二届竞赛")
    world.score(second, lambda j, p, item: 30, judges=[world.judges[0]])  # finished by this judge
    login(client, "j0")
    page = client.get("/contests/judging").get_data(as_text=True)
    assert page.index("聊城市第一届竞赛") < page.index("聊城市第二届竞赛")  # the one still to score first
    first_part = page[page.index("聊城市第一届竞赛"):page.index("聊城市第二届竞赛")]
    assert first_part.count("已评 <strong>0/3</strong>") == 2  # 理论知识 and 案例分析
    assert "已评 <strong>3/3</strong>" in page[page.index("聊城市第二届竞赛"):]
    practical = first.items[1]
    station_one = _practical_sheets(first, world.judges[0])[0]
    assert f"继续评分：工位 {station_one.registration.station_number}" in first_part
    assert f'href="/contests/judging/sheets/{station_one.id}"' in first_part
    item_page = client.get(f"/contests/judging/items/{practical.id}").get_data(as_text=True)
    assert "聊城市第一届竞赛" in item_page and "聊城市第二届竞赛" not in item_page
    assert item_page.count("未评") == 3
    sheet_page = client.get(f"/contests/judging/sheets/{station_one.id}").get_data(as_text=True)
    assert "聊城市第一届竞赛" in sheet_page and "第 1 / 3 位" in sheet_page


def test_the_overview_issues_the_same_queries_for_more_contestants(app, count_queries):
    counts = []
    for n, size in enumerate((2, 6)):
        world = World(contestants=size, judges=1, prefix=f"w{n}")
        world.ready()
        client = app.test_client()
        login(client, f"w{n}j0")
        client.get("/contests/judging")  # lays the sheets out
        with count_queries() as counter:
            assert client.get("/contests/judging").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_progress_counts_match_for_the_judge_and_the_committee(client, world):
    competition, practical, sheets = _ready(world)
    judge = world.judges[0]
    for sheet in sheets[:2]:
        save_scores(judge, sheet, {str(c.id): 20 for c in practical.criteria}, sheet.version)
        submit_sheet(judge, sheet)
    save_scores(judge, sheets[2], {str(practical.criteria[0].id): 10}, sheets[2].version)
    db.session.commit()
    login(client, "j0")
    item_page = client.get(f"/contests/judging/items/{practical.id}").get_data(as_text=True)
    assert "已评 <strong>2/3</strong>" in item_page and "草稿 · 10 分" in item_page
    login(client, "committee")
    oversight = client.get(f"/contests/{competition.id}/oversight").get_data(as_text=True)
    section = oversight[oversight.index("<strong>案例分析</strong>"):]
    # j1 never opened the judging page: still owes 3 sheets, as their own page will say
    assert re.search(r"裁判0.*?2/3</td><td[^>]*>1</td>", section, re.S)
    assert re.search(r"裁判1.*?0/3</td>", section, re.S)
    assert "已提交 2 / 6" in section
    body = client.get(f"/api/v1/competitions/{competition.id}/progress", headers=api_token(client, "committee"))
    item = next(i for i in body.get_json() if i["item_index"] == 1)
    assert (item["sheets"], item["submitted"]) == (6, 2)
    assert [(j["total"], j["submitted"], j["drafts"]) for j in item["judges"]] == [(3, 2, 1), (3, 0, 0)]


def test_a_wrong_score_is_shown_on_its_criterion_and_every_value_is_kept(client, world):
    _, practical, sheets = _ready(world)
    facts, law = practical.criteria
    login(client, "j0")
    url = f"/contests/judging/sheets/{sheets[0].id}"
    response = post_form(client, url, {"version": "1", f"score-{facts.id}": "45", f"score-{law.id}": "55.5",
                                       "submit_sheet": "review"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "事实认定：应在 0 到 40 之间" in page
    assert f'href="#score-{facts.id}"' in page  # the summary links to the field
    assert 'value="45"' in _field(page, facts.id) and "is-invalid" in _field(page, facts.id)
    assert "autofocus" in _field(page, facts.id)
    assert 'value="55.5"' in _field(page, law.id) and "is-invalid" not in _field(page, law.id)
    not_a_number = post_form(client, url, {"version": "1", f"score-{facts.id}": "三十", f"score-{law.id}": "50",
                                           "submit_sheet": "0"})
    assert "事实认定：应为数字" in not_a_number.get_data(as_text=True)
    assert 'value="三十"' in _field(not_a_number.get_data(as_text=True), facts.id)
    db.session.expire_all()
    assert db.session.get(JudgingSheet, sheets[0].id).scores in ({}, None)


def test_a_save_from_another_device_is_detected_and_the_typed_values_kept(app, client, world):
    _, practical, sheets = _ready(world)
    facts, law = practical.criteria
    url = f"/contests/judging/sheets/{sheets[0].id}"
    tablet, phone = client, app.test_client()
    login(tablet, "j0")
    login(phone, "j0")
    assert post_form(phone, url, {"version": "1", f"score-{facts.id}": "30", "submit_sheet": "0"}).status_code == 302
    stale = post_form(tablet, url, {"version": "1", f"score-{facts.id}": "35", f"score-{law.id}": "50",
                                    "submit_sheet": "review"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "已在别处被修改" in page and "另一处保存的分数：30" in page
    assert 'value="35"' in _field(page, facts.id) and 'value="50"' in _field(page, law.id)
    assert 'name="version" value="2"' in page  # saving again now is a deliberate choice
    again = post_form(tablet, url, {"version": "2", f"score-{facts.id}": "35", f"score-{law.id}": "50",
                                    "submit_sheet": "0"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(JudgingSheet, sheets[0].id).total == 85


def test_submitting_goes_through_a_confirm_step_then_on_to_the_next_station(client, world):
    _, practical, sheets = _ready(world)
    facts, law = practical.criteria
    login(client, "j0")
    url = f"/contests/judging/sheets/{sheets[0].id}"
    missing = post_form(client, url, {"version": "1", f"score-{facts.id}": "30", "submit_sheet": "review"})
    assert missing.status_code == 422
    assert "法律适用：还没有打分" in missing.get_data(as_text=True)
    assert 'value="30"' in _field(missing.get_data(as_text=True), facts.id)  # kept, and saved as a draft
    review = post_form(client, url, {"version": "2", f"score-{facts.id}": "30", f"score-{law.id}": "45.5",
                                     "submit_sheet": "review"})
    assert review.status_code == 302 and review.headers["Location"].endswith(f"{url}/confirm")
    db.session.expire_all()
    sheet = db.session.get(JudgingSheet, sheets[0].id)
    assert sheet.submitted_at is None and sheet.total == 75.5
    confirm = client.get(f"{url}/confirm").get_data(as_text=True)
    assert "核对并提交" in confirm and "75.5" in confirm and "确认提交" in confirm
    done = post_form(client, url, {"version": str(sheet.version), f"score-{facts.id}": "30",
                                   f"score-{law.id}": "45.5", "submit_sheet": "1"}, token_from=f"{url}/confirm")
    assert done.headers["Location"].endswith(f"/contests/judging/sheets/{sheets[1].id}")
    following = client.get(done.headers["Location"]).get_data(as_text=True)
    station = sheets[0].registration.station_number
    assert f"已提交 工位 {station}（合计 75.5）" in following and "已评 <strong>1/3</strong>" in following
    locked = client.get(url).get_data(as_text=True)
    assert "已提交，评分表已锁定" in locked and f'name="score-{facts.id}"' not in locked
    assert client.get(f"{url}/confirm").status_code == 302  # nothing left to confirm


def test_the_last_sheet_of_an_item_leads_back_to_the_item(client, world):
    _, practical, sheets = _ready(world)
    judge = world.judges[0]
    for sheet in sheets[1:]:
        save_scores(judge, sheet, {str(c.id): 10 for c in practical.criteria}, sheet.version)
        submit_sheet(judge, sheet)
    db.session.commit()
    login(client, "j0")
    scores = {f"score-{c.id}": "10" for c in practical.criteria}
    done = post_form(client, f"/contests/judging/sheets/{sheets[0].id}", {"version": "1", **scores,
                                                                          "submit_sheet": "1"},
                     follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "“案例分析”的评分表已全部提交" in page and "本项目的评分表已全部提交" in page


def test_no_judge_reaches_another_judges_item_or_sheet(client, world):
    competition, practical, _ = _ready(world)
    outsider = World(contestants=1, judges=1, prefix="x")
    login(client, "xj0")
    assert client.get(f"/contests/judging/items/{practical.id}").status_code == 404
    sheet = db.session.execute(select(JudgingSheet).join(Registration).where(
        Registration.competition_id == competition.id)).scalars().first()
    assert client.get(f"/contests/judging/sheets/{sheet.id}").status_code == 404
    assert client.get(f"/contests/judging/sheets/{sheet.id}/confirm").status_code == 404
    assert outsider.judges
