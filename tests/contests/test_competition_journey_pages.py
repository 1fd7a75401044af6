"""The competition pages beyond creation: check-in, panels, the chief judge's page, appeals, the contestant's
page, bulk registration and qualifiers — each through the site, as the person who uses it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from lrc_training.contests.models import Appeal, Competition, JudgeAssignment, Registration
from lrc_training.contests.services.checkin import designate
from lrc_training.contests.services.results import publish
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.contests.helpers import World, sheet_of
from tests.factories import make_org, make_user

PLANNED = {0: (90, 90), 1: (80, 80), 2: (70, 70), 3: (60, 60), 4: (50, 50)}


def switch_user(client, username: str):
    """Sign out whoever is signed in, then sign in as `username`."""
    post_form(client, "/logout", {}, token_from="/profile")
    login(client, username)


def test_check_in_page_gives_codes_and_closing_starts_scoring(app, client):
    world = World()
    competition = world.competition()
    registrations = world.register_all(competition)
    login(client, "committee")
    page = client.get(f"/contests/{competition.id}/check-in")
    assert page.status_code == 200 and "选手0" in page.get_data(as_text=True)
    path = f"/contests/{competition.id}/check-in/{registrations[0].id}"
    response = post_form(client, path, {}, token_from=f"/contests/{competition.id}/check-in", follow_redirects=True)
    db.session.refresh(registrations[0])
    assert registrations[0].contestant_code in response.get_data(as_text=True)
    response = post_form(client, f"/contests/{competition.id}/check-in/close", {},
                         token_from=f"/contests/{competition.id}/check-in", follow_redirects=True)
    assert "1 名选手进入评分" in response.get_data(as_text=True)
    assert db.session.get(Competition, competition.id).state == "drawn"


def test_check_in_page_is_for_code_keepers_once_designated(app, client):
    world = World()
    competition = world.competition()
    colleague = make_user("org_staff", username="colleague", org=world.committee_org)
    designate(colleague, competition, "committee", "code_keeper")  # nobody appoints themself
    db.session.commit()
    login(client, "colleague")
    assert client.get(f"/contests/{competition.id}/check-in").status_code == 403
    other_org = make_user("org_staff", username="outsider", org=make_org("别的机构"))
    assert other_org
    switch_user(client, "outsider")
    assert client.get(f"/contests/{competition.id}/check-in").status_code == 404


def test_panels_page_shows_load_and_auto_assigns(app, client):
    world = World(judges=4)
    competition = world.competition()
    world.register_all(competition)
    make_user("judge", username="insider", name="同单位裁判", org=world.companies[0])
    login(client, "committee")
    page = client.get(f"/contests/{competition.id}/panels").get_data(as_text=True)
    assert "同单位裁判" in page and "须回避" in page
    response = post_form(client, f"/contests/{competition.id}/panels/auto", {"per_item": "2"},
                         token_from=f"/contests/{competition.id}/panels", follow_redirects=True)
    assert "已自动安排 4 人次裁判" in response.get_data(as_text=True)
    response = post_form(client, f"/contests/{competition.id}/panels/auto", {"per_item": "99"},
                         token_from=f"/contests/{competition.id}/panels", follow_redirects=True)
    assert "每个项目的裁判人数应在 1 到 15 之间" in response.get_data(as_text=True)
    assignment = db.session.execute(select(JudgeAssignment).where(
        JudgeAssignment.competition_id == competition.id)).scalars().first()
    post_form(client, f"/contests/{competition.id}/panels/{assignment.id}/chief", {},
              token_from=f"/contests/{competition.id}/panels")
    db.session.refresh(assignment)
    assert assignment.is_chief


def test_chief_judge_reopens_a_sheet_from_the_progress_page(app, client):
    world = World()
    competition = world.ready()
    world.score(competition, PLANNED)
    login(client, "j1")  # not the chief
    assert client.get(f"/contests/{competition.id}/oversight").status_code == 404
    switch_user(client, "j0")
    page = client.get(f"/contests/{competition.id}/oversight").get_data(as_text=True)
    assert "已提交 15 / 15" in page
    sheet = sheet_of(competition, world.judges[2], world.people[1])
    code, station = sheet.registration.contestant_code, sheet.registration.station_number
    # 二次加密: the practical item's sheets are found by station, the theory item's by code — never one by the other
    found = client.get(f"/contests/{competition.id}/oversight?code={station}").get_data(as_text=True)
    assert f"{station}：3 张已提交的评分表" in found and f"sheets/{sheet.id}/reopen" in found
    assert code not in found
    by_code = client.get(f"/contests/{competition.id}/oversight?code={code.lower()}").get_data(as_text=True)
    assert f"{code}：3 张已提交的评分表" in by_code and f"sheets/{sheet.id}/reopen" not in by_code
    assert f"工位 {station}" not in by_code
    assert "/reopen" not in page  # without a search (and without outliers) no sheet is listed
    path = f"/contests/{competition.id}/sheets/{sheet.id}/reopen"
    response = post_form(client, path, {"reason": ""}, token_from=f"/contests/{competition.id}/oversight",
                         follow_redirects=True)
    assert "未能重新开放：理由：此项为必填项" in response.get_data(as_text=True)
    response = post_form(client, path, {"reason": "分数录入错误"}, token_from=f"/contests/{competition.id}/oversight",
                         follow_redirects=True)
    assert "评分表已重新开放" in response.get_data(as_text=True)
    db.session.refresh(sheet)
    assert sheet.submitted_at is None


def test_contestant_appeals_and_the_committee_decides_through_the_pages(app, client):
    world = World()
    competition = world.ready()
    world.score(competition, PLANNED)
    publish(world.staff, competition)
    db.session.commit()
    login(client, "p4")
    page = client.get(f"/contests/{competition.id}/mine").get_data(as_text=True)
    assert "第 5 名" in page and "提交申诉" in page
    response = post_form(client, f"/contests/{competition.id}/mine", {"text": "短"}, follow_redirects=True)
    assert "应为 10 到 2000 字" in response.get_data(as_text=True)
    response = post_form(client, f"/contests/{competition.id}/mine",
                         {"text": "案例分析评分明显偏低，请监督仲裁组复核。"}, follow_redirects=True)
    assert "申诉已提交" in response.get_data(as_text=True)
    assert client.get(f"/contests/{competition.id}/appeals").status_code == 404  # contestants don't see the list
    switch_user(client, "committee")
    page = client.get(f"/contests/{competition.id}/appeals").get_data(as_text=True)
    assert "请监督仲裁组复核" in page
    appeal = db.session.execute(select(Appeal)).scalar_one()
    response = post_form(client, f"/contests/appeals/{appeal.id}/decide",
                         {"upheld": "0", "decision": "经复核评分无误", "version": str(appeal.version)},
                         token_from=f"/contests/{competition.id}/appeals", follow_redirects=True)
    assert "已作出决定" in response.get_data(as_text=True)
    stale = post_form(client, f"/contests/appeals/{appeal.id}/decide",
                      {"upheld": "1", "decision": "改判", "version": str(appeal.version)},
                      token_from=f"/contests/{competition.id}/appeals", follow_redirects=True)
    assert "该申诉已处理" in stale.get_data(as_text=True)  # decided once; a second decision is refused
    db.session.refresh(appeal)
    assert appeal.status == "dismissed" and appeal.decision == "经复核评分无误"


def test_appeal_form_is_gone_after_the_window(app, client):
    world = World()
    competition = world.ready(appeal_hours=1)
    world.score(competition, PLANNED)
    publish(world.staff, competition)
    competition.published_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    login(client, "p0")
    page = client.get(f"/contests/{competition.id}/mine").get_data(as_text=True)
    assert "申诉期（结果公布后 1 小时）已过" in page and "提交申诉" not in page


def test_org_staff_register_their_people_in_bulk_through_the_page(app, client):
    world = World()
    competition = world.competition()
    make_user("org_staff", username="hr", org=world.companies[1])
    login(client, "hr")
    response = post_form(client, f"/contests/{competition.id}/bulk",
                         {"people": f"{world.people[1].username}\n{world.people[0].username}\n"})
    text = response.get_data(as_text=True)
    assert "已报名 1 人" in text and "待组委会审核" in text and "未找到或不属于本单位" in text
    assert world.people[0].name not in text  # another company's person is never named
    numbered = post_form(client, f"/contests/{competition.id}/bulk",
                         {"people": f"\n\n{world.people[0].username}\n"}).get_data(as_text=True)
    assert re.search(r"<td>3</td><td[^>]*>未找到或不属于本单位", numbered)  # the box's line 3, blanks counted
    empty = post_form(client, f"/contests/{competition.id}/bulk", {"people": ""})
    assert "请填写名单或上传 Excel 文件" in empty.get_data(as_text=True)
    template = client.get("/contests/bulk-template.xlsx")
    assert load_workbook(io.BytesIO(template.data)).active["A1"].value == "用户名或身份证号"
    assert db.session.execute(select(Registration.status).where(
        Registration.user_id == world.people[1].id)).scalar_one() == "pending"


def test_the_bulk_page_names_a_list_too_long_or_a_wrong_file_at_its_field(app, client):
    world = World()
    competition = world.competition()
    make_user("org_staff", username="hr", org=world.companies[1])
    login(client, "hr")
    url = f"/contests/{competition.id}/bulk"
    long_list = post_form(client, url, {"people": "x" * 100_001}).get_data(as_text=True)
    assert "is-invalid" in long_list and "100000" in long_list and "已报名" not in long_list
    wrong_file = post_form(client, url, {"people": "", "file": (io.BytesIO(b"a,b"), "people.csv")},
                           content_type="multipart/form-data").get_data(as_text=True)
    assert "请上传 .xlsx 文件" in wrong_file and "请填写名单" not in wrong_file
    assert db.session.execute(select(Registration.id)).first() is None


def test_qualifiers_from_the_preliminary_through_the_control_room(app, client):
    world = World()
    preliminary = world.ready(stage="preliminary", advance_count=2)
    world.score(preliminary, PLANNED)
    publish(world.staff, preliminary)
    final = world.competition(title="决赛", stage="final")
    db.session.commit()
    login(client, "committee")
    page = client.get(f"/contests/{final.id}").get_data(as_text=True)
    assert "晋级选手" in page
    response = post_form(client, f"/contests/{final.id}/qualifiers", {"source_id": str(preliminary.id), "top_n": ""},
                         token_from=f"/contests/{final.id}", follow_redirects=True)
    assert "已录入 2 名晋级选手" in response.get_data(as_text=True)


def test_control_room_query_count_does_not_grow_with_contestants(app, client, count_queries):
    small, large = World(contestants=3, prefix="s"), World(contestants=12, prefix="l")
    counts = []
    for world in (small, large):
        competition = world.ready()
        world.score(competition, lambda j, p, item: 50 + p)
        switch_user(client, world.staff.username)
        with count_queries() as counter:
            assert client.get(f"/contests/{competition.id}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
