"""二次加密: nothing a judge receives links a practical item's station to a contestant code — the sheets (API and
page), the order and ids of the sheets, the reopening notice, the chief judge's progress view and the score sheet."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrc_training.contests.models import Registration
from lrc_training.contests.services.scoring import reopen_sheet, sheets_for
from lrc_training.core.models import Notification
from lrc_training.extensions import db
from tests.conftest import api_token, login
from tests.contests.helpers import World, sheet_of

PLANNED = {0: (90, 90), 1: (80, 80), 2: (70, 70), 3: (60, 60), 4: (50, 50), 5: (40, 40), 6: (30, 30), 7: (20, 20)}


@pytest.fixture
def world(app):
    return World(contestants=8)


def test_practical_sheets_carry_the_station_and_no_code(client, world):
    competition = world.ready()
    registrations = db.session.execute(select(Registration).where(
        Registration.competition_id == competition.id)).scalars().all()
    codes = {r.contestant_code for r in registrations}
    stations = {r.station_number for r in registrations}
    sheets = client.get("/api/v1/judging/sheets", headers=api_token(client, "j1")).get_json()
    theory = [s for s in sheets if s["item_index"] == 0]
    practical = [s for s in sheets if s["item_index"] == 1]
    assert len(theory) == len(practical) == 8
    assert all(s["contestant_code"] is None and s["station_number"] in stations for s in practical)
    assert all(s["station_number"] is None and s["contestant_code"] in codes for s in theory)
    # ordered by station, and sheet ids follow the station (theory: the code) — no other order to pair them by
    assert [s["station_number"] for s in practical] == sorted(stations)
    assert [s["contestant_code"] for s in theory] == sorted(codes)
    assert [s["id"] for s in practical] == sorted(s["id"] for s in practical)
    assert [s["id"] for s in theory] == sorted(s["id"] for s in theory)


def test_the_judging_pages_list_practical_sheets_by_station(client, world):
    competition = world.ready()
    login(client, "j1")
    client.get("/contests/judging")
    practical = next(i for i in competition.items if i.kind == "practical")
    page = client.get(f"/contests/judging/items/{practical.id}").get_data(as_text=True)
    registrations = db.session.execute(select(Registration).where(
        Registration.competition_id == competition.id)).scalars().all()
    positions = [page.index(f"工位 {number}") for number in sorted(r.station_number for r in registrations)]
    assert positions == sorted(positions)
    sheets_for(world.judges[2])
    db.session.commit()
    others = sheet_of(competition, world.judges[2], world.people[0])
    assert client.get(f"/contests/judging/sheets/{others.id}").status_code == 404  # another judge's sheet
    sheet = sheet_of(competition, world.judges[1], world.people[0])
    for text in (page, client.get(f"/contests/judging/sheets/{sheet.id}").get_data(as_text=True)):
        assert f"工位 {sheet.registration.station_number}" in text
        assert not any(r.contestant_code in text for r in registrations)
        assert not any(p.name in text for p in world.people)


def test_reopening_tells_the_judge_the_station_not_the_code(world):
    competition = world.ready()
    world.score(competition, PLANNED)
    sheet = sheet_of(competition, world.judges[1], world.people[2])  # the practical item
    reopen_sheet(world.judges[0], sheet, "分数录入错误")
    db.session.commit()
    notice = db.session.execute(select(Notification).where(Notification.user_id == world.judges[1].id,
                                                           Notification.title.like("评分表已重新开放%"))).scalar_one()
    assert f"工位 {sheet.registration.station_number}" in notice.body
    assert sheet.registration.contestant_code not in notice.body


def test_the_chief_judges_progress_names_practical_contestants_by_station(client, world):
    competition = world.ready()
    world.score(competition, lambda j, p, item: 5 if (j, p, item) == (2, 0, 1) else PLANNED[p][item])
    body = client.get(f"/api/v1/competitions/{competition.id}/progress",
                      headers=api_token(client, "j0")).get_json()
    practical = next(i for i in body if i["item_index"] == 1)
    registration = sheet_of(competition, world.judges[2], world.people[0]).registration
    assert [(o["code"], o["station_number"]) for o in practical["outliers"]] == [(None, registration.station_number)]
    assert registration.contestant_code not in str(body)
