"""The home page's competition to-dos: a judge's sheets left per competition, the committee's registrations,
officials before check-in and results to publish, a contestant's appeal window with its deadline — never another
committee's or another person's."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from lrc_training.contests.models import CompetitionOfficial, Registration
from lrc_training.contests.services.registration import register
from lrc_training.contests.services.results import publish
from lrc_training.core.timeutil import format_local
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.conftest import login
from tests.contests.helpers import World
from tests.factories import make_org, make_user
from tests.home import todo_section


def signed_in(client, username):
    other = client.application.test_client()
    login(other, username)
    return other


def test_judges_see_sheets_left_until_scored_then_the_committee_may_publish(client):
    world = World(contestants=3, judges=2)
    competition = world.ready()
    make_user("judge", username="idle_judge")
    make_user("org_staff", username="other_committee", org=make_org("另一工会", kind="union"))
    login(client, "j0")
    html = todo_section(client)
    assert "竞赛评分" in html and f"{competition.title} · 还有 6 份评分表未提交" in html  # 2 items × 3 contestants
    assert 'href="/contests/judging"' in html
    assert "竞赛评分" not in todo_section(signed_in(client, "idle_judge"))
    assert "公布竞赛结果" not in todo_section(signed_in(client, "committee"))
    world.score(competition, {i: (80, 85) for i in range(3)})
    assert "竞赛评分" not in todo_section(client)
    html = todo_section(signed_in(client, "committee"))
    assert "公布竞赛结果" in html and f'href="/contests/{competition.id}"' in html
    assert competition.title not in todo_section(signed_in(client, "other_committee"))


def test_a_contestant_is_told_when_the_appeal_window_closes(client):
    world = World(contestants=2, judges=1)
    competition = world.ready()
    world.score(competition, {0: (80, 90), 1: (70, 75)})
    make_user("trainee", username="bystander")
    publish(world.staff, competition)
    db.session.commit()
    closes_at = competition.appeals_close_at
    login(client, "p0")
    html = todo_section(client)
    assert "竞赛结果已公布，可在申诉期内申诉" in html and "申诉截止：<time" in html
    assert format_local(closes_at) in html and re.search(r"（还有 [12] 小时( \d+ 分)?）", html) and "紧急" in html
    assert f'href="/contests/{competition.id}/mine"' in html
    assert "申诉" not in todo_section(signed_in(client, "bystander"))
    with time_machine.travel(closes_at + timedelta(minutes=1), tick=False):
        assert "申诉" not in todo_section(client)


def test_the_committee_reviews_registrations_and_appoints_officials_before_check_in(client):
    world = World(contestants=2, judges=1)
    competition = world.competition(title="市级竞赛")
    for person in world.people:
        register(person, competition.id, person.id)
    db.session.commit()
    login(client, "committee")
    html = todo_section(client)
    assert "审核竞赛报名" in html and "市级竞赛 · 2 人待审核" in html
    assert "检录前指定编码保管员、监督仲裁组" in html and f'href="/contests/{competition.id}/panels"' in html
    assert "竞赛报名待审核" in todo_section(signed_in(client, "p0"))
    db.session.add(CompetitionOfficial(competition_id=competition.id, user_id=world.staff.id, duty="code_keeper"))
    db.session.commit()
    html = todo_section(client)
    assert "检录前指定监督仲裁组" in html and "编码保管员" not in html
    registration = db.session.query(Registration).filter_by(competition_id=competition.id).first()
    registration.checked_in_at = utcnow()  # check-in opened: duties are fixed, nothing left to appoint
    db.session.commit()
    assert "检录前指定" not in todo_section(client)


def test_the_judges_and_committees_home_cost_the_same_queries_for_one_competition_or_three(client, count_queries):
    world = World(contestants=2, judges=1)
    world.ready(title="竞赛0")
    judge, committee = signed_in(client, "j0"), signed_in(client, "committee")
    with count_queries() as one:
        assert todo_section(judge).count("竞赛评分") == 1
        todo_section(committee)
    for n in (1, 2):
        world.ready(title=f"竞赛{n}")
        world.competition(title=f"报名中{n}")
    with count_queries() as three:
        assert todo_section(judge).count("竞赛评分") == 3
        assert todo_section(committee).count("检录前指定") == 2
    assert three.count == one.count
