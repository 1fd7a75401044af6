"""The on-site scores page (操作技能考核 / 综合评审): the examiner's session, and many scores saved at once — typed
into the page's grid or imported from a workbook — each in its own savepoint, so one refused score (out of range,
a candidate not admitted) leaves the others saved and is reported by the candidate's code or the file's row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from ...core.errors import DomainError, ValidationFailed
from ...core.loading import get_allowed
from ...core.xlsx import SheetError, iter_sheet_rows
from ...extensions import db
from ..models import PARTS, Application, ExamSession
from .grading import record_part_score

MAX_SCORE_ROWS = 5000  # more than any session's candidates; the file is refused beyond it


@dataclass
class ScoresSaved:
    saved: int = 0
    errors: list[str] = field(default_factory=list)


def get_session_for_examiner(actor, session_id: int) -> ExamSession:
    """A session of the examiner's own organization."""
    return get_allowed(ExamSession, session_id, lambda session: session.organization_id == actor.organization_id,
                       "认定批次不存在")


def on_site_parts(session: ExamSession) -> list[str]:
    return [p for p in session.parts if p != "theory"]


def _save(actor, session: ExamSession, entries: Iterable[tuple[str, int | None, str, Any]]) -> ScoresSaved:
    """entries: (how to name the row in an error, application id, part, score); an entry without an application
    is an error already (its label says which)."""
    result = ScoresSaved()
    for label, application_id, part, value in entries:
        if application_id is None:
            result.errors.append(label)
            continue
        try:
            with db.session.begin_nested():
                record_part_score(actor, session, application_id, value, part)
            result.saved += 1
        except DomainError as exc:
            result.errors.append(f"{label}{exc.message}")
    return result


def save_typed_scores(actor, session: ExamSession, applications: list[Application],
                      typed: dict[str, str]) -> ScoresSaved:
    """The grid's boxes (`score-<application id>-<part>`); an empty box is skipped."""
    entries = [(f"{a.anonymous_code}：", a.id, part, typed.get(f"score-{a.id}-{part}", "").strip())
               for a in applications for part in on_site_parts(session)]
    return _save(actor, session, [entry for entry in entries if entry[3] != ""])


def import_scores(actor, session: ExamSession, applications: list[Application], stream: IO[bytes]) -> ScoresSaved:
    """Columns: 考生编号 (anonymous code), then one column per part (操作技能考核 / 综合评审). A file that cannot be
    read or has another header is refused whole; a row's error names the row."""
    parts = on_site_parts(session)
    try:
        rows = list(iter_sheet_rows(stream, MAX_SCORE_ROWS))
    except SheetError as exc:
        raise ValidationFailed(str(exc), {"file": str(exc)}) from None
    header = [str(v or "").strip() for v in (rows[0] if rows else [])]
    columns = {part: header.index(PARTS[part]) for part in parts if PARTS[part] in header}
    if not header or header[0] != "考生编号" or not columns:
        message = "表头应为：考生编号、" + "、".join(PARTS[p] for p in parts)
        raise ValidationFailed(message, {"file": message})
    by_code = {a.anonymous_code: a for a in applications}
    entries: list[tuple[str, int | None, str, Any]] = []
    for number, row in enumerate(rows[1:], start=2):
        code = str((row[0] if row else None) or "").strip()
        if not code:
            continue
        application = by_code.get(code)
        if application is None:
            entries.append((f"第 {number} 行：考生编号 {code} 不存在", None, "", None))
            continue
        for part, column in columns.items():
            value = row[column] if column < len(row) else None
            if value not in (None, ""):
                entries.append((f"第 {number} 行：", application.id, part, value))
    return _save(actor, session, entries)
