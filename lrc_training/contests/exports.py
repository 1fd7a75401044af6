"""Competition documents: the results workbook (Excel), the award list (获奖名单) and per-item score sheets
(评分汇总表) as PDF through the shared PDF helper. Everything is built from the same standings the results page
shows, and the Excel item sheets and the score sheet PDF share one table, so no document disagrees with another.

The committee sees the judges by name (it appointed them, and the chief judge signs next to them); the public pages
never show judges at all."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from ..auth.models import Organization, User
from ..core.downloads import ExportFile
from ..core.errors import Conflict, NotFound
from ..core.pdf import render_pdf
from ..core.timeutil import format_local, to_local
from ..core.xlsx import append_row, save_workbook
from ..db import utcnow
from ..extensions import db
from .models import AWARD_LABELS, STAGES, TIERS, Competition, CompetitionItem, JudgeAssignment, JudgingSheet, Registration
from .services.ranking import aggregate, to_decimal, to_fraction
from .services.results import all_sheets_submitted, result_rows

METHODS = {"auto": "5 人及以上去掉最高、最低分后平均，否则平均", "mean": "平均", "trimmed": "去掉最高、最低分后平均",
           "median": "中位数", "exam": "在线考试理论成绩"}
NOT_REVEALED = "（未揭晓）"
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def revealed(competition: Competition) -> bool:
    """The rule result_rows applies: names once every sheet is in (or the results are out)."""
    return competition.state in ("published", "final") or all_sheets_submitted(competition)


def _organizations(competition: Competition) -> dict[int, str]:
    """registration id → the contestant's organization name at registration."""
    return dict(db.session.execute(select(Registration.id, Organization.name).join(
        Organization, Organization.id == Registration.organization_id).where(
        Registration.competition_id == competition.id)).all())


def _codes(competition: Competition) -> dict[str, int]:
    """contestant code → registration id, for every contestant who drew a code."""
    return dict(db.session.execute(select(Registration.contestant_code, Registration.id).where(
        Registration.competition_id == competition.id, Registration.contestant_code.is_not(None))).all())


# --- one item's judging table: the Excel item sheet and the score sheet PDF ---------------------------------------

@dataclass
class ItemRow:
    code: str
    scores: list[Decimal | None]  # per judge of the panel, None: no submitted sheet
    dropped: list[Decimal]
    method: str | None
    score: Decimal | None
    weighted: Decimal | None

    @property
    def missing(self) -> int:
        return sum(1 for s in self.scores if s is None)


@dataclass
class ItemTable:
    item: CompetitionItem
    judges: list[str]
    chief: int | None  # index into judges
    rows: list[ItemRow]
    by_station: bool = False  # rows are stations (a practical item with 二次加密), not codes

    @property
    def label(self) -> str:
        return "工位号" if self.by_station else "参赛编号"

    @property
    def missing(self) -> int:
        return sum(r.missing for r in self.rows)


def item_table(competition: Competition, item: CompetitionItem) -> ItemTable:
    """Every contestant (by code; by station on a practical item with stations) with each panel judge's submitted
    sheet total, what the aggregation dropped, the item score and the weighted score — in three queries whatever
    the number of contestants."""
    panel = db.session.execute(select(User.id, User.name, JudgeAssignment.is_chief).join(
        JudgeAssignment, JudgeAssignment.user_id == User.id).where(
        JudgeAssignment.item_id == item.id).order_by(JudgeAssignment.id)).all()
    cells: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for registration_id, judge_id, total in db.session.execute(select(
            JudgingSheet.registration_id, JudgingSheet.judge_id, JudgingSheet.total).where(
            JudgingSheet.item_id == item.id, JudgingSheet.submitted_at.is_not(None))):
        cells[registration_id][judge_id] = Decimal(total)
    weight, max_points = to_fraction(item.weight), to_fraction(item.max_points)
    rows = []
    contestants = db.session.execute(select(Registration.contestant_code, Registration.station_number,
                                            Registration.id).where(
        Registration.competition_id == competition.id, Registration.contestant_code.is_not(None))).all()
    # A practical item's judges sign this sheet and know contestants by station only: list stations, never codes.
    stations = item.kind == "practical" and all(number is not None for _, number, _ in contestants)
    labels = sorted((number if stations else code, registration_id) for code, number, registration_id in contestants)
    for code, registration_id in labels:
        judged = cells.get(registration_id, {})
        scores = [judged.get(judge_id) for judge_id, _, _ in panel]
        if not judged:
            rows.append(ItemRow(code, scores, [], None, None, None))
            continue
        agg = aggregate(list(judged.values()), competition.aggregation)
        rows.append(ItemRow(code, scores, [to_decimal(v) for v in agg.dropped], agg.method, to_decimal(agg.score),
                            to_decimal(agg.score / max_points * weight) if max_points else Decimal("0.00")))
    chief = next((n for n, (_, _, is_chief) in enumerate(panel) if is_chief), None)
    return ItemTable(item, [name for _, name, _ in panel], chief, rows, bool(contestants) and stations)


# --- Excel ----------------------------------------------------------------------------------------------------------

def _sheet_title(text: str) -> str:
    """Excel refuses \\ / * ? : [ ] in sheet names, names over 31 characters and a leading or trailing quote."""
    return _SHEET_TITLE_FORBIDDEN.sub("_", text)[:31].strip("'") or "Sheet"


def _append(ws, values: list) -> None:
    append_row(ws, values)  # a name or title typed as "=…" stays text, never a formula Excel would run


def _finish(ws, widths: list[int], number_columns: range) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for row in ws.iter_rows(min_row=2, min_col=number_columns.start, max_col=number_columns.stop - 1):
        for cell in row:
            cell.number_format = "0.00"


def _num(value) -> float | None:
    return float(value) if value is not None else None


def results_workbook(competition: Competition) -> ExportFile:
    """成绩 sheet (rank, code, name and organization once revealed, each item's score and weighted score, total,
    award) and one sheet per judged item with every judge's sheet total, what was dropped and the method."""
    show = revealed(competition)
    orgs = _organizations(competition) if show else {}
    codes = _codes(competition)
    items = list(competition.items)
    book = Workbook()
    sheet = book.active
    sheet.title = "成绩"
    header = ["名次", "参赛编号", "姓名", "单位"]
    for item in items:
        header += [f"{item.name}得分", f"{item.name}折算（权重{float(item.weight):g}%）"]
    _append(sheet, header + ["总分", "奖项"])
    contestants = 0
    for row in result_rows(competition):
        contestants += 1
        line = [row["rank"], row["contestant_code"], row["name"] if show else NOT_REVEALED,
                orgs.get(codes.get(row["contestant_code"]), "") if show else ""]
        for item in items:
            detail = row["item_details"][item.position]
            line += [detail["score"], detail["weighted"]]
        _append(sheet, line + [row["total"], AWARD_LABELS.get(row["award"], "")])
    _finish(sheet, [6, 11, 12, 24] + [14] * (2 * len(items)) + [9, 9], range(5, 6 + 2 * len(items)))
    sheet.freeze_panes = "C2"
    for item in items:
        if item.exam_session_id is not None:
            continue  # scored by the online exam: no judges to show
        table = item_table(competition, item)
        ws = book.create_sheet(_sheet_title(f"{item.position + 1}-{item.name}"))
        _append(ws, [table.label] + [f"{name}（裁判长）" if n == table.chief else name for n, name in enumerate(table.judges)]
                + ["去掉的分数", "汇总方式", "项目得分", "满分", "权重%", "折算得分"])
        for r in table.rows:
            _append(ws, [r.code] + [_num(s) for s in r.scores] + [
                "、".join(f"{v:.2f}" for v in r.dropped), METHODS.get(r.method, "未评") if r.method else "未评",
                _num(r.score), float(item.max_points), float(item.weight), _num(r.weighted)])
        judges = len(table.judges)
        _finish(ws, [11] + [12] * judges + [16, 24, 10, 8, 8, 10], range(2, 2 + judges))
        for row in ws.iter_rows(min_row=2, min_col=judges + 4, max_col=judges + 7):
            for cell in row:
                cell.number_format = "0.00"
        ws.freeze_panes = "B2"
    return ExportFile(save_workbook(book), contestants)


# --- PDF ------------------------------------------------------------------------------------------------------------

def _require_published(competition: Competition) -> None:
    if competition.state not in ("published", "final"):
        raise Conflict("结果公布后才能生成获奖名单", {"competition": "结果尚未公布"}, code="wrong_state")


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _today() -> str:
    return _cn(to_local(utcnow()).date())


def _dates(competition: Competition) -> str:
    if competition.starts_on and competition.ends_on and competition.ends_on != competition.starts_on:
        return f"{_cn(competition.starts_on)}至{_cn(competition.ends_on)}"
    return _cn(competition.starts_on) if competition.starts_on else ""


def award_list_pdf(competition: Competition) -> bytes:
    """获奖名单: per award band the winners (rank, name, organization, total), for posting and filing."""
    _require_published(competition)
    orgs = _organizations(competition)
    codes = _codes(competition)
    bands: dict[str, list] = {}
    for row in result_rows(competition):
        if row["award"]:
            bands.setdefault(row["award"], []).append({
                "rank": row["rank"], "name": row["name"], "organization": orgs.get(codes[row["contestant_code"]], ""),
                "total": f"{row['total']:.2f}"})
    order = [a for a in AWARD_LABELS if a in bands]
    return render_pdf("pdf/award_list.html", {
        "title": competition.title, "tier": TIERS[competition.tier],
        "stage": STAGES[competition.stage] if competition.stage != "single" else "",
        "organizer": competition.organization.name, "venue": competition.venue or "", "dates": _dates(competition),
        "today": _today(), "final": competition.state == "final",
        "published": format_local(competition.published_at), "notice_ends": format_local(competition.notice_ends_at),
        "bands": [{"label": AWARD_LABELS[a], "winners": bands[a]} for a in order]})


def item_score_sheet_pdf(competition: Competition, item_index: int) -> bytes:
    """评分汇总表 for one judged item: every judge's total per contestant code, what was dropped, the item score,
    the weight and the weighted score — with a signature cell under each judge's column and the chief judge's."""
    item = next((i for i in competition.items if i.position == item_index), None)
    if item is None or item.exam_session_id is not None:
        raise NotFound("该项目没有裁判评分表")
    table = item_table(competition, item)

    def two(value) -> str:
        return f"{value:.2f}" if value is not None else "—"

    rows = [{"code": r.code, "scores": [two(s) for s in r.scores], "dropped": "、".join(f"{v:.2f}" for v in r.dropped),
             "score": two(r.score) if r.score is not None else "未评",
             "weighted": two(r.weighted) if r.score is not None else ""} for r in table.rows]
    return render_pdf("pdf/item_score_sheet.html", {
        "title": competition.title, "item": item.name, "max_points": f"{float(item.max_points):g}",
        "weight": f"{float(item.weight):g}", "method": METHODS[competition.aggregation],
        "judges": table.judges, "rows": rows, "chief_index": table.chief, "label": table.label,
        "chief": table.judges[table.chief] if table.chief is not None else "", "missing": table.missing,
        "today": _today(), "state": competition.state_label, "dates": _dates(competition),
        "venue": competition.venue or ""})
