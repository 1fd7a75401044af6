"""Bulk registration: an organization's staff (or the committee) registers many people at once, from a list or an
Excel sheet of usernames or ID numbers. Each row is checked on its own (eligibility, quotas, duplicates) and the
report says, row by row, what happened; a refused row changes nothing.

A list of identifiers is a look-up, so it must not tell the caller who is behind an identifier they may not reach:
a person outside the caller's organization (the committee: outside its region) is reported as "未找到或不属于本单位",
word for word what a nonexistent identifier gets, and is never named. A request holds at most MAX_ROWS rows and
uses one unit of the caller's hourly bulk budget (core.bulk_limits)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from sqlalchemy import select

from ...auth.models import User
from ...auth.services.identity import normalize_id_number
from ...core.bulk_limits import use_bulk_lookup
from ...core.errors import DomainError, NotFound, ValidationFailed
from ...core.xlsx import SheetError, cell_text, read_rows, template_workbook
from ...extensions import db
from ..models import Competition
from .registration import NOT_REACHABLE, can_register_for, register

COLUMNS = ["用户名或身份证号", "从事本职业工作年限"]
MAX_ROWS = 300
TOO_MANY = f"每次最多 {MAX_ROWS} 行，请分批提交"


@dataclass
class BulkReport:
    registered: list[tuple[int, str, str]] = field(default_factory=list)  # (row, name, status)
    errors: list[tuple[int, str]] = field(default_factory=list)
    file_error: str | None = None


def build_template() -> io.BytesIO:
    return template_workbook("报名", COLUMNS, [["trainee", "3"]], (24, 20), [
        "每行一名参赛人员：填写平台用户名或 18 位身份证号，第一行为表头，请勿修改。示例行导入前请删除。",
        "工作年限用于核对报名条件，可留空。",
        "本单位人员报名后由组委会审核；组委会工作人员报名的直接通过。"])


def _find_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    if len(identifier) == 18:
        user = db.session.execute(select(User).where(
            User.id_number == normalize_id_number(identifier))).scalar()
        if user is not None:
            return user
    return db.session.execute(select(User).where(User.username == identifier)).scalar()


def register_rows(actor, competition_id: int, rows: list[tuple[int, str, str]]) -> BulkReport:
    """rows: (row number, username or ID number, work years or ''). Each row in its own savepoint."""
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise NotFound("竞赛不存在")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(TOO_MANY, {"identifiers": TOO_MANY})
    use_bulk_lookup(actor)
    report = BulkReport()
    seen = set()
    for number, identifier, years in rows:
        identifier = (identifier or "").strip()
        if not identifier:
            report.errors.append((number, "缺少用户名或身份证号"))
            continue
        user = _find_user(identifier)
        if user is None or not can_register_for(actor, competition, user):
            report.errors.append((number, NOT_REACHABLE))
            continue
        if user.id in seen:
            report.errors.append((number, f"{user.name}：与前面的行重复"))
            continue
        seen.add(user.id)
        try:
            work_years = float(years) if str(years or "").strip() else None
            if work_years is not None and not 0 <= work_years <= 60:
                raise ValueError
        except ValueError:
            report.errors.append((number, f"{user.name}：工作年限应为 0 到 60 的数字"))
            continue
        try:
            with db.session.begin_nested():
                registration = register(actor, competition_id, user.id, work_years)
        except DomainError as exc:
            report.errors.append((number, f"{user.name}：{exc.message}"))
            continue
        report.registered.append((number, user.name, registration.status))
    return report


def register_text(actor, competition_id: int, text: str) -> BulkReport:
    lines = [line.strip() for line in (text or "").splitlines()]
    rows = []
    for number, line in enumerate(lines, start=1):
        if line:
            identifier, _, years = line.replace("，", ",").partition(",")
            rows.append((number, identifier, years.strip()))
    return register_rows(actor, competition_id, rows)


def register_excel(actor, competition_id: int, stream) -> BulkReport:
    try:
        rows = [(number, cell_text(row.get(COLUMNS[0])), cell_text(row.get(COLUMNS[1])))
                for number, row in read_rows(stream, COLUMNS, MAX_ROWS)]
        if len(rows) > MAX_ROWS:  # read_rows trusts the sheet's stated size, which a crafted file may omit
            raise SheetError(f"超过单次上限 {MAX_ROWS} 行，请分批导入")
    except SheetError as exc:
        return BulkReport(file_error=str(exc))
    return register_rows(actor, competition_id, rows)
