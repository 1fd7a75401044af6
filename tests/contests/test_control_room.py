"""The control room: names beside codes and stations only for the code keepers and admins; the disabled 公布结果
button says why in text (a tooltip does not show on a tablet)."""

from __future__ import annotations

from sqlalchemy import select

from lrc_training.contests.models import JudgingSheet, Registration
from lrc_training.contests.services.checkin import designate
from lrc_training.contests.services.scoring import submit_sheet
from lrc_training.extensions import db
from tests.conftest import login
from tests.contests.helpers import World
from tests.contests.test_competition_journey_pages import switch_user
from tests.factories import make_user

PLANNED = {0: (90, 90), 1: (80, 80), 2: (70, 70), 3: (60, 60), 4: (50, 50)}


def _codes(competition):
    return db.session.execute(select(Registration.contestant_code, Registration.station_number).where(
        Registration.competition_id == competition.id)).all()


def test_only_keepers_and_admins_see_codes_beside_names(app, client):
    world = World()
    keeper = make_user("org_staff", username="keeper", org=world.committee_org)
    competition = world.competition()
    designate(world.staff, competition, "keeper", "code_keeper")
    db.session.commit()
    world.register_all(competition)
    world.panel(competition)
    from lrc_training.contests.services.checkin import draw
    draw(keeper, competition)
    db.session.commit()
    login(client, "committee")
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert "选手0" in page and "已编码" in page and 'id="codes-hidden"' in page
    registrations_table = page.split("成绩与排名")[0]  # the results table below has codes, but no names yet
    assert not any(code in registrations_table or f"工位 {station}" in page for code, station in _codes(competition))
    switch_user(client, "keeper")
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert all(code in page and f"工位 {station}" in page for code, station in _codes(competition))


def test_without_a_keeper_the_control_room_shows_no_codes(app, client):
    world = World()
    competition = world.ready()  # drawn by the committee without a designated keeper (API v1's draw)
    login(client, "committee")
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert not any(code in page.split("成绩与排名")[0] for code, _ in _codes(competition))
    make_user("admin", username="root")
    switch_user(client, "root")
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert all(f"工位 {station}" in page for _, station in _codes(competition))


def test_a_disabled_publish_button_says_why_in_text(app, client):
    world = World()
    competition = world.ready()
    login(client, "committee")
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert "暂不能公布：裁判尚未开始评分" in page and 'aria-describedby="publish-blocker"' in page
    world.score(competition, PLANNED, judges=world.judges[:2])
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert "暂不能公布：还有 10 份评分表未提交" in page  # judge 2 has not even opened the sheets: they still count
    world.score(competition, PLANNED, judges=world.judges[2:], submit=False)
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert "暂不能公布：还有 10 份评分表未提交" in page  # judge 2's drafts, both items
    for sheet in db.session.execute(select(JudgingSheet).where(JudgingSheet.submitted_at.is_(None))).scalars():
        submit_sheet(world.judges[2], sheet)
    db.session.commit()
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert "暂不能公布" not in page and "disabled" not in page.split("公布结果</button>")[0].rsplit("<button", 1)[1]
