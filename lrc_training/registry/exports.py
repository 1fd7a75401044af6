"""The registry's downloads.

- the registry workbook: every statistics table of a scope and the whole list of its coordinators, written with the
  streamed writer (core/xlsx_stream.py): a province's 100,000 people in about a second of writing instead of seven
  with openpyxl (bench/registry.py);
- the uncovered enterprises of a scope (streamed too);
- a report's frozen snapshot as tables — the one layout the page, the PDF (WeasyPrint, core/pdf.py) and the Excel
  workbook (core/xlsx.py, formula-safe) share."""

from __future__ import annotations

import io

from openpyxl import Workbook

from ..auth.roles import ORG_KIND_LABELS
from ..core.levels import LEVELS, level_label
from ..core.pdf import render_pdf
from ..core.regions import region_display
from ..core.timeutil import format_local
from ..core.xlsx import XLSX_MIMETYPE, append_row, save_workbook
from ..core.xlsx_stream import StreamedWorkbook
from ..extensions import db
from .models import CATEGORY_LABELS, REPORT_STATUS_LABELS, WORK_KIND_LABELS, Report
from .queries import export_rows
from .services.access import Access
from .services.coverage import uncovered_enterprises
from .services.statistics import statistics
from .services.trends import large_enterprise_gaps, monthly_trends

XLSX = XLSX_MIMETYPE
UNCOVERED_LIMIT = 200_000


def registry_workbook(access: Access) -> tuple[io.BytesIO, int]:
    """(the .xlsx file, how many people it lists)."""
    stats = statistics(access)
    book = StreamedWorkbook()
    with book.sheet("按地区", header=["地区代码", "地区", "协调员人数"], widths=[14, 28, 12]) as sheet:
        for row in stats["by_subregion"]:
            sheet.append([row["region_code"], row["name"], row["total"]])
    with book.sheet("按等级", header=["等级", "人数"], widths=[16, 10]) as sheet:
        for level in LEVELS:
            sheet.append([level_label(level), stats["by_level"][str(level)]])
    with book.sheet("按单位类型", header=["单位类型", "人数"], widths=[20, 10]) as sheet:
        for kind, count in stats["by_organization_kind"].items():
            sheet.append([ORG_KIND_LABELS.get(kind, kind), count])
    with book.sheet("月度趋势", header=["月份", "签发等级证书", "培训结业人数", "认定考生", "认定通过", "通过率(%)"],
                    widths=[10, 14, 14, 10, 10, 10]) as sheet:
        for t in monthly_trends(access):
            sheet.append([t["month"], t["certificates"], t["completions"], t["exam_candidates"], t["exam_passed"],
                          t["pass_rate"]])
    _coverage_sheet(book, access, stats["coverage"])
    people = _people_sheet(book, access)
    return book.save(), people


def _coverage_sheet(book: StreamedWorkbook, access: Access, c: dict) -> None:
    gaps = large_enterprise_gaps(access, 100_000)
    with book.sheet("企业覆盖", header=["已登记企业", "有持证协调员的企业", "由服务平台覆盖的企业", "覆盖率(%)"],
                    widths=[30, 20, 20, 12]) as sheet:
        sheet.append([c["enterprises"], c["covered_by_own"], c["covered_by_platform"],
                      round(100 * c["covered"] / c["enterprises"], 1) if c["enterprises"] else None])
        sheet.append([])
        sheet.append([f"职工 {gaps['threshold']} 人以上、协调员少于 {gaps['needed']} 名的大型企业",
                      f"{gaps['short']} / {gaps['large']} 家"])
        sheet.append(["企业", "地区", "职工人数", "协调员人数"])
        regions: dict[str, str] = {}
        for e in gaps["enterprises"]:
            if e["region_code"] not in regions:
                regions[e["region_code"]] = region_display(e["region_code"])
            sheet.append([e["name"], regions[e["region_code"]], e["employees"], e["coordinators"]])


def _people_sheet(book: StreamedWorkbook, access: Access) -> int:
    regions: dict[str, str] = {}
    people = 0
    with book.sheet("人员名单", header=["姓名", "单位", "单位类型", "地区", "最高等级", "证书编号", "荣誉"],
                    widths=[10, 30, 12, 24, 14, 50, 30]) as sheet:
        for name, org_name, kind, region, level, numbers, honors in export_rows(access):
            people += 1
            if region not in regions:
                regions[region] = region_display(region) if region else ""
            sheet.append([name, org_name or "（无单位）", ORG_KIND_LABELS.get(kind), regions[region],
                          str(level) if level is not None else None, numbers, honors])
    return people


def uncovered_workbook(access: Access, min_employees: int | None) -> tuple[io.BytesIO, int]:
    """(the uncovered enterprises, largest first, up to UNCOVERED_LIMIT; how many rows it has)."""
    book = StreamedWorkbook()
    rows = 0
    with book.sheet("未覆盖企业", header=["企业", "地区", "职工人数"], widths=[36, 30, 10]) as sheet:
        regions: dict[str, str] = {}
        for org in db.session.execute(uncovered_enterprises(access, min_employees).limit(UNCOVERED_LIMIT)).scalars():
            if org.region_code not in regions:
                regions[org.region_code] = region_display(org.region_code)
            sheet.append([org.name, regions[org.region_code], org.employees])
            rows += 1
    return book.save(), rows


# -- a report's snapshot ---------------------------------------------------------------------------------------

CHILD_COLUMNS = ("地区", "状态", "协调员", "已登记企业", "已覆盖企业", "工作记录", "新增风险隐患", "其中重大", "已处置")
FIGURE_KEYS = ("total", "enterprises", "covered", "work_records", "risk_opened", "risk_high", "risk_closed")


def _share(covered: int, enterprises: int) -> str:
    return f"{covered * 100 / enterprises:.1f}%" if enterprises else "—"


def snapshot_tables(snapshot: dict) -> list[dict]:
    """[{title, columns, rows}] of the region's own figures, each row a list of plain values."""
    c = snapshot["coverage"]
    risks = snapshot["risk_reports"]
    categories = snapshot["by_category"]
    return [
        {"title": "协调员按等级", "columns": ["等级", "人数"],
         "rows": [[level_label(k), snapshot["by_level"][k]] for k in ("4", "3", "2", "1")]
         + [["合计（含无等级记录）", snapshot["total"]]]},
        {"title": "协调员按人员类别", "columns": ["类别", "人数"],
         "rows": [[label, categories[k]] for k, label in CATEGORY_LABELS.items()]
         + [["专职", categories["full_time"]], ["兼职", categories["part_time"]]]},
        {"title": "协调员按单位类型", "columns": ["单位类型", "人数"],
         "rows": [["无所在单位" if k == "none" else ORG_KIND_LABELS.get(k, k), v]
                  for k, v in sorted(snapshot["by_organization_kind"].items())] or [["（无）", 0]]},
        {"title": "企业覆盖", "columns": ["项目", "数量"],
         "rows": [["已登记企业", c["enterprises"]], ["有本企业持证协调员", c["covered_by_own"]],
                  ["由园区/街道/社区平台覆盖", c["covered_by_platform"]], ["已覆盖合计", c["covered"]],
                  ["覆盖率", _share(c["covered"], c["enterprises"])]]},
        {"title": "报告期内工作情况", "columns": ["工作类型", "件数"],
         "rows": [[WORK_KIND_LABELS[k], v] for k, v in snapshot["work_records"].items()]},
        {"title": "报告期内劳动关系风险隐患", "columns": ["项目", "件数"],
         "rows": [["新报告", risks["opened"]], ["其中重大", risks["high"]], ["已处置", risks["closed"]],
                  ["生成报表时仍待处理", risks["open_now"]]]},
    ]


def children_table(snapshot: dict) -> dict | None:
    """The roll-up of the child regions: their status, and the figures of the approved ones with a sum row."""
    rows = snapshot.get("children") or []
    if not rows:
        return None
    body = []
    for row in rows:
        figures = row["figures"]
        body.append([row["name"], REPORT_STATUS_LABELS.get(row["status"], "未报"),
                     *([figures[k] for k in FIGURE_KEYS] if figures else ["—"] * len(FIGURE_KEYS))])
    sums = snapshot["children_approved"]
    body.append([f"已审核通过的 {sums['count']}/{sums['of']} 个地区合计", "",
                 *[sums[k] for k in FIGURE_KEYS]])
    return {"title": "下级地区报表汇总（仅汇总已审核通过的报表）", "columns": list(CHILD_COLUMNS), "rows": body}


def report_context(report: Report) -> dict:
    snapshot = report.snapshot
    return {"title": f"{snapshot['region_name']}{snapshot['period_label']}劳动关系协调员队伍建设情况报表",
            "region": snapshot["region_name"], "period_label": snapshot["period_label"],
            "period_range": f"{snapshot['period_start']} 至 {snapshot['period_end']}",
            "status": REPORT_STATUS_LABELS[report.status], "snapshot_at": format_local(report.snapshot_at),
            "submitted_at": format_local(report.submitted_at), "tables": snapshot_tables(snapshot),
            "children": children_table(snapshot)}


def report_pdf(report: Report) -> io.BytesIO:
    return io.BytesIO(render_pdf("pdf/registry_report.html", report_context(report)))


def report_workbook(report: Report) -> io.BytesIO:
    context = report_context(report)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报表")
    append_row(ws, [context["title"]])
    append_row(ws, [f"报告期：{context['period_label']}（{context['period_range']}）", f"状态：{context['status']}",
                    f"数据截至：{context['snapshot_at']}"])
    for table in context["tables"]:
        append_row(ws, [])
        append_row(ws, [table["title"]])
        append_row(ws, table["columns"])
        for row in table["rows"]:
            append_row(ws, row)
    if context["children"]:
        sheet = wb.create_sheet("下级地区")
        append_row(sheet, [context["children"]["title"]])
        append_row(sheet, context["children"]["columns"])
        for row in context["children"]["rows"]:
            append_row(sheet, row)
    return save_workbook(wb)


def download_name(report: Report, extension: str) -> str:
    return f"报表-{report.snapshot['region_name']}-{report.period}.{extension}"
