"""Demo competitions of the evaluation center: one whose results are in the notice period (so `trainee` can see a
rank and appeal, `staff` can follow the appeal), one being scored now (so `judge`, the chief judge, can score and
follow the progress), and one open for registration."""

from __future__ import annotations

from datetime import timedelta

from ..db import utcnow
from .schemas.inputs import competition_in
from .services.checkin import draw
from .services.panels import assign_judge
from .services.registration import register
from .services.results import publish
from .services.scoring import save_scores, sheets_for, submit_sheet
from .services.setup import create_competition

ITEMS = [{"name": "理论知识", "kind": "theory", "weight": 30,
          "criteria": [{"name": "客观题", "max_points": 60}, {"name": "简答题", "max_points": 40}]},
         {"name": "案例分析", "kind": "practical", "weight": 40,
          "criteria": [{"name": "事实认定", "max_points": 40}, {"name": "法律适用", "max_points": 40},
                       {"name": "处理建议", "max_points": 20}]},
         {"name": "调解模拟", "kind": "practical", "weight": 30,
          "criteria": [{"name": "沟通技巧", "max_points": 50}, {"name": "方案可行性", "max_points": 50}]}]


def _competition(staff, title: str, **extra):
    return create_competition(staff, competition_in(
        title=title, tier="provincial", level=3, registration_closes_at=utcnow() + timedelta(days=extra.pop("days", 7)),
        items=ITEMS, promotion_awards=["first", "second", "third"], honor_top_n=1, **extra))


def _drawn(staff, judge, people, title: str, *, closed_days_ago: int, **extra):
    """A competition the people registered for, its registration closed, the judge chief of every item's panel,
    contestant codes drawn: ready to be scored."""
    competition = _competition(staff, title, **extra)
    for person in people:
        register(staff, competition.id, person.id)
    competition.registration_closes_at = utcnow() - timedelta(days=closed_days_ago)
    for item in competition.items:
        assign_judge(staff, competition, judge.id, item.position, is_chief=True)
    draw(staff, competition)
    return competition


def _score(judge, competition, points: dict[int, float]) -> None:
    """The judge gives each contestant (by registration) the same share of every criterion's maximum."""
    for sheet in sheets_for(judge):
        if sheet.item.competition_id != competition.id:
            continue
        share = points[sheet.registration.user_id]
        save_scores(judge, sheet, {str(c.id): round(float(c.max_points) * share, 1) for c in sheet.item.criteria},
                    sheet.version)
        submit_sheet(judge, sheet)


def seed_competitions(users: dict, orgs: list) -> None:
    staff, judge = users["staff"], users["judge"]
    people = [users["trainee"], users["trainee2"], users["trainee3"]]

    published = _drawn(staff, judge, people, "山东省第二届劳动关系协调师职业技能竞赛（省赛）", closed_days_ago=10)
    _score(judge, published, {people[0].id: 0.86, people[1].id: 0.78, people[2].id: 0.71})
    publish(staff, published)

    _drawn(staff, judge, people, "2026 年山东省劳动关系协调师技能竞赛（决赛）", closed_days_ago=1, stage="final")

    _competition(staff, "聊城市第三届劳动关系协调师职业技能竞赛", days=14, eligibility={"quota_per_organization": 5})
