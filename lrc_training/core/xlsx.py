"""Excel helpers shared by every import, export and template.

Reading: `read_rows` / `iter_sheet_rows` inspect the zip directory before openpyxl parses anything and refuse a
file whose parts would unpack too large (a 200 KB "zip bomb" that inflates to hundreds of MB), too compressed,
or named oddly; rows are capped while reading, whatever the sheet claims its size is.

Writing: `append_row` writes text that a spreadsheet could take for a formula (= + - @ tab CR) as an explicit
text cell, so a question stem, course title or name typed as "=HYPERLINK(...)" never becomes a live formula;
numbers stay numbers.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from flask import current_app, has_app_context
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LIMIT_DEFAULTS = {"LRC_XLSX_MAX_UNCOMPRESSED": 50 * 1024 * 1024, "LRC_XLSX_MAX_PART": 30 * 1024 * 1024,
                   "LRC_XLSX_MAX_RATIO": 100}
MAX_PARTS = 1000
RATIO_CHECK_FROM = 1024 * 1024  # small parts (styles, a short sheet) may compress very well; big ones may not
# Part names of an .xlsx are plain ASCII paths ([Content_Types].xml, xl/worksheets/sheet1.xml ...).
_PART_NAME = re.compile(r"^[A-Za-z0-9_\-.\[\]%/]{1,200}$")


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


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def append_row(ws, values: Iterable) -> None:
    """Append one row to a sheet (normal or write-only); formula-like text is written as an explicit text cell."""
    values = list(values)
    if isinstance(ws, WriteOnlyWorksheet):
        row = []
        for value in values:
            if is_formula_like(value):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                value = cell
            row.append(value)
        ws.append(row)
        return
    ws.append(values)
    for cell, value in zip(ws[ws.max_row], values, strict=False):
        if is_formula_like(value):
            cell.data_type = "s"  # openpyxl would store "=…" as a formula


def save_workbook(wb: Workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def template_workbook(title: str, columns: Sequence[str], examples: Sequence[Sequence], widths: Sequence[int],
                      notes: Sequence[str]) -> io.BytesIO:
    """A download template: a bold header row, example rows, column widths and a 填写说明 sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    append_row(ws, columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in examples:
        append_row(ws, row)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    sheet = wb.create_sheet("填写说明")
    for line in notes:
        append_row(sheet, [line])
    sheet.column_dimensions["A"].width = 90
    return save_workbook(wb)


def _limit(name: str) -> int:
    if has_app_context():
        return int(current_app.config.get(name) or _LIMIT_DEFAULTS[name])
    return _LIMIT_DEFAULTS[name]


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def check_archive(stream) -> None:
    """Refuse, from the zip directory alone, an upload that is not a plain .xlsx or would unpack too large.

    The sizes checked are the ones Python's zipfile enforces while inflating (it never returns more than an
    entry's declared size), so a part cannot lie its way past them. Raises SheetError; leaves the stream at 0.
    """
    max_total, max_part = _limit("LRC_XLSX_MAX_UNCOMPRESSED"), _limit("LRC_XLSX_MAX_PART")
    max_ratio = _limit("LRC_XLSX_MAX_RATIO")
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise SheetError("无法读取文件：请上传由模板填写的 .xlsx 文件") from None
    if len(infos) > MAX_PARTS:
        raise SheetError(f"文件结构异常（包含 {len(infos)} 个部件），不是正常的 Excel 文件")
    names: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        parts = name.split("/")
        if (not _PART_NAME.match(name) or name.startswith("/") or ".." in parts or "." in parts
                or name in names):
            raise SheetError("文件结构异常（包含不合规的部件名称），不是正常的 Excel 文件；"
                             "请用 Excel 或 WPS 另存为 .xlsx 后再导入")
        names.add(name)
        if info.flag_bits & 0x1:
            raise SheetError("文件已加密，请取消密码保护后再导入")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SheetError("文件使用了不支持的压缩方式，请用 Excel 或 WPS 另存为 .xlsx 后再导入")
        total += info.file_size
        if info.file_size > max_part or total > max_total:
            raise SheetError(f"文件解压后过大（单个部件上限 {_megabytes(max_part)}，合计上限 {_megabytes(max_total)}），"
                             "可能是异常文件；请只保留需要导入的数据，或分批导入")
        if info.file_size > RATIO_CHECK_FROM and info.file_size > max_ratio * max(info.compress_size, 1):
            raise SheetError(f"文件压缩比异常（超过 {max_ratio} 倍），可能是恶意构造的文件，已拒绝导入")
    stream.seek(0)


def iter_sheet_rows(stream, max_rows: int) -> Iterator[tuple]:
    """Raw value tuples of the first sheet, header row included, after check_archive; at most max_rows data rows.

    Raises SheetError (while iterating, too) for an unreadable file or one with more rows than allowed.
    """
    check_archive(stream)
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parser failure on an uploaded file is the user's file, not a 500
        raise SheetError("无法读取文件：请上传由模板填写的 .xlsx 文件") from None
    try:
        if not wb.worksheets:
            raise SheetError("文件中没有工作表")
        ws = wb.worksheets[0]
        too_many = f"超过单次导入上限 {max_rows} 行，请分批导入"
        if ws.max_row and ws.max_row - 1 > max_rows:
            raise SheetError(too_many)
        # The declared size may lie either way: read every row there is (none silently dropped) and count them.
        ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        count = 0
        while True:
            try:
                raw = next(rows)
            except StopIteration:
                return
            except Exception:  # noqa: BLE001 - malformed sheet XML
                raise SheetError("无法读取文件：工作表内容损坏，请用 Excel 或 WPS 另存为 .xlsx 后再导入") from None
            count += 1
            if count - 1 > max_rows:  # the sheet's declared size may lie: count what is actually there
                raise SheetError(too_many)
            yield raw
    finally:
        wb.close()


def read_rows(stream, columns: Sequence[str], max_rows: int = 5000) -> Iterator[tuple[int, dict]]:
    """(Excel row number, {column: raw value}) for each non-empty row under the template's header.

    Raises SheetError for a file that is not a safe, readable .xlsx, has too many rows, or whose header differs
    from `columns`.
    """
    rows = iter_sheet_rows(stream, max_rows)
    header = [cell_text(v) for v in next(rows, None) or []]
    if header[: len(columns)] != list(columns):
        raise SheetError("表头与模板不一致，请下载最新模板后填写（应为：" + "、".join(columns) + "）")
    for number, raw in enumerate(rows, start=2):
        values = dict(zip(columns, raw or (), strict=False))
        if any(cell_text(v) for v in values.values()):
            yield number, values
