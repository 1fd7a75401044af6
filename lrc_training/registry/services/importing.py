"""Importing coordinators certified elsewhere from Excel. Each row names a person (name + ID number), their
organization (which must exist and be inside the importer's region scope), the certificate they hold (number and
level) and the staff-maintained fields. A person without an account gets one (username = ID number, no usable
password: an admin resets it when they want to sign in). Every row is checked on its own and the report says,
row by row, what was added, updated, left as it was or refused and why; a refused row changes nothing; importing
the same sheet again changes nothing.

The sheet is also a look-up by ID number, so a row never tells the importer about a person outside their region
scope: such a row is refused as "未找到或不属于本单位" and nobody's name on the platform is ever quoted back (a name
mismatch inside the scope says only that it differs). A file holds at most MAX_ROWS rows and uses one unit of the
importer's hourly bulk budget (core.bulk_limits); each import is audited with how many rows were out of reach."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ...auth.models import Organization, User
from ...auth.roles import TRAINEE
from ...auth.services.identity import parse_id_number
from ...core.audit import record_audit
from ...core.bulk_limits import use_bulk_lookup
from ...core.levels import LEVEL_INPUT_HINT, level_from_text
from ...core.xlsx import SheetError, cell_date, cell_text, read_rows, template_workbook
from ...extensions import db
from ..models import RegistryEntry
from .access import caller_access

COLUMNS = ["姓名", "身份证号", "所在单位", "证书编号", "等级", "职务", "专职/兼职", "从事本职业起始日期"]
MAX_ROWS = 500
NOT_REACHABLE = "未找到或不属于本单位"


@dataclass
class RegistryImportReport:
    added: list[tuple[int, str]] = field(default_factory=list)
    updated: list[tuple[int, str]] = field(default_factory=list)
    unchanged: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    file_error: str | None = None


def build_template() -> io.BytesIO:
    return template_workbook("信息库", COLUMNS, [["张三", "371502199001011234", "聊城华信机械制造有限公司",
                                               "S000037150001253000123", "三级/高级工", "劳动关系专员", "专职",
                                               "2020-03-01"]], (10, 22, 28, 26, 14, 16, 10, 18), [
        "每行一名在其他机构取得证书的劳动关系协调员，第一行为表头，请勿修改。示例行导入前请删除。",
        "所在单位须是平台上已有、且在您管辖地区内的机构（名称完全一致）。",
        f"等级：{LEVEL_INPUT_HINT}。专职/兼职：填“专职”或“兼职”。",
        "平台上还没有账号的人员会自动建立账号（用户名为身份证号），需要登录时请管理员重置密码。"])


class RowError(ValueError):
    pass


class OutOfReach(RowError):
    def __init__(self):
        super().__init__(NOT_REACHABLE)


def _in_scope(user: User, prefix: str) -> bool:
    """The person's organization is in the importer's region scope (without one: their ID's home region)."""
    if not prefix:
        return True
    if user.organization_id is not None:
        org = db.session.get(Organization, user.organization_id)
        return org is not None and org.region_code.startswith(prefix)
    return bool(user.id_number) and user.id_number[:6].startswith(prefix)


def _row(prefix: str, raw: dict, orgs: dict[str, Organization]) -> dict:
    name = cell_text(raw.get("姓名"))
    if not name or len(name) > 50:
        raise RowError("缺少姓名（或超过 50 个字）")
    try:
        identity = parse_id_number(cell_text(raw.get("身份证号")))
    except ValueError as exc:
        raise RowError(f"身份证号：{exc}") from None
    org_name = cell_text(raw.get("所在单位"))
    org = orgs.get(org_name)
    if org is None or not org.region_code.startswith(prefix):
        raise RowError(f"所在单位“{org_name}”不存在或不在您的管辖范围内")
    number = cell_text(raw.get("证书编号")).upper() or None
    if number and (len(number) > 40 or not number.isalnum()):
        raise RowError("证书编号只能由字母和数字组成，不超过 40 位")
    level_text = cell_text(raw.get("等级"))
    level = level_from_text(level_text)
    if level_text and level is None:
        raise RowError(f"等级应为 {LEVEL_INPUT_HINT}")
    if number and level is None:
        raise RowError("填写证书编号时须注明等级")
    duty = cell_text(raw.get("专职/兼职"))
    if duty not in ("", "专职", "兼职"):
        raise RowError("专职/兼职应填“专职”或“兼职”")
    position = cell_text(raw.get("职务")) or None
    if position and len(position) > 100:
        raise RowError("职务不超过 100 个字")
    try:
        started_on = cell_date(raw.get("从事本职业起始日期"), "起始日期")
    except ValueError as exc:
        raise RowError(str(exc)) from None
    if started_on and started_on > date.today():
        raise RowError("起始日期不能晚于今天")
    return {"name": name, "id_number": identity.number, "org": org, "certificate_number": number, "level": level,
            "position": position, "full_time": duty == "专职", "started_on": started_on}


def _apply(actor, row: dict, prefix: str) -> str:
    """Add or update one person's record; returns 'added', 'updated' or 'unchanged'."""
    user = db.session.execute(select(User).where(User.id_number == row["id_number"])).scalar()
    if user is None:
        namesake = db.session.execute(select(User).where(User.username == row["id_number"])).scalar()
        if namesake is not None:
            if not _in_scope(namesake, prefix):
                raise OutOfReach
            raise RowError("平台上已有以该身份证号为用户名、但身份证号不同的账号，请先在用户管理中核对")
        user = User(username=row["id_number"], name=row["name"], id_number=row["id_number"],
                    organization_id=row["org"].id)
        user.set_password(secrets.token_urlsafe(24))  # nobody knows it: an admin resets it when needed
        user.set_roles([TRAINEE])
        db.session.add(user)
        db.session.flush()
        record_audit("user.create", "user", user.id, new={"username": user.username, "via": "registry import"},
                     actor_id=actor.id)
    elif not _in_scope(user, prefix):
        raise OutOfReach
    elif user.name != row["name"]:
        raise RowError("姓名与平台上该身份证号登记的姓名不一致，请核对后再导入")
    elif user.organization_id != row["org"].id:
        raise RowError("该人员在平台上属于其他单位，请先在用户管理中调整")
    entry = db.session.execute(select(RegistryEntry).where(RegistryEntry.user_id == user.id)).scalar()
    fields = {"certificate_number": row["certificate_number"], "level": row["level"], "position": row["position"],
              "full_time": row["full_time"], "started_on": row["started_on"]}
    if entry is None:
        entry = RegistryEntry(user_id=user.id, added_by_id=actor.id, **fields)
        db.session.add(entry)
        db.session.flush()
        record_audit("registry.add", "registry_entry", entry.id, new={"user_id": user.id, "level": row["level"],
                     "certificate_number": row["certificate_number"], "via": "import"}, actor_id=actor.id)
        return "added"
    old = {key: getattr(entry, key) for key in fields}
    if old == fields:
        return "unchanged"
    for key, value in fields.items():
        setattr(entry, key, value)
    db.session.flush()
    record_audit("registry.update", "registry_entry", entry.id,
                 old={k: (v.isoformat() if isinstance(v, date) else v) for k, v in old.items()},
                 new={k: (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items()},
                 reason="Excel 导入", actor_id=actor.id)
    return "updated"


def import_registry(actor, stream) -> RegistryImportReport:
    report = RegistryImportReport()
    access = caller_access(actor)
    access.require_write()  # 人社 departments (in their scope) and admins only
    prefix = access.scope
    try:
        rows = list(read_rows(stream, COLUMNS, MAX_ROWS))
    except SheetError as exc:
        report.file_error = str(exc)
        return report
    if len(rows) > MAX_ROWS:  # read_rows trusts the sheet's stated size, which a crafted file may omit
        report.file_error = f"超过单次导入上限 {MAX_ROWS} 行，请分批导入"
        return report
    use_bulk_lookup(actor)
    names = {cell_text(raw.get("所在单位")) for _, raw in rows}
    orgs = {o.name: o for o in db.session.execute(select(Organization).where(Organization.name.in_(names))).scalars()}
    seen: set[str] = set()
    out_of_reach = 0
    for number, raw in rows:
        try:
            row = _row(prefix, raw, orgs)
            if row["id_number"] in seen:
                raise RowError("与前面的行是同一人")
            seen.add(row["id_number"])
            with db.session.begin_nested():
                outcome = _apply(actor, row, prefix)
        except RowError as exc:
            out_of_reach += isinstance(exc, OutOfReach)
            report.errors.append((number, str(exc)))
            continue
        getattr(report, outcome).append((number, row["name"]))
    record_audit("registry.import", "registry", prefix or None, new={
        "rows": len(rows), "added": len(report.added), "updated": len(report.updated),
        "refused": len(report.errors), "out_of_reach": out_of_reach}, actor_id=actor.id)
    return report
