"""The public notice (公示): only published or final competitions, names and awards but no personal data or judges,
the notice end and how to appeal, and a fixed number of statements however many rows."""

from __future__ import annotations

import re
from datetime import timedelta

from lrc_training.contests.services.finalize import finalize
from lrc_training.contests.services.results import publish
from lrc_training.core.timeutil import format_local
from lrc_training.extensions import db
from tests.contests.helpers import World


def test_results_appear_only_after_publication_without_personal_data(app, client, count_queries):
    small, large = World(contestants=3, prefix="s"), World(contestants=12, prefix="l")
    counts = []
    for world in (small, large):
        competition = world.ready(venue="聊城市技师学院")
        world.score(competition, lambda j, p, item: 90 - p)
        assert client.get(f"/contests/{competition.id}/results").status_code == 404  # scored, not published
        publish(world.staff, competition)
        db.session.commit()
        with count_queries() as counter:
            page = client.get(f"/contests/{competition.id}/results")
        counts.append(counter.count)
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        first = re.search(r"<tr><td>1</td><td[^>]*>([^<]+)<span[^>]*>([^<]+)</span></td>", text)
        assert first.groups() == (world.people[0].name, world.companies[0].name)
        assert "一等奖" in text and "90.00" in text
        assert f"公示期至 <strong>{format_local(competition.notice_ends_at)}</strong>" in text
        assert "在公示期内可向竞赛监督仲裁组提出书面申诉" in text
        for person in world.people:
            assert person.name in text and person.id_number not in text and person.phone not in text
        assert world.judges[0].name not in text
    assert counts[0] == counts[1]


def test_once_the_appeal_window_closes_the_notice_says_so(app, client):
    world = World(contestants=3)
    competition = world.ready()
    world.score(competition, lambda j, p, item: 90 - p)
    publish(world.staff, competition)
    competition.published_at -= timedelta(hours=competition.appeal_hours, minutes=1)
    db.session.commit()
    text = client.get(f"/contests/{competition.id}/results").get_data(as_text=True)
    assert f"已于 {format_local(competition.appeals_close_at)} 截止" in text and "可向竞赛监督仲裁组" not in text
    assert f"公示期至 <strong>{format_local(competition.notice_ends_at)}</strong>" in text


def test_listing_shows_published_and_final_competitions_only(app, client, count_queries):
    counts = []
    for n in range(4):
        world = World(contestants=2, prefix=f"w{n}")
        competition = world.ready(title=f"第{n}届竞赛")
        world.score(competition, lambda j, p, item: 80)
        if n < 3:  # the fourth stays unpublished
            publish(world.staff, competition)
            db.session.commit()
        with count_queries() as counter:
            listing = client.get("/contests/results")
        counts.append(counter.count)
    text = listing.get_data(as_text=True)
    assert "第0届竞赛" in text and "第2届竞赛" in text and "第3届竞赛" not in text
    assert text.count("公示中，至") == 3
    assert counts[0] == counts[2]  # three competitions listed in as many statements as one


def test_a_final_competition_says_so_and_no_longer_invites_appeals(app, client):
    world = World(contestants=3)
    competition = world.ready()
    world.score(competition, lambda j, p, item: 90 - p)
    publish(world.staff, competition)
    competition.published_at -= timedelta(days=competition.notice_days + 1)
    finalize(competition)
    db.session.commit()
    text = client.get(f"/contests/{competition.id}/results").get_data(as_text=True)
    assert f"公示期满，结果已于 {format_local(competition.finalized_at)} 确定" in text
    assert "申诉" not in text and "选手0" in text
    assert "结果已确定" in client.get("/contests/results").get_data(as_text=True)


def test_a_preliminary_marks_who_advances(app, client):
    world = World(contestants=5)
    competition = world.ready(stage="preliminary", advance_count=2)
    world.score(competition, lambda j, p, item: 90 - p)
    publish(world.staff, competition)
    db.session.commit()
    text = client.get(f"/contests/{competition.id}/results").get_data(as_text=True)
    assert "前 2 名（含并列）晋级决赛" in text and "（初赛）" in text
    rows = re.findall(r"<tr><td>(\d+)</td>.*?</tr>", text, re.S)
    advancing = [m for m in re.findall(r"<tr><td>(\d+)</td>.*?<td>(晋级)?</td></tr>", text, re.S)]
    assert rows == ["1", "2", "3", "4", "5"] and advancing == [("1", "晋级"), ("2", "晋级"), ("3", ""), ("4", ""), ("5", "")]
