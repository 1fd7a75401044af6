"""Excel helpers shared by every import and template: one look for templates, one way to read rows."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


class SheetError(ValueError):
    """The file as a whole cannot be imported (not an .xlsx, or not our template's header)."""


def cell_text(value) -> str:
    """A cell as trimmed text; whole numbers typed into Excel come back without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value, label: str) -> date | None:
    """A date cell: an Excel date, or text YYYY-MM-DD; empty is None. ValueError names the column on bad input."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(cell_text(value))
    except ValueError:
        raise ValueError(f"{label}格式应为 YYYY-MM-DD") from None


def template_workbook(title: str, columns: Sequence[str], examples: Sequence[Sequence], widths: Sequence[int],
                      notes: Sequence[str]) -> io.BytesIO:
    """A download template: a bold header row, example rows, column widths and a 填写说明 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in examples:
        ws.append(list(row))
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    sheet = wb.create_sheet("填写说明")
    for line in notes:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 90
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def read_rows(stream, columns: Sequence[str], max_rows: int = 5000) -> Iterator[tuple[int, dict]]:
    """(Excel row number, {column: raw value}) for each non-empty row under the template's header.

    Raises SheetError for a file that is not a readable .xlsx or whose header differs from `columns`.
    """
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SheetError("无法读取文件：请上传由模板填写的 .xlsx 文件") from None
    ws = wb.worksheets[0]
    if ws.max_row and ws.max_row - 1 > max_rows:
        raise SheetError(f"超过单次导入上限 {max_rows} 行，请分批导入")
    rows = ws.iter_rows(values_only=True)
    header = [cell_text(v) for v in next(rows, [])]
    if header[: len(columns)] != list(columns):
        raise SheetError("表头与模板不一致，请下载最新模板后填写（应为：" + "、".join(columns) + "）")
    for number, raw in enumerate(rows, start=2):
        values = dict(zip(columns, raw or (), strict=False))
        if any(cell_text(v) for v in values.values()):
            yield number, values
