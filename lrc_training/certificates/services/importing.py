"""Filing certificate requests in bulk from an Excel sheet (e.g. records moved from a previous system).

An import issues nothing by itself: each valid row becomes a manual certificate request (pending approval) whose
evidence names the sheet, the row, who imported it and when, and which a different staff member of the
organization approves on 发证复核 — row by row or the whole import at once (manual.approve_import). Every bad row
is reported with its row number and reason; a row whose person already has a pending request or a valid
certificate of that level from this organization is skipped and reported, so re-importing a sheet files nothing
twice."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from ...auth.services.accreditation import accredited_levels_today, levels_text, local_today
from ...auth.services.identity import normalize_id_number
from ...core.audit import record_audit
from ...core.errors import Conflict, DomainError
from ...core.filenames import safe_filename
from ...core.timeutil import format_local
from ...core.xlsx import SheetError, cell_date, cell_text, read_rows, template_workbook
from ...extensions import db
from ..models import LEVEL_LABELS, CertificateImport
from .manual import ManualInput, create_request, tell_colleagues

COLUMNS = ["姓名", "身份证号", "等级", "工种/职业方向", "发证日期"]
MAX_ROWS = 5000
REASON = "批量导入"
_LEVELS = {str(k): k for k in LEVEL_LABELS} | {v: k for k, v in LEVEL_LABELS.items()} | {
    v.split("/")[0]: k for k, v in LEVEL_LABELS.items()} | {v.split("/")[1]: k for k, v in LEVEL_LABELS.items()}


@dataclass
class CertificateImportReport:
    requested: int = 0  # requests filed, pending approval
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why): already pending or certified
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)
    file_error: str | None = None
    import_id: int | None = None


def build_template() -> io.BytesIO:
    return template_workbook("证书", COLUMNS, [["张三", "371502199001011234", "三级/高级工", "--", "2025-06-30"]],
                             (10, 22, 14, 16, 14), [
        "每行一张职业技能等级证书，第一行为表头，请勿修改。示例行导入前请删除。",
        "等级：四级/中级工、三级/高级工、二级/技师、一级/高级技师（也可填 4、3、2、1）。",
        "工种/职业方向：没有时填 --。发证日期：YYYY-MM-DD，须在本机构备案有效期内，留空为导入当天。",
        "导入后每行生成一条发证申请，须由本机构另一名工作人员在「发证复核」中批准后才会签发。",
        "同一人同一等级已有待复核申请或已由本机构签发有效证书的，会跳过，不会重复申请。"])


def _evidence(batch: CertificateImport, row: int, actor) -> str:
    text = (f"Excel 导入《{batch.file_name}》第 {row} 行，{actor.name} 于 {format_local(batch.created_at)} 导入"
            f"（导入批次 {batch.id}）")
    return text[:200]


def _row_input(actor, batch: CertificateImport, levels, index: int, values: dict) -> ManualInput:
    """One sheet row as a manual issue request (ValueError naming what is wrong)."""
    level = _LEVELS.get(cell_text(values.get("等级")))
    if level is None:
        raise ValueError("等级应为 四级/中级工、三级/高级工、二级/技师、一级/高级技师 或 4–1")
    if level not in levels:
        raise ValueError(f"本机构备案的等级为{levels_text(levels)}，不能签发该等级")
    return ManualInput(
        level=level, issued_on=cell_date(values.get("发证日期"), "发证日期") or local_today(),
        reason=REASON, evidence=_evidence(batch, index, actor),
        job_direction=cell_text(values.get("工种/职业方向")) or "--",
        holder_name=cell_text(values.get("姓名")),
        id_number=normalize_id_number(cell_text(values.get("身份证号"))))


def _import_row(actor, batch: CertificateImport, levels, index: int, values: dict,
                report: CertificateImportReport) -> None:
    """File one row's request in a savepoint, counting it in the report as requested, skipped or refused."""
    try:
        data = _row_input(actor, batch, levels, index, values)
        with db.session.begin_nested():
            create_request(actor, data, certificate_import=batch)
    except ValueError as exc:
        report.errors.append((index, str(exc)))
    except Conflict as exc:
        if exc.code == "duplicate":
            report.skipped.append((index, exc.message))
        else:
            report.errors.append((index, exc.message))
    except DomainError as exc:
        report.errors.append((index, "；".join(exc.fields.values()) or exc.message))
    else:
        report.requested += 1


def import_certificates(actor, stream, file_name: str | None) -> CertificateImportReport:
    """File one pending request per valid row of the sheet (services flush, the view commits)."""
    report = CertificateImportReport()
    levels = accredited_levels_today(actor.organization_id)
    if not levels:
        report.file_error = "本机构没有有效的评价机构备案，不能签发职业技能等级证书"
        return report
    try:
        rows = list(read_rows(stream, COLUMNS, MAX_ROWS))
    except SheetError as exc:
        report.file_error = str(exc)
        return report
    batch = CertificateImport(organization_id=actor.organization_id, imported_by_id=actor.id,
                              file_name=safe_filename(file_name, default="证书导入.xlsx", max_length=60))
    db.session.add(batch)
    db.session.flush()
    report.import_id = batch.id
    for index, values in rows:
        _import_row(actor, batch, levels, index, values, report)
    batch.requested, batch.skipped, batch.failed = report.requested, len(report.skipped), len(report.errors)
    record_audit("certificate.import", "certificate_import", batch.id, new={
        "file": batch.file_name, "requested": batch.requested, "skipped": batch.skipped, "failed": batch.failed},
        actor_id=actor.id)
    if report.requested:
        tell_colleagues(actor, "有一批导入的发证申请待复核",
                        f"{actor.name} 从《{batch.file_name}》导入了 {report.requested} 条发证申请，"
                        "请核对后在「发证复核」中批准或驳回。")
    return report
