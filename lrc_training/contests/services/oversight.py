"""The chief judge's (裁判长) view: scoring progress per item and judge, and judges far from their panel
(outliers) so a sheet can be reviewed and, with a recorded reason, reopened."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select

from ...auth.models import User
from ...auth.roles import ADMIN
from ...core.errors import NotFound
from ...exams.queries import published_session_count
from ...extensions import db
from ..models import Competition, CompetitionItem, JudgeAssignment, JudgingSheet, Registration
from .access import is_committee
from .ranking import deviations, panel_centre, to_decimal

OUTLIER_SHARE = Fraction(15, 100)  # a judge further than 15% of the item's maximum from the panel median


@dataclass
class ItemProgress:
    item: CompetitionItem
    total: int = 0
    submitted: int = 0
    judges: list[dict] = field(default_factory=list)  # {"name", "total", "submitted", "drafts", "chief"}
    outliers: list[dict] = field(default_factory=list)  # {"sheet_id", "code", "judge", "total", "mean", "submitted"}
    sheets: list[dict] = field(default_factory=list)  # submitted sheets the chief may reopen

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.total) if self.total else 0


def overseen_items(actor, competition: Competition) -> list[CompetitionItem]:
    """The committee oversees every item; a chief judge the items they chair."""
    if is_committee(actor, competition) or actor.has_role(ADMIN):
        return list(competition.items)
    chaired = set(db.session.execute(select(JudgeAssignment.item_id).where(
        JudgeAssignment.competition_id == competition.id, JudgeAssignment.user_id == actor.id,
        JudgeAssignment.is_chief.is_(True))).scalars())
    return [i for i in competition.items if i.id in chaired]


def _wanted(query: str | None, station: bool, code: str | None, number: str | None, see_codes: bool) -> bool:
    """Does the search box's text pick this contestant? A station (“003” or “工位 003”) on a practical item
    with stations, a code otherwise — and for the committee (not judging here) a code on any item, to find an
    appellant's sheets."""
    if not query:
        return False
    if station:
        return query.removeprefix("工位").strip() == number or (see_codes and query == code)
    return query == code


def progress(actor, competition_id: int, code: str | None = None) -> tuple[Competition, list[ItemProgress]]:
    """Progress per item and judge and the outliers; with `code`, also that contestant's submitted sheets (the
    ones the chief judge may reopen) — never every sheet, which on a big day would be tens of thousands.

    A practical item with stations (二次加密) names contestants by station only, as its judges' sheets do, so the
    chief judge never sees a station beside a code; other items name them by code."""
    competition = db.session.get(Competition, competition_id)
    items = overseen_items(actor, competition) if competition else []
    if not items:
        raise NotFound("竞赛不存在")
    judging_here = db.session.execute(select(JudgeAssignment.id).where(
        JudgeAssignment.competition_id == competition.id, JudgeAssignment.user_id == actor.id).limit(1)).scalar()
    see_codes = not judging_here and is_committee(actor, competition)
    by_item = {i.id: ItemProgress(i) for i in items if i.exam_session_id is None}
    panel = db.session.execute(select(JudgeAssignment.item_id, JudgeAssignment.user_id, JudgeAssignment.is_chief,
                                      User.name).join(User, User.id == JudgeAssignment.user_id).where(
        JudgeAssignment.item_id.in_(list(by_item)))).all()
    names = {row.user_id: row.name for row in panel}
    chiefs = {(row.item_id, row.user_id) for row in panel if row.is_chief}
    rows = db.session.execute(select(
        JudgingSheet.id, JudgingSheet.item_id, JudgingSheet.judge_id, JudgingSheet.total, JudgingSheet.submitted_at,
        JudgingSheet.version, Registration.contestant_code, Registration.station_number).join(
        Registration, Registration.id == JudgingSheet.registration_id).where(
        JudgingSheet.item_id.in_(list(by_item)))).all()
    per_judge: dict[tuple[int, int], list[int]] = {(row.item_id, row.user_id): [0, 0, 0] for row in panel}
    per_cell: dict[tuple[int, str], dict[int, tuple[int, Decimal]]] = defaultdict(dict)
    who: dict[tuple[int, str], dict] = {}
    for sheet_id, item_id, judge_id, total, submitted_at, version, sheet_code, number in sorted(
            rows, key=lambda r: (r.station_number or "", r.contestant_code or "", r.judge_id)):
        p = by_item[item_id]
        station = p.item.kind == "practical" and number is not None
        label = f"工位 {number}" if station else sheet_code
        who[(item_id, label)] = {"code": None if station else sheet_code, "station_number": number if station else None,
                                 "label": label}
        counts = per_judge.setdefault((item_id, judge_id), [0, 0, 0])
        counts[0] += 1
        counts[2] += submitted_at is None and version > 1
        if submitted_at is not None:
            p.submitted += 1
            counts[1] += 1
            total = Decimal(total)
            per_cell[(item_id, label)][judge_id] = (sheet_id, total)
            if _wanted(code, station, sheet_code, number, see_codes):
                p.sheets.append({"sheet_id": sheet_id, **who[(item_id, label)], "judge": names.get(judge_id, ""),
                                 "total": total, "version": version})
    _judge_rows(by_item, per_judge, names, chiefs, _coded_contestants(competition))
    _outliers(by_item, per_cell, who, names)
    return competition, list(by_item.values())


def _outliers(by_item: dict, per_cell: dict, who: dict, names: dict) -> None:
    """Flag, per contestant of each item, the judges far from the panel's median."""
    for (item_id, label), sheets in sorted(per_cell.items()):
        p = by_item[item_id]
        totals = {judge_id: total for judge_id, (_, total) in sheets.items()}
        flagged = deviations(totals, OUTLIER_SHARE, p.item.max_points)
        if flagged:
            mean = to_decimal(panel_centre(totals.values()))
            for judge_id in flagged:
                p.outliers.append({"sheet_id": sheets[judge_id][0], **who[(item_id, label)],
                                   "judge": names.get(judge_id, ""), "total": totals[judge_id], "mean": mean})


def _coded_contestants(competition: Competition) -> int:
    return db.session.execute(select(func.count()).where(
        Registration.competition_id == competition.id, Registration.status == "approved",
        Registration.contestant_code.is_not(None))).scalar_one()


def _judge_rows(by_item: dict, per_judge: dict, names: dict, chiefs: set, contestants: int) -> None:
    """Each panel judge's row as their own judging page counts it: a sheet owed for every coded contestant
    (opened or not), how many are submitted, how many are drafts. An item's total is the sum of its judges'."""
    for (item_id, judge_id), (sheets, done, drafts) in sorted(per_judge.items(),
                                                               key=lambda kv: (names.get(kv[0][1], ""), kv[0][1])):
        owed = max(sheets, contestants)
        by_item[item_id].total += owed
        by_item[item_id].judges.append({"name": names.get(judge_id, ""), "total": owed, "submitted": done,
                                        "drafts": drafts, "chief": (item_id, judge_id) in chiefs})


def publish_blocker(competition: Competition) -> str:
    """Why results cannot be published yet, in words for the control room (shown beside the disabled button, since
    a tooltip does not show on a tablet). Counts as results.all_sheets_submitted does: every panel judge owes a
    sheet for every coded contestant, opened or not."""
    exams = {i.exam_session_id for i in competition.items if i.exam_session_id is not None}
    if exams and published_session_count(exams) < len(exams):
        return "在线考试计分项目的考试成绩尚未公布"
    judged = {i.id: i.name for i in competition.items if i.exam_session_id is None}
    if not judged:
        return "评分尚未完成"
    seats = dict(db.session.execute(select(JudgeAssignment.item_id, func.count()).where(
        JudgeAssignment.item_id.in_(list(judged))).group_by(JudgeAssignment.item_id)).all())
    unstaffed = [name for item_id, name in judged.items() if not seats.get(item_id)]
    if unstaffed:
        return "“" + "”、“".join(unstaffed) + "”还没有安排裁判"
    contestants = _coded_contestants(competition)
    opened, submitted = db.session.execute(select(func.count(JudgingSheet.id), func.count(JudgingSheet.submitted_at))
                                           .join(Registration, Registration.id == JudgingSheet.registration_id)
                                           .join(JudgeAssignment, (JudgeAssignment.item_id == JudgingSheet.item_id)
                                                 & (JudgeAssignment.user_id == JudgingSheet.judge_id))
                                           .where(JudgingSheet.item_id.in_(list(judged)),
                                                  Registration.contestant_code.is_not(None))).one()
    missing = sum(seats.values()) * contestants - submitted
    if not opened:
        return f"裁判尚未开始评分（共 {missing} 份评分表）"
    if missing > 0:
        return f"还有 {missing} 份评分表未提交，全部提交并核对后才能公布结果"
    return "评分尚未完成"
