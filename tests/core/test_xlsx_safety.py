"""Excel imports refuse zip bombs and odd archives before openpyxl parses anything, and cap rows while reading
(whatever the sheet claims); every import form shows the refusal in Chinese and keeps nothing."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lrc_training.auth.models import User
from lrc_training.auth.services.importing import COLUMNS as USER_COLUMNS
from lrc_training.core import xlsx
from lrc_training.core.xlsx import SheetError, read_rows
from lrc_training.exams.models import PartScore
from lrc_training.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import make_org, make_user

MB = 1024 * 1024


def _workbook_bytes(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None,
             stream: dict[str, int] | None = None) -> bytes:
    """Copy an .xlsx, replacing or adding parts; `stream` adds parts of N bytes of 'A' written in chunks
    (a sharedStrings bomb: tiny once deflated, huge unpacked) without holding them in memory."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if replace and info.filename in replace:
                target.writestr(info.filename, replace[info.filename])
            elif not (stream and info.filename in stream):
                target.writestr(info, source.read(info.filename))
        for name, body in (extra or {}).items():
            target.writestr(name, body)
        for name, size in (stream or {}).items():
            with target.open(name, "w", force_zip64=True) as handle:
                handle.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
                chunk = b"A" * MB
                for _ in range(size // MB):
                    handle.write(chunk)
                handle.write(b"</t></si></sst>")
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A real user-import workbook whose shared strings inflate to 200 MB."""
    data = _workbook_bytes([USER_COLUMNS, ["张三", "zhangsan"]])
    return _rewrite(data, stream={"xl/sharedStrings.xml": 200 * MB})


def test_the_bomb_is_small_on_disk_and_huge_unpacked(bomb):
    infos = zipfile.ZipFile(io.BytesIO(bomb)).infolist()
    assert len(bomb) < 500 * 1024
    assert sum(i.file_size for i in infos) > 200 * MB


def test_bomb_is_refused_from_the_zip_directory_without_parsing(bomb, monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("openpyxl must not see the file")

    monkeypatch.setattr(xlsx, "load_workbook", parse)
    tracemalloc.start()
    try:
        with pytest.raises(SheetError, match="解压后过大"):
            list(read_rows(io.BytesIO(bomb), USER_COLUMNS))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * MB  # nothing was inflated


def test_limits_come_from_settings(app):
    data = _rewrite(_workbook_bytes([["a"]]), stream={"xl/sharedStrings.xml": 3 * MB})
    try:
        app.config.update(LRC_XLSX_MAX_PART=2 * MB)
        with pytest.raises(SheetError, match="单个部件上限 2 MB"):
            xlsx.check_archive(io.BytesIO(data))
        app.config.update(LRC_XLSX_MAX_PART=30 * MB, LRC_XLSX_MAX_UNCOMPRESSED=2 * MB)
        with pytest.raises(SheetError, match="合计上限 2 MB"):
            xlsx.check_archive(io.BytesIO(data))
    finally:
        app.config.update(LRC_XLSX_MAX_PART=30 * MB, LRC_XLSX_MAX_UNCOMPRESSED=50 * MB)


def test_a_part_compressed_far_beyond_a_real_sheet_is_refused():
    data = _rewrite(_workbook_bytes([USER_COLUMNS]), stream={"xl/sharedStrings.xml": 5 * MB})
    with pytest.raises(SheetError, match="压缩比异常"):
        list(read_rows(io.BytesIO(data), USER_COLUMNS))


@pytest.mark.parametrize("name", ["../../evil.xml", "/etc/cron.d/x", "xl\\..\\evil.xml", "xl/./a.xml",
                                  "xl/工作表.xml", "xl/a\x01.xml"])
def test_odd_part_names_are_refused(name):
    data = _rewrite(_workbook_bytes([USER_COLUMNS]), extra={name: b"<x/>"})
    with pytest.raises(SheetError, match="部件名称"):
        list(read_rows(io.BytesIO(data), USER_COLUMNS))


def test_a_sheet_that_lies_about_its_size_is_still_capped():
    data = _workbook_bytes([["表头"], *[[f"第{i}行"] for i in range(30)]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:A31"' in sheet
    lying = _rewrite(data, replace={"xl/worksheets/sheet1.xml": sheet.replace(b'ref="A1:A31"', b'ref="A1"')})
    with pytest.raises(SheetError, match="超过单次导入上限 10 行"):
        list(read_rows(io.BytesIO(lying), ["表头"], max_rows=10))
    assert len(list(read_rows(io.BytesIO(lying), ["表头"], max_rows=30))) == 30


def test_not_an_xlsx_is_a_clear_error():
    for junk in (b"PK\x03\x04 broken", b"%PDF-1.7", _rewrite(_workbook_bytes([["a"]]),
                                                            replace={"xl/workbook.xml": b"<not xml"})):
        with pytest.raises(SheetError, match="无法读取文件"):
            list(read_rows(io.BytesIO(junk), ["a"]))


def test_user_import_form_refuses_the_bomb_in_chinese(client, bomb):
    org = make_org("聊城市人社局", kind="platform", region_code="371500")
    make_user("admin", username="boss", org=org)
    login(client, "boss")
    before = db.session.execute(select(func.count()).select_from(User)).scalar_one()
    response = client.post("/admin/users/import", data={
        "csrf_token": csrf_token(client, "/admin/users/import"), "file": (io.BytesIO(bomb), "u.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "文件解压后过大" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == before


def test_examiner_score_import_is_guarded_and_row_capped(client, monkeypatch, bomb):
    from lrc_training.exams.services import part_scores
    from tests.exams.test_staff_pages import _essay_world

    org, staff, session, application, examiners = _essay_world()
    login(client, examiners[1].username)
    url = f"/exams/sessions/{session.id}/scores"

    def upload(data):
        return client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "import-file": (io.BytesIO(data), "s.xlsx")},
                           content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)

    assert "文件解压后过大" in upload(bomb)
    monkeypatch.setattr(part_scores, "MAX_SCORE_ROWS", 3)
    rows = [["考生编号", "操作技能考核"], *[[application.anonymous_code, 80]] * 4]
    assert "超过单次导入上限 3 行" in upload(_workbook_bytes(rows))
    assert db.session.execute(select(func.count()).select_from(PartScore)).scalar_one() == 0
    assert "导入 1 项成绩" in upload(_workbook_bytes(rows[:2]))
