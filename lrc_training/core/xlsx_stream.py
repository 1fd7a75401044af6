"""A streamed .xlsx writer for the big exports (a province's 100,000 coordinators).

openpyxl (with or without lxml), XlsxWriter and PyExcelerate all spend 4–8 s of CPU on a 100,000 × 12 sheet here
(bench/README.md, registry.py); writing the sheet XML straight into the zip takes under a second. This module
writes only what an export needs — text, numbers, booleans, a bold header row, column widths, a frozen header —
and nothing it writes can become a formula: text cells are inline strings, which spreadsheets never evaluate.
Small workbooks, templates and everything that is read back keep using openpyxl (core/xlsx.py).

    book = StreamedWorkbook()
    with book.sheet("人员名单", header=["姓名", "单位"], widths=[12, 30]) as sheet:
        for person in people:
            sheet.append([person.name, person.organization])
    buffer = book.save()   # io.BytesIO at position 0
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

MAX_ROWS = 1_048_576  # Excel's limit per sheet
MAX_CELL_TEXT = 32_767
# Characters XML 1.0 cannot carry (a stray control character typed into a name would corrupt the whole file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CHUNK_ROWS = 500
# Style 0: the default; style 1: the header (bold on the light blue fill core/xlsx.py uses).
_STYLES = (
    _XML_HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(1, 257)]


def _text_cell(ref: str, text: str, style: str) -> str:
    if not text.isprintable():  # nearly every text is: skip the scan for control characters
        text = _NOT_XML.sub("", text)
    text = text[:MAX_CELL_TEXT]
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _cell(ref: str, value, style: str = "") -> str:
    if type(value) is str:  # the common case first
        return _text_cell(ref, value, style) if value else ""
    if value is None or value == "":
        return ""
    if value is True or value is False:
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            return _text_cell(ref, str(value), style)
        return f'<c r="{ref}"{style}><v>{value}</v></c>'
    if isinstance(value, datetime):
        return _text_cell(ref, value.strftime("%Y-%m-%d %H:%M"), style)
    if isinstance(value, date):
        return _text_cell(ref, value.isoformat(), style)
    return _text_cell(ref, str(value), style)


class StreamedSheet:
    """One worksheet being written; rows go to the zip entry in chunks."""

    def __init__(self, stream, header: Sequence | None):
        self._stream = stream
        self._buffer: list[str] = []
        self.rows = 0
        if header:
            self._row(header, ' s="1"')

    def append(self, values: Iterable) -> None:
        self._row(values, "")

    def _row(self, values: Iterable, style: str) -> None:
        if self.rows >= MAX_ROWS:
            raise ValueError(f"一个工作表最多 {MAX_ROWS} 行")
        self.rows += 1
        number = self.rows
        cells = "".join(_cell(f"{_LETTERS[i] if i < 256 else column_letter(i + 1)}{number}", value, style)
                        for i, value in enumerate(values))
        self._buffer.append(f'<row r="{number}">{cells}</row>')
        if len(self._buffer) >= _CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self._stream.write("".join(self._buffer).encode())
            self._buffer.clear()


class _SheetContext:
    def __init__(self, book: StreamedWorkbook, title: str, header, widths):
        self.book, self.title, self.header, self.widths = book, title, header, widths

    def __enter__(self) -> StreamedSheet:
        number = len(self.book.titles) + 1
        self.book.titles.append(self.title)
        self._stream = self.book.zip.open(f"xl/worksheets/sheet{number}.xml", "w")
        head = [_XML_HEAD, f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">']
        if self.header:
            head.append('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>')
        if self.widths:
            head.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                                           for i, w in enumerate(self.widths, start=1)) + "</cols>")
        head.append("<sheetData>")
        self._stream.write("".join(head).encode())
        self.sheet = StreamedSheet(self._stream, self.header)
        return self.sheet

    def __exit__(self, *exc) -> None:
        self.sheet.flush()
        self._stream.write(b"</sheetData></worksheet>")
        self._stream.close()


class StreamedWorkbook:
    """Sheets are written one after another (one `with book.sheet(...)` block each), then `save()`."""

    def __init__(self):
        self._buffer = io.BytesIO()
        # Level 1: the sheet XML is repetitive, so the fastest level still compresses it about ten times.
        self.zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.titles: list[str] = []

    def sheet(self, title: str, header: Sequence | None = None, widths: Sequence[int] | None = None) -> _SheetContext:
        clean = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or f"Sheet{len(self.titles) + 1}"
        if clean in self.titles:
            raise ValueError(f"工作表名称重复：{clean}")
        return _SheetContext(self, clean, header, widths)

    def save(self) -> io.BytesIO:
        if not self.titles:
            with self.sheet("Sheet1"):
                pass
        count = len(self.titles)
        sheets = "".join(f'<sheet name="{escape(t, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, t in enumerate(self.titles, start=1))
        self.zip.writestr("xl/workbook.xml", f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
                                             f"<sheets>{sheets}</sheets></workbook>")
        relations = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1))
        self.zip.writestr("xl/_rels/workbook.xml.rels", f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}">'
                                                        f'{relations}<Relationship Id="rId{count + 1}" '
                                                        f'Type="{_REL_NS}/styles" Target="styles.xml"/>'
                                                        "</Relationships>")
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.writestr("_rels/.rels", f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
                                         f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1))
        self.zip.writestr("[Content_Types].xml", (
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"))
        self.zip.close()
        self._buffer.seek(0)
        return self._buffer
