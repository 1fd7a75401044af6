"""Accreditation (备案): which evaluation organization may assess and certify which levels, until when.

Only an organization of kind `evaluator` can be accredited; a school that also evaluates is recorded as a
separate evaluator organization. The admin records the filing (filing number, letter Y|S, levels, validity and
the codes its certificate numbers carry), edits it, and ends it; an ended filing stays on record.

`require_accreditation` is the one gate every path that creates an exam session or issues a level certificate
goes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.levels import LEVEL_NAMES
from ...core.timeutil import local_zone
from ...db import utcnow
from ...extensions import db
from ..models import Accreditation, Organization
from ..roles import ACCREDITABLE_KINDS, ADMIN

# When the filing gives no site code the organization's id, zero-padded, is used: ids are unique, so two
# derived site codes never coincide. Beyond this id the filing must give one.
MAX_DERIVED_SITE_ID = 999_999


class NotAccredited(Forbidden):
    status = 403
    code = "not_accredited"


def local_today() -> date:
    return datetime.now(local_zone()).date()


def derived_site_code(org: Organization) -> str | None:
    return f"{org.id:06d}" if org.id <= MAX_DERIVED_SITE_ID else None


def current_accreditation(organization_id: int | None) -> Accreditation | None:
    """The open (not ended) filing of the organization, valid or not."""
    if organization_id is None:
        return None
    return db.session.execute(select(Accreditation).where(
        Accreditation.organization_id == organization_id, Accreditation.ended_at.is_(None))).scalar_one_or_none()


def accreditation_history(organization_id: int) -> list[Accreditation]:
    return list(db.session.execute(select(Accreditation).where(Accreditation.organization_id == organization_id)
                                   .order_by(Accreditation.id.desc())).scalars())


def open_accreditations(organization_ids: list[int]) -> dict[int, Accreditation]:
    """Open filings of many organizations in one query (list pages)."""
    if not organization_ids:
        return {}
    rows = db.session.execute(select(Accreditation).where(
        Accreditation.organization_id.in_(organization_ids), Accreditation.ended_at.is_(None))).scalars()
    return {row.organization_id: row for row in rows}


def levels_text(levels) -> str:
    return "、".join(LEVEL_NAMES[level] for level in sorted(levels or [], reverse=True) if level in LEVEL_NAMES)


def require_accreditation(organization_id: int | None, level: int, *, issued_on: date | None = None,
                          today: date | None = None) -> Accreditation:
    """The gate: the organization's open filing covers `level` and is valid today (and on `issued_on`, the date a
    certificate will carry). Raises NotAccredited (403 `not_accredited`) with the reason under `level` or
    `issued_on`."""
    today = today or local_today()
    filing = current_accreditation(organization_id)
    if filing is None:
        raise NotAccredited("本机构未经人力资源社会保障部门备案为评价机构，不能组织职业技能等级认定或签发等级证书",
                            {"level": "本机构没有有效的评价机构备案，不能组织认定或签发等级证书"})
    label = LEVEL_NAMES.get(level, str(level))
    if not filing.organization.active:
        raise NotAccredited("本机构已停用，不能组织认定或签发等级证书", {"level": "机构已停用"})
    if today > filing.valid_until:
        raise NotAccredited(f"本机构的备案（{filing.filing_number}）已于 {filing.valid_until.isoformat()} 到期，"
                            "不能组织认定或签发等级证书", {"level": f"本机构备案已于 {filing.valid_until.isoformat()} 到期"})
    if today < filing.valid_from:
        raise NotAccredited(f"本机构的备案自 {filing.valid_from.isoformat()} 起生效，此前不能组织认定或签发等级证书",
                            {"level": f"本机构备案自 {filing.valid_from.isoformat()} 起生效"})
    if level not in (filing.levels or []):
        raise NotAccredited(f"本机构备案的等级为{levels_text(filing.levels)}，不含{label}",
                            {"level": f"本机构备案的等级为{levels_text(filing.levels)}，不含{label}"})
    if issued_on is not None and not (filing.valid_from <= issued_on <= filing.valid_until):
        period = f"{filing.valid_from.isoformat()} 至 {filing.valid_until.isoformat()}"
        raise NotAccredited(f"发证日期须在本机构备案有效期内（{period}）",
                            {"issued_on": f"发证日期须在备案有效期内（{period}）"})
    return filing


def accredited_levels_today(organization_id: int | None) -> list[int]:
    """The levels the organization may assess and certify today (empty when none)."""
    filing = current_accreditation(organization_id)
    today = local_today()
    if filing is None or not (filing.valid_from <= today <= filing.valid_until):
        return []
    return sorted(filing.levels or [], reverse=True)


def valid_accreditations(levels=None) -> list[Accreditation]:
    """Open filings valid today of active organizations, covering at least one of `levels` (any level when None),
    with their organizations, ordered by name (one query: pickers of evaluators)."""
    today = local_today()
    rows = db.session.execute(select(Accreditation).join(Organization, Organization.id == Accreditation.organization_id)
                              .where(Accreditation.ended_at.is_(None), Accreditation.valid_from <= today,
                                     Accreditation.valid_until >= today, Organization.active.is_(True))
                              .options(joinedload(Accreditation.organization)).order_by(Organization.name)).scalars()
    wanted = set(levels) if levels is not None else None
    return [row for row in rows if wanted is None or wanted & set(row.levels or [])]


# -- recording, editing, ending (admin) ----------------------------------------------------------------------

@dataclass
class AccreditationInput:
    filing_number: str
    letter: str
    levels: list
    valid_until: date | None
    valid_from: date | None = None
    org_code: str | None = None
    site_code: str | None = None


def audit_view(row: Accreditation) -> dict:
    return {"filing_number": row.filing_number, "letter": row.letter, "levels": sorted(row.levels, reverse=True),
            "org_code": row.org_code, "province_code": row.province_code, "site_code": row.site_code,
            "valid_from": row.valid_from, "valid_until": row.valid_until}


def _digits(value, size: int) -> bool:
    return isinstance(value, str) and len(value) == size and value.isascii() and value.isdigit()


def _clean(org: Organization, data: AccreditationInput, existing: Accreditation | None) -> dict:
    errors: dict[str, str] = {}
    filing_number = (data.filing_number or "").strip() if isinstance(data.filing_number, str) else ""
    if not filing_number or len(filing_number) > 40 or not filing_number.isprintable():
        errors["filing_number"] = "备案编号不能为空且不超过 40 个字符"
    if data.letter not in ("Y", "S"):
        errors["letter"] = "类型字母应为 Y（用人单位）或 S（社会培训评价组织）"
    levels = data.levels if isinstance(data.levels, list) else None
    if not levels or any(isinstance(v, bool) or v not in LEVEL_NAMES for v in levels) or len(set(levels)) != len(levels):
        errors["levels"] = "请选择备案的等级（4、3、2、1，不重复）"
    today = local_today()
    valid_from = data.valid_from or (existing.valid_from if existing else today)
    if data.valid_until is None:
        errors["valid_until"] = "请填写备案有效期（截止日期）"
    elif data.valid_until < today:
        errors["valid_until"] = "有效期截止日期不能早于今天；已到期的备案无需登记"
    elif data.valid_until < valid_from:
        errors["valid_until"] = "有效期截止日期不能早于生效日期"
    if valid_from > today:
        errors["valid_from"] = "生效日期不能晚于今天"
    org_code = (data.org_code or "").strip() or "0000"
    if not _digits(org_code, 4):
        errors["org_code"] = "机构代码应为 4 位数字（在省级备案的填 0000）"
    site_code = (data.site_code or "").strip()
    derived = not site_code
    if derived:
        site_code = derived_site_code(org) or ""
        if not site_code:
            errors["site_code"] = "请填写备案给出的 6 位站点代码"
    elif not _digits(site_code, 6):
        errors["site_code"] = "站点代码应为 6 位数字"
    if errors:
        raise ValidationFailed("备案信息有误：" + "；".join(errors.values()), errors)
    return {"filing_number": filing_number, "letter": data.letter, "levels": sorted(set(levels), reverse=True),
            "org_code": org_code, "province_code": org.region_code[:2], "site_code": site_code,
            "site_code_derived": derived, "valid_from": valid_from, "valid_until": data.valid_until}


def _require_admin(actor) -> None:
    if actor is not None and not actor.has_role(ADMIN):
        raise Forbidden("只有系统管理员可以登记或终止备案")


def _check_prefix_free(clean: dict, organization_id: int) -> None:
    other = db.session.execute(select(Organization.name).join(Accreditation, Accreditation.organization_id == Organization.id)
                               .where(Accreditation.ended_at.is_(None), Accreditation.organization_id != organization_id,
                                      Accreditation.letter == clean["letter"], Accreditation.org_code == clean["org_code"],
                                      Accreditation.province_code == clean["province_code"],
                                      Accreditation.site_code == clean["site_code"])).scalar()
    if other is not None:
        raise Conflict(f"证书编号前缀 {clean['letter']}{clean['org_code']}{clean['province_code']}{clean['site_code']} "
                       f"已被其他机构的备案使用，请核对机构代码和站点代码",
                       {"site_code": "与其他机构的备案重复"}, code="duplicate")


def record_accreditation(actor, org: Organization, data: AccreditationInput, *,
                         version: int | None = None) -> Accreditation:
    """Record a filing, or edit the open one (a stale `version` → 409). Audited with old and new values."""
    _require_admin(actor)
    if org.kind not in ACCREDITABLE_KINDS:
        raise ValidationFailed("只有评价机构可以备案；兼做评价的院校请另建一个“评价机构”类型的机构",
                               {"organization": "机构类型不是评价机构"})
    existing = current_accreditation(org.id)
    if existing is not None and version is not None and version != existing.version:
        raise Conflict("备案信息已被他人修改，请刷新后重试", {"version": "版本已过期"}, code="stale_version")
    clean = _clean(org, data, existing)
    _check_prefix_free(clean, org.id)
    actor_id = actor.id if actor is not None else None
    old = audit_view(existing) if existing is not None else None
    row = existing
    try:
        with db.session.begin_nested():
            if row is None:
                row = Accreditation(organization_id=org.id, recorded_by_id=actor_id, **clean)
                db.session.add(row)
            else:
                for key, value in clean.items():
                    setattr(row, key, value)
            db.session.flush()
    except IntegrityError:  # another admin recorded one at the same moment
        raise Conflict("该机构的备案刚被他人登记，请刷新后重试", {"organization": "已有备案"}, code="duplicate") from None
    record_audit("accreditation.update" if old else "accreditation.record", "organization", org.id,
                 old=old, new=audit_view(row), actor_id=actor_id)
    return row


def end_accreditation(actor, org: Organization, reason: str | None = None) -> Accreditation:
    """End the open filing (revoked or lapsed). The row stays, marked ended; from now on the gate refuses."""
    _require_admin(actor)
    row = current_accreditation(org.id)
    if row is None:
        raise NotFound("该机构没有有效的备案")
    reason = (reason or "").strip() or None
    if reason and len(reason) > 500:
        raise ValidationFailed("终止原因不能超过 500 字", {"reason": "不能超过 500 字"})
    row.ended_at, row.ended_by_id, row.end_reason = utcnow(), actor.id if actor else None, reason
    db.session.flush()
    record_audit("accreditation.end", "organization", org.id, old=audit_view(row), new={"ended": True},
                 reason=reason, actor_id=actor.id if actor else None)
    return row
