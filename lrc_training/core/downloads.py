"""Downloads of personal data (rosters, the registry, results, certificate archives): one way to send them.

`private_download` sends the file with `Cache-Control: no-store` (no browser or proxy keeps a copy) and a safe
file name; `audit_export` writes who exported what scope and how many rows to the audit log. The view commits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask import Response, send_file

from .audit import record_audit
from .filenames import safe_filename


@dataclass
class ExportFile:
    """A built export: the bytes and how many personal-data rows went into it (for the audit log)."""

    data: io.BytesIO
    rows: int


def audit_export(what: str, object_type: str, object_id: Any, *, rows: int, scope: dict | None = None) -> None:
    record_audit(f"export.{what}", object_type, object_id, new={**(scope or {}), "rows": rows})


def private_download(data, *, download_name: str, mimetype: str, as_attachment: bool = True) -> Response:
    response = send_file(data, mimetype=mimetype, as_attachment=as_attachment,
                         download_name=safe_filename(download_name))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
