"""Judge panels: each judge's load, automatic balanced assignment without conflicts of interest, the chief judge
(裁判长) of an item, and removing a judge who has not started scoring. Every change follows contests.duties: not
for oneself, never a code keeper or supervisor, and after check-in has opened only by an admin."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from ...auth.models import Organization, User, UserRole
from ...auth.roles import JUDGE
from ...core.audit import record_audit
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.notifications import notify
from ...extensions import db
from ..models import Competition, JudgeAssignment, JudgingSheet, Registration
from .access import is_committee
from .duties import busy_with_other_duties, require_may_change, require_no_other_duty


@dataclass
class JudgeLoad:
    user_id: int
    name: str
    organization: str | None
    items: list[str]  # this competition's items the judge is on
    chief_of: list[str]
    sheets: int  # sheets of this competition
    submitted: int
    elsewhere: int  # panels in other competitions still being scored
    conflict: bool


def judge_loads(competition: Competition) -> list[JudgeLoad]:
    """Every active judge with their load here and elsewhere, in a fixed number of queries."""
    judges = db.session.execute(
        select(User, Organization.name).join(UserRole, UserRole.user_id == User.id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(UserRole.role == JUDGE, User.active.is_(True)).order_by(User.name, User.id)).all()
    items = {i.id: i.name for i in competition.items}
    here = db.session.execute(select(JudgeAssignment).where(
        JudgeAssignment.competition_id == competition.id)).scalars().all()
    elsewhere = Counter(dict(db.session.execute(
        select(JudgeAssignment.user_id, func.count()).join(Competition, Competition.id == JudgeAssignment.competition_id)
        .where(Competition.id != competition.id, Competition.state.in_(("registration", "drawn")))
        .group_by(JudgeAssignment.user_id)).all()))
    sheet_counts = {judge_id: (total, done) for judge_id, total, done in db.session.execute(
        select(JudgingSheet.judge_id, func.count(), func.count(JudgingSheet.submitted_at))
        .where(JudgingSheet.item_id.in_(list(items))).group_by(JudgingSheet.judge_id)).all()}
    contestant_orgs = set(db.session.execute(select(Registration.organization_id).where(
        Registration.competition_id == competition.id, Registration.status != "rejected",
        Registration.organization_id.is_not(None))).scalars())
    loads = []
    for user, org_name in judges:
        mine = [a for a in here if a.user_id == user.id]
        total, done = sheet_counts.get(user.id, (0, 0))
        loads.append(JudgeLoad(user.id, user.name, org_name, [items[a.item_id] for a in mine],
                               [items[a.item_id] for a in mine if a.is_chief], total, done, elsewhere[user.id],
                               user.organization_id in contestant_orgs))
    return loads


def auto_assign(actor, competition: Competition, per_item: int) -> int:
    """Fill every judged item's panel up to `per_item` judges, choosing the least-loaded judges without a conflict
    of interest (load here first, then elsewhere). All or nothing: 422 when some item cannot be filled."""
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    if not isinstance(per_item, int) or not 1 <= per_item <= 15:
        raise ValidationFailed("每个项目的裁判人数应为 1 到 15", {"per_item": "应为 1 到 15"})
    require_may_change(actor, competition, None, "per_item")
    officials = busy_with_other_duties(competition)  # code keepers and supervisors are never judges too
    loads = {load.user_id: load for load in judge_loads(competition)
             if not load.conflict and load.user_id != actor.id and load.user_id not in officials}
    busy = Counter({uid: len(load.items) for uid, load in loads.items()})
    on_item = {item.id: set() for item in competition.items}
    for a in db.session.execute(select(JudgeAssignment).where(
            JudgeAssignment.competition_id == competition.id)).scalars():
        on_item[a.item_id].add(a.user_id)
    added = 0
    short = []
    for item in competition.items:
        if item.exam_session_id is not None:
            continue
        need = per_item - len(on_item[item.id])
        candidates = sorted((uid for uid in loads if uid not in on_item[item.id]),
                            key=lambda uid: (busy[uid], loads[uid].elsewhere, uid))
        if need > len(candidates):
            short.append(f"{item.name}（还差 {need - len(candidates)} 人）")
            continue
        for uid in candidates[:max(0, need)]:
            assign_judge(actor, competition, uid, item.position)
            busy[uid] += 1
            on_item[item.id].add(uid)
            added += 1
    if short:
        raise ValidationFailed("没有足够的无须回避的裁判员：" + "、".join(short), {"per_item": "裁判员不足"})
    return added


def _assignment(competition: Competition, assignment_id: int) -> JudgeAssignment:
    assignment = db.session.get(JudgeAssignment, assignment_id)
    if assignment is None or assignment.competition_id != competition.id:
        raise NotFound("裁判安排不存在")
    return assignment


def set_chief(actor, competition: Competition, assignment_id: int) -> JudgeAssignment:
    """Make this panel member the item's chief judge (one per item)."""
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    assignment = _assignment(competition, assignment_id)
    after_check_in = require_may_change(actor, competition, assignment.user_id, "assignment")
    for other in db.session.execute(select(JudgeAssignment).where(
            JudgeAssignment.item_id == assignment.item_id, JudgeAssignment.is_chief.is_(True))).scalars():
        other.is_chief = False
    assignment.is_chief = True
    db.session.flush()
    record_audit("competition.set_chief", "competition", competition.id,
                 new={"judge_id": assignment.user_id, "item_id": assignment.item_id, "after_check_in": after_check_in},
                 actor_id=actor.id)
    return assignment


def remove_judge(actor, competition: Competition, assignment_id: int) -> None:
    """Take a judge off a panel; refused once they have saved any score on that item."""
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    assignment = _assignment(competition, assignment_id)
    if competition.state in ("published", "final"):
        raise Conflict("结果已公布，不能再调整裁判组", {"competition": "已公布"}, code="frozen")
    after_check_in = require_may_change(actor, competition, assignment.user_id, "assignment")
    started = db.session.execute(select(JudgingSheet.id).where(
        JudgingSheet.item_id == assignment.item_id, JudgingSheet.judge_id == assignment.user_id,
        JudgingSheet.version > 1)).scalar()
    if started:
        raise Conflict("该裁判员已开始评分，不能移出裁判组", {"assignment": "已开始评分"}, code="scoring_started")
    db.session.execute(delete(JudgingSheet).where(JudgingSheet.item_id == assignment.item_id,
                                                  JudgingSheet.judge_id == assignment.user_id))
    db.session.execute(delete(JudgeAssignment).where(JudgeAssignment.id == assignment.id))
    record_audit("competition.remove_judge", "competition", competition.id,
                 old={"judge_id": assignment.user_id, "item_id": assignment.item_id},
                 new={"after_check_in": after_check_in}, actor_id=actor.id)


def conflict_of_interest(competition: Competition, judge: User) -> bool:
    """The judge works in the same organization as a (not rejected) contestant of the competition."""
    return judge.organization_id is not None and db.session.execute(select(Registration.id).where(
        Registration.competition_id == competition.id, Registration.status != "rejected",
        Registration.organization_id == judge.organization_id)).scalar() is not None


def assign_judge(actor, competition: Competition, user_id: int, item_index: int,
                 is_chief: bool = False) -> JudgeAssignment:
    """Add a judge to an item's panel; refused when the judge works where any contestant works, for oneself,
    for a code keeper or supervisor of the competition, and (but for an admin) once check-in has opened."""
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    item = next((i for i in competition.items if i.position == item_index), None)
    if item is None:
        raise ValidationFailed("竞赛项目不存在", {"item_index": "竞赛项目不存在"})
    if item.exam_session_id is not None:
        raise ValidationFailed("该项目由在线考试计分，不需要裁判组", {"item_index": "在线考试计分的项目"})
    if competition.state in ("published", "final"):
        raise Conflict("结果已公布，不能再调整裁判组", {"competition": "已公布"}, code="frozen")
    after_check_in = require_may_change(actor, competition, user_id, "user_id")
    judge = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if judge is None or not judge.has_role(JUDGE):
        raise ValidationFailed("该用户不是裁判员", {"user_id": "该用户不是裁判员"})
    require_no_other_duty(competition, judge.id, "judge", "user_id")
    if conflict_of_interest(competition, judge):
        raise ValidationFailed("回避：该裁判员与参赛选手属于同一单位", {"user_id": "与参赛选手同一单位，须回避"},
                               code="conflict_of_interest")
    if db.session.execute(select(JudgeAssignment.id).where(
            JudgeAssignment.item_id == item.id, JudgeAssignment.user_id == judge.id)).scalar():
        raise Conflict("该裁判员已在本项目裁判组中", {"user_id": "已在裁判组中"}, code="duplicate")
    if is_chief and db.session.execute(select(JudgeAssignment.id).where(
            JudgeAssignment.item_id == item.id, JudgeAssignment.is_chief.is_(True))).scalar():
        raise Conflict("该项目已有裁判长", {"is_chief": "已有裁判长"}, code="duplicate")
    assignment = JudgeAssignment(competition_id=competition.id, item_id=item.id, user_id=judge.id, is_chief=is_chief)
    db.session.add(assignment)
    db.session.flush()
    record_audit("competition.assign_judge", "competition", competition.id,
                 new={"judge_id": judge.id, "item_index": item_index, "is_chief": is_chief,
                      "after_check_in": after_check_in}, actor_id=actor.id)
    role = "裁判长" if is_chief else "裁判员"
    notify(judge.id, f"裁判任务：{competition.title}", f"您被安排为“{item.name}”项目的{role}。",
           link="/contests/judging", kind="judge_assignment")
    return assignment


def assign_judge_named(actor, competition: Competition, username: str, item_index: int,
                       is_chief: bool = False) -> JudgeAssignment:
    """`assign_judge` for the page, which names the judge by user name (nobody of that name: not a judge)."""
    judge = db.session.execute(select(User).where(User.username == username)).scalar()
    return assign_judge(actor, competition, judge.id if judge else -1, item_index, is_chief)
