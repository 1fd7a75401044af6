"""The registry's Excel export: every statistics table of a scope and the whole list of its coordinators.

Written with the streamed writer (core/xlsx_stream.py): a province's 100,000 people in about a second of writing
instead of seven with openpyxl (bench/registry.py)."""

from __future__ import annotations

import io

from ..auth.roles import ORG_KIND_LABELS
from ..core.levels import LEVELS, level_label
from ..core.regions import region_display
from ..core.xlsx_stream import StreamedWorkbook
from .services import Access, export_rows, statistics
from .trends import large_enterprise_gaps, monthly_trends


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
