"""The streamed writer of big exports: what a spreadsheet program reads back is what was written, text never turns
into a formula, and characters XML cannot hold do not corrupt the file."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lrc_training.core.xlsx_stream import StreamedWorkbook, column_letter


def build(rows, header=("姓名", "人数"), widths=(12, 8)):
    book = StreamedWorkbook()
    with book.sheet("人员名单", header=list(header), widths=list(widths)) as sheet:
        for row in rows:
            sheet.append(row)
    with book.sheet("说明") as notes:
        notes.append(["第二个工作表"])
    return book.save()


def test_values_read_back_with_their_types_and_the_header_is_bold():
    buffer = build([["张三", 3], ["李四", 2.5], [True, Decimal("85.33")], [date(2026, 1, 2), datetime(2026, 1, 2, 9, 5)],
                    [None, ""], ["  前后空格  ", 0]])
    wb = load_workbook(buffer)
    assert wb.sheetnames == ["人员名单", "说明"]
    ws = wb["人员名单"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["姓名", "人数"], ["张三", 3], ["李四", 2.5], [True, 85.33], ["2026-01-02", "2026-01-02 09:05"],
        [None, None], ["  前后空格  ", 0]]
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws.freeze_panes == "A2" and ws.column_dimensions["A"].width == 12
    assert wb["说明"]["A1"].value == "第二个工作表"


def test_formula_like_text_stays_text():
    wb = load_workbook(build([["=HYPERLINK(\"http://evil\",\"点我\")", "+1"], ["@SUM(A1)", "-2"]]))
    ws = wb.active
    for ref in ("A2", "B2", "A3", "B3"):
        assert ws[ref].data_type != "f"
    assert ws["A2"].value == '=HYPERLINK("http://evil","点我")' and ws["B3"].value == "-2"
    assert b"<f>" not in zipfile.ZipFile(build([["=1+1"]])).read("xl/worksheets/sheet1.xml")


def test_characters_xml_cannot_hold_are_dropped_and_markup_is_escaped():
    wb = load_workbook(build([["张\x00三\x1f", "<b>&amp;</b>"]]))
    assert wb.active["A2"].value == "张三" and wb.active["B2"].value == "<b>&amp;</b>"


def test_many_rows_and_columns():
    rows = [[f"人{i}", *range(30)] for i in range(3000)]
    ws = load_workbook(build(rows, header=["姓名", *(f"列{i}" for i in range(30))], widths=()), read_only=True).active
    values = list(ws.iter_rows(values_only=True))
    assert len(values) == 3001 and values[-1][0] == "人2999" and values[-1][30] == 29
    assert column_letter(1) == "A" and column_letter(27) == "AA" and column_letter(703) == "AAA"


def test_sheet_titles_are_made_valid_and_unique():
    book = StreamedWorkbook()
    with book.sheet("a/b:c*?[d]"):
        pass
    with pytest.raises(ValueError):
        book.sheet("a/b:c*?[d]")
    assert load_workbook(book.save()).sheetnames == ["abcd"]
