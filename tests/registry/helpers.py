"""Registry test helpers."""

from __future__ import annotations

import io

from openpyxl import Workbook

from lrc_training.registry.services.importing import COLUMNS


def import_sheet(rows) -> io.BytesIO:
    """An .xlsx registry import: the template's header row, then `rows`."""
    book = Workbook()
    book.active.append(COLUMNS)
    for row in rows:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream
