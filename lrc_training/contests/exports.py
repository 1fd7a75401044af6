"""Competition documents: the results workbook (Excel), the award list (获奖名单) and per-item score sheets
(评分汇总表) as PDF through the shared PDF helper. Everything is built from the same standings the results page
shows, so a document never disagrees with the page."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from ..auth.models import Organization, User
from ..core.errors import Conflict, NotFound
from ..core.pdf import render_pdf
from ..core.timeutil import to_local
from ..db import utcnow
from ..extensions import db
from .models import AWARD_LABELS, TIERS, Competition, CompetitionItem, JudgeAssignment, JudgingSheet, Registration
from .ranking import aggregate, to_decimal, to_fraction
from .results import all_sheets_submitted, result_rows

METHODS = {"auto": "5 人及以上去掉最高、最低分后平均，否则平均", "mean": "平均", "trimmed": "去掉最高、最低分后平均",
           "median": "中位数", "exam": "在线考试理论成绩"}


def revealed(competition: Competition) -> bool:
    return competition.state in ("published", "final") or all_sheets_submitted(competition)


def _organizations(competition: Competition) -> dict[int, str]:
    """registration id → the contestant's organization name at registration."""
    return dict(db.session.execute(select(Registration.id, Organization.name).join(
        Organization, Organization.id == Registration.organization_id).where(
        Registration.competition_id == competition.id)).all())


def _panel(item: CompetitionItem) -> list[tuple[int, str]]:
    """(judge id, name) of an item's panel, in the order they were assigned."""
    return list(db.session.execute(select(User.id, User.name).join(
        JudgeAssignment, JudgeAssignment.user_id == User.id).where(
        JudgeAssignment.item_id == item.id).order_by(JudgeAssignment.id)).all())


def _item_cells(item: CompetitionItem) -> dict[int, dict[int, object]]:
    """registration id → {judge id: submitted sheet total}."""
    cells: dict[int, dict[int, object]] = defaultdict(dict)
    for registration_id, judge_id, total in db.session.execute(select(
            JudgingSheet.registration_id, JudgingSheet.judge_id, JudgingSheet.total).where(
            JudgingSheet.item_id == item.id, JudgingSheet.submitted_at.is_not(None))):
        cells[registration_id][judge_id] = total
    return cells


def results_workbook(competition: Competition) -> io.BytesIO:
    """成绩 sheet (rank, code, name and organization once revealed, each item's score and weighted score, total,
    award) and one sheet per judged item with every judge's sheet total, what was dropped and the method."""
    show = revealed(competition)
    rows = result_rows(competition)
    orgs = _organizations(competition)
    codes = dict(db.session.execute(select(Registration.contestant_code, Registration.id).where(
        Registration.competition_id == competition.id, Registration.contestant_code.is_not(None))).all())
    book = Workbook()
    sheet = book.active
    sheet.title = "成绩"
    header = ["名次", "参赛编号", "姓名", "单位"]
    for item in competition.items:
        header += [f"{item.name}得分", f"{item.name}折算（权重{float(item.weight):g}%）"]
    sheet.append(header + ["总分", "奖项"])
    for row in rows:
        line = [row["rank"], row["contestant_code"], row["name"] if show else "（未揭晓）",
                orgs.get(codes.get(row["contestant_code"]), "") if show else ""]
        for item in competition.items:
            detail = row["item_details"][item.position]
            line += [detail["score"], detail["weighted"]]
        sheet.append(line + [row["total"], AWARD_LABELS.get(row["award"], "")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    for item in competition.items:
        if item.exam_session_id is not None:
            continue
        panel = _panel(item)
        cells = _item_cells(item)
        ws = book.create_sheet(f"{item.position + 1}-{item.name}"[:31])
        ws.append(["参赛编号"] + [name for _, name in panel] + ["去掉的分数", "汇总方式", "项目得分", "满分"])
        for code, registration_id in sorted(codes.items()):
            judged = cells.get(registration_id, {})
            if not judged:
                continue
            agg = aggregate(list(judged.values()), competition.aggregation)
            ws.append([code] + [float(judged[j]) if j in judged else None for j, _ in panel] + [
                "、".join(f"{float(to_decimal(v)):g}" for v in agg.dropped), METHODS.get(agg.method, agg.method),
                float(to_decimal(agg.score)), float(item.max_points)])
        for cell in ws[1]:
            cell.font = Font(bold=True)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def _require_published(competition: Competition) -> None:
    if competition.state not in ("published", "final"):
        raise Conflict("结果公布后才能生成获奖名单", {"competition": "结果尚未公布"}, code="wrong_state")


def _today() -> str:
    today = to_local(utcnow()).date()
    return f"{today.year}年{today.month}月{today.day}日"


def _dates(competition: Competition) -> str:
    def cn(d: date) -> str:
        return f"{d.year}年{d.month}月{d.day}日"
    if competition.starts_on and competition.ends_on and competition.ends_on != competition.starts_on:
        return f"{cn(competition.starts_on)}至{cn(competition.ends_on)}"
    return cn(competition.starts_on) if competition.starts_on else ""


def award_list_pdf(competition: Competition) -> bytes:
    """获奖名单: per award band the winners (rank, name, organization, total), for posting and filing."""
    _require_published(competition)
    orgs = _organizations(competition)
    codes = dict(db.session.execute(select(Registration.contestant_code, Registration.id).where(
        Registration.competition_id == competition.id, Registration.contestant_code.is_not(None))).all())
    bands: dict[str, list] = {}
    for row in result_rows(competition):
        if row["award"]:
            bands.setdefault(row["award"], []).append({
                "rank": row["rank"], "name": row["name"], "organization": orgs.get(codes[row["contestant_code"]], ""),
                "total": f"{row['total']:.2f}"})
    order = [a for a in AWARD_LABELS if a in bands]
    return render_pdf("pdf/award_list.html", {
        "title": competition.title, "tier": TIERS[competition.tier], "organizer": competition.organization.name,
        "venue": competition.venue or "", "dates": _dates(competition), "today": _today(),
        "final": competition.state == "final",
        "bands": [{"label": AWARD_LABELS[a], "winners": bands[a]} for a in order]})


def item_score_sheet_pdf(competition: Competition, item_index: int) -> bytes:
    """评分汇总表 for one judged item: every judge's total per contestant code, what was dropped, the item score,
    the weight and the weighted score — with signature lines for the judges and the chief judge."""
    item = next((i for i in competition.items if i.position == item_index), None)
    if item is None or item.exam_session_id is not None:
        raise NotFound("该项目没有裁判评分表")
    panel = _panel(item)
    cells = _item_cells(item)
    codes = sorted(db.session.execute(select(Registration.contestant_code, Registration.id).where(
        Registration.competition_id == competition.id, Registration.contestant_code.is_not(None))).all())
    weight = to_fraction(item.weight)
    rows = []
    for code, registration_id in codes:
        judged = cells.get(registration_id, {})
        if not judged:
            rows.append({"code": code, "scores": ["" for _ in panel], "dropped": "", "score": "未评", "weighted": ""})
            continue
        agg = aggregate(list(judged.values()), competition.aggregation)
        rows.append({"code": code, "scores": [f"{judged[j]:.2f}" if j in judged else "—" for j, _ in panel],
                     "dropped": "、".join(f"{to_decimal(v):.2f}" for v in agg.dropped),
                     "score": f"{to_decimal(agg.score):.2f}",
                     "weighted": f"{to_decimal(agg.score / to_fraction(item.max_points) * weight):.2f}"})
    chief = db.session.execute(select(User.name).join(JudgeAssignment, JudgeAssignment.user_id == User.id).where(
        JudgeAssignment.item_id == item.id, JudgeAssignment.is_chief.is_(True))).scalar()
    return render_pdf("pdf/item_score_sheet.html", {
        "title": competition.title, "item": item.name, "max_points": f"{float(item.max_points):g}",
        "weight": f"{float(item.weight):g}", "method": METHODS[competition.aggregation],
        "judges": [name for _, name in panel], "rows": rows, "chief": chief or "", "today": _today(),
        "state": competition.state_label})
