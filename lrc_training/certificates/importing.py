"""Issuing level certificates in bulk from an Excel sheet (e.g. records moved from a previous system).
Every bad row is reported with its row number and reason; re-importing the same person and level issues
nothing new."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from ..auth.accreditation import accredited_levels_today, levels_text
from ..auth.identity import normalize_id_number, parse_id_number
from ..core.errors import DomainError
from ..core.xlsx import SheetError, cell_date, cell_text, read_rows, template_workbook
from ..extensions import db
from .issuing import IssueRequest, holder_user_for, issue_certificate
from .models import LEVEL_LABELS

COLUMNS = ["姓名", "身份证号", "等级", "工种/职业方向", "发证日期"]
MAX_ROWS = 5000
_LEVELS = {str(k): k for k in LEVEL_LABELS} | {v: k for k, v in LEVEL_LABELS.items()} | {
    v.split("/")[0]: k for k, v in LEVEL_LABELS.items()} | {v.split("/")[1]: k for k, v in LEVEL_LABELS.items()}


@dataclass
class CertificateImportReport:
    issued: list[str] = field(default_factory=list)
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    file_error: str | None = None
    source_id: str | None = None


def build_template() -> io.BytesIO:
    return template_workbook("证书", COLUMNS, [["张三", "371502199001011234", "三级/高级工", "--", "2025-06-30"]],
                             (10, 22, 14, 16, 14), [
        "每行一张职业技能等级证书，第一行为表头，请勿修改。示例行导入前请删除。",
        "等级：四级/中级工、三级/高级工、二级/技师、一级/高级技师（也可填 4、3、2、1）。",
        "工种/职业方向：没有时填 --。发证日期：YYYY-MM-DD，留空为导入当天。",
        "同一人同一等级已由本机构签发过的，不会重复签发。"])


def _issued_on(value) -> date | None:
    return cell_date(value, "发证日期")


def import_certificates(actor, organization_id: int, stream) -> CertificateImportReport:
    report = CertificateImportReport(source_id=datetime.now().strftime("%Y%m%d%H%M%S"))
    levels = accredited_levels_today(organization_id)
    if not levels:
        report.file_error = "本机构没有有效的评价机构备案，不能签发职业技能等级证书"
        return report
    try:
        rows = list(read_rows(stream, COLUMNS, MAX_ROWS))
    except SheetError as exc:
        report.file_error = str(exc)
        return report
    for index, values in rows:
        try:
            id_number = parse_id_number(normalize_id_number(cell_text(values.get("身份证号")))).number
            level = _LEVELS.get(cell_text(values.get("等级")))
            if level is None:
                raise ValueError("等级应为 四级/中级工、三级/高级工、二级/技师、一级/高级技师 或 4–1")
            if level not in levels:
                raise ValueError(f"本机构备案的等级为{levels_text(levels)}，不能签发该等级")
            holder = holder_user_for(id_number)
            req = IssueRequest(
                kind="level", holder_name=cell_text(values.get("姓名")), issuer_organization_id=organization_id,
                source_type="import", source_id=report.source_id,
                source_key=f"import:{organization_id}:{id_number}:{level}", id_number=id_number, level=level,
                job_direction=cell_text(values.get("工种/职业方向")) or "--", issued_on=_issued_on(values.get("发证日期")),
                holder_user_id=holder.id if holder else None)
            with db.session.begin_nested():
                cert, created = issue_certificate(req, actor_id=actor.id)
        except ValueError as exc:
            report.errors.append((index, str(exc)))
            continue
        except DomainError as exc:
            report.errors.append((index, "；".join(exc.fields.values()) or exc.message))
            continue
        if created:
            report.issued.append(cert.number)
        else:
            report.skipped += 1
    return report
