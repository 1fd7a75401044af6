"""The home page's to-dos from competitions: a contestant's open appeal windows and registrations awaiting review,
a judge's sheets left per competition, and for the organizing body's staff registrations to review, officials to
appoint before check-in and results ready to publish. A fixed number of statements, whatever the number of
competitions, contestants or sheets."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import and_, case, func, select

from ..auth.roles import JUDGE, ORG_STAFF, TRAINEE
from ..core.todo import INFO, NORMAL, NOW, SOON, TodoItem
from ..extensions import db
from .models import DUTIES, Competition, CompetitionItem, CompetitionOfficial, JudgeAssignment, JudgingSheet, Registration


def todo_for(user, now: datetime) -> list[TodoItem]:
    items: list[TodoItem] = []
    if user.has_role(TRAINEE):
        items += _appeal_windows(user, now) + _registrations_waiting(user)
    if user.has_role(JUDGE):
        items += _sheets_left(user)
    if user.has_role(ORG_STAFF) and user.organization_id:
        items += (_registrations_to_review(user) + _officials_to_appoint(user)
                  + _results_to_publish(user.organization_id))
    return items


def _appeal_windows(user, now: datetime) -> list[TodoItem]:
    """Published results of the contestant's competitions while the appeal window is open."""
    rows = db.session.execute(
        select(Competition.id, Competition.title, Competition.published_at, Competition.appeal_hours)
        .join(Registration, Registration.competition_id == Competition.id)
        .where(Registration.user_id == user.id, Registration.contestant_code.is_not(None),
               Competition.state == "published")).all()
    items = []
    for competition_id, title, published_at, hours in rows:
        closes_at = published_at + timedelta(hours=hours)
        if now <= closes_at:
            items.append(TodoItem("竞赛结果已公布，可在申诉期内申诉", url_for("contests.mine", competition_id=competition_id),
                                  title, closes_at, "申诉截止", NOW if closes_at - now <= timedelta(hours=24) else SOON,
                                  "查看成绩"))
    return items


def _registrations_waiting(user) -> list[TodoItem]:
    titles = db.session.execute(
        select(Competition.title).join(Registration, Registration.competition_id == Competition.id)
        .where(Registration.user_id == user.id, Registration.status == "pending")).scalars().all()
    return [TodoItem("竞赛报名待审核", url_for("contests.index"), f"{title} · 组委会审核后会通知您", urgency=INFO,
                     action="查看") for title in titles]


def _coded(competition_id_column):
    """SQL: approved contestants with a code, of the competition in the given column."""
    return and_(Registration.competition_id == competition_id_column, Registration.status == "approved",
                Registration.contestant_code.is_not(None))


def _sheets_left(user) -> list[TodoItem]:
    """Per competition being scored: the judge's seats × coded contestants, less the sheets they submitted (a
    sheet not opened yet counts as left)."""
    expected = db.session.execute(
        select(Competition.id, Competition.title, func.count())
        .join(CompetitionItem, CompetitionItem.competition_id == Competition.id)
        .join(JudgeAssignment, JudgeAssignment.item_id == CompetitionItem.id)
        .join(Registration, _coded(Competition.id))
        .where(JudgeAssignment.user_id == user.id, CompetitionItem.exam_session_id.is_(None),
               Competition.state == "drawn")
        .group_by(Competition.id, Competition.title)).all()
    if not expected:
        return []
    submitted = dict(db.session.execute(
        select(CompetitionItem.competition_id, func.count(JudgingSheet.id))
        .join(JudgingSheet, JudgingSheet.item_id == CompetitionItem.id)
        .join(Registration, Registration.id == JudgingSheet.registration_id)
        .where(JudgingSheet.judge_id == user.id, JudgingSheet.submitted_at.is_not(None),
               _coded(CompetitionItem.competition_id))
        .group_by(CompetitionItem.competition_id)).all())
    link = url_for("contests.judging")
    return [TodoItem("竞赛评分", link, f"{title} · 还有 {n - submitted.get(cid, 0)} 份评分表未提交", urgency=NORMAL,
                     action="去评分")
            for cid, title, n in expected if n > submitted.get(cid, 0)]


def _registrations_to_review(user) -> list[TodoItem]:
    rows = db.session.execute(
        select(Competition.id, Competition.title, Competition.registration_closes_at, func.count(Registration.id))
        .join(Registration, Registration.competition_id == Competition.id)
        .where(Competition.organization_id == user.organization_id, Registration.status == "pending")
        .group_by(Competition.id, Competition.title, Competition.registration_closes_at)).all()
    return [TodoItem("审核竞赛报名", url_for("contests.detail", competition_id=cid), f"{title} · {n} 人待审核",
                     closes_at, "报名截止", NORMAL, "去审核") for cid, title, closes_at, n in rows]


def _officials_to_appoint(user) -> list[TodoItem]:
    """Competitions still before check-in that lack a code keeper or a supervision group (fixed at check-in)."""
    checked_in = select(Registration.id).where(Registration.competition_id == Competition.id,
                                               Registration.checked_in_at.is_not(None)).exists()
    per_duty = [func.sum(case((CompetitionOfficial.duty == duty, 1), else_=0)) for duty in DUTIES]
    rows = db.session.execute(
        select(Competition.id, Competition.title, Competition.registration_closes_at, *per_duty)
        .outerjoin(CompetitionOfficial, CompetitionOfficial.competition_id == Competition.id)
        .where(Competition.organization_id == user.organization_id, Competition.state == "registration",
               ~checked_in)
        .group_by(Competition.id, Competition.title, Competition.registration_closes_at)).all()
    items = []
    for cid, title, closes_at, *counts in rows:
        missing = [label for label, n in zip(DUTIES.values(), counts, strict=True) if not n]
        if missing:
            items.append(TodoItem("检录前指定" + "、".join(missing), url_for("contests.panels", competition_id=cid),
                                  title, closes_at, "报名截止", NORMAL, "去指定"))
    return items


def _results_to_publish(organization_id: int) -> list[TodoItem]:
    """Competitions being scored whose judges have submitted every sheet: the results can be published."""
    judged = and_(CompetitionItem.competition_id == Competition.id, CompetitionItem.exam_session_id.is_(None))
    expected = dict(db.session.execute(
        select(Competition.id, func.count())
        .join(CompetitionItem, judged)
        .join(JudgeAssignment, JudgeAssignment.item_id == CompetitionItem.id)
        .join(Registration, _coded(Competition.id))
        .where(Competition.organization_id == organization_id, Competition.state == "drawn")
        .group_by(Competition.id)).all())
    if not expected:
        return []
    submitted = db.session.execute(
        select(Competition.id, Competition.title, func.count(JudgingSheet.id))
        .join(CompetitionItem, judged)
        .join(JudgeAssignment, JudgeAssignment.item_id == CompetitionItem.id)
        .join(JudgingSheet, and_(JudgingSheet.item_id == CompetitionItem.id,
                                 JudgingSheet.judge_id == JudgeAssignment.user_id,
                                 JudgingSheet.submitted_at.is_not(None)))
        .join(Registration, and_(Registration.id == JudgingSheet.registration_id, _coded(Competition.id)))
        .where(Competition.id.in_(list(expected)))
        .group_by(Competition.id, Competition.title)).all()
    return [TodoItem("公布竞赛结果", url_for("contests.detail", competition_id=cid),
                     f"{title} · 评分表已全部提交，可公布结果", urgency=NORMAL, action="去公布")
            for cid, title, n in submitted if n >= expected[cid]]
