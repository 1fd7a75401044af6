"""Importing users from an Excel sheet: bad rows are reported with their row number and reason,
good rows are created, rows for people who already exist are skipped (so a re-import is harmless)."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select

from ...core.errors import DomainError
from ...core.xlsx import SheetError, cell_text, read_rows, template_workbook
from ...extensions import db
from ..models import Organization, User
from ..roles import ADMIN, ROLE_LABELS
from .identity import normalize_id_number
from .users import create_user

COLUMNS = ["用户名", "姓名", "身份证号", "手机号", "角色", "所属机构", "初始密码"]
MAX_ROWS = 5000
_ROLE_BY_LABEL = {label: code for code, label in ROLE_LABELS.items()} | {code: code for code in ROLE_LABELS}


class RowError(NamedTuple):
    """A refused row: (row, reason), as the import page's reason_rows shows it."""

    row: int
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str | None = None
    generated_passwords: list[tuple[str, str]] = field(default_factory=list)


def build_import_template() -> io.BytesIO:
    return template_workbook("用户", COLUMNS, [["zhangsan", "张三", "371502199001011234", "13800138000", "学员", "", ""]],
                             (16, 10, 22, 14, 18, 28, 14), [
        "每行一人，第一行为表头，请勿修改表头。示例行导入前请删除。",
        "用户名：3–32 位字母、数字、下划线、点或连字符，不可重复。",
        "身份证号：18 位居民身份证号，校验码须正确。手机号：11 位手机号码。",
        "角色：" + "、".join(ROLE_LABELS.values()) + "，多个角色用逗号或顿号分隔。",
        "所属机构：填写平台中已有机构的全称；机构工作人员导入时自动归入本机构。",
        "初始密码：至少 10 位，组合使用大写字母、小写字母、数字、符号中的至少两类；不能是常见密码，"
        "不能包含用户名或身份证号；留空时系统生成随机密码并在导入结果中显示一次。",
        "已存在的用户名或身份证号会被跳过，不会重复创建。"])


def _roles(value: str) -> list[str]:
    parts = [p.strip() for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    unknown = [p for p in parts if p not in _ROLE_BY_LABEL]
    if unknown:
        raise ValueError("未知角色：" + "、".join(unknown))
    return [_ROLE_BY_LABEL[p] for p in parts] or ["trainee"]


def import_users(actor, stream) -> ImportReport:
    report = ImportReport()
    orgs = {name: oid for oid, name in db.session.execute(select(Organization.id, Organization.name))}
    existing_usernames = set(db.session.execute(select(User.username)).scalars())
    existing_ids = set(db.session.execute(select(User.id_number).where(User.id_number.is_not(None))).scalars())
    try:
        rows = list(read_rows(stream, COLUMNS, MAX_ROWS))
    except SheetError as exc:
        report.file_error = str(exc)
        return report
    for index, raw_values in rows:
        values = {k: cell_text(v) for k, v in raw_values.items()}
        username = values.get("用户名", "")
        id_number = normalize_id_number(values.get("身份证号", ""))
        if username in existing_usernames or (id_number and id_number in existing_ids):
            report.skipped += 1
            continue
        try:
            roles = _roles(values.get("角色", ""))
            org_name = values.get("所属机构", "")
            if org_name and org_name not in orgs:
                raise ValueError(f"机构“{org_name}”不存在")
            organization_id = orgs.get(org_name) if actor.has_role(ADMIN) else actor.organization_id
            password = values.get("初始密码", "")
            generated = not password
            if generated:
                # 15 characters, three classes; the letters in the middle keep it clear of the common-password list.
                password = "Lrc" + secrets.token_hex(5) + "k7"
            with db.session.begin_nested():
                create_user(actor, username=username, password=password, name=values.get("姓名", ""),
                            id_number=id_number, phone=values.get("手机号", ""), roles=roles,
                            organization_id=organization_id)
        except ValueError as exc:
            report.errors.append(RowError(index, str(exc)))
            continue
        except DomainError as exc:
            reasons = "；".join(exc.fields.values()) or exc.message
            report.errors.append(RowError(index, reasons))
            continue
        existing_usernames.add(username)
        existing_ids.add(id_number)
        report.created += 1
        if generated:
            report.generated_passwords.append((username, password))
    return report
