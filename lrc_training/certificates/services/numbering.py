"""Certificate numbers: each organization's settings and serials that are never handed out twice.

A level certificate number has 22 characters: type letter Y/S + 4-digit organization code + 2-digit province
code + 6-digit site code + 2-digit year + 1-digit level + 6-digit serial, e.g. S000037150001263000001.

Unique nationally by construction:
- letter, organization code, province code and site code come from the organization's accreditation (备案);
  no two open filings may share them, and when a filing gives no site code the organization's id (zero-padded,
  unique) is used;
- the serial counter is keyed by the whole number prefix (letter … level), not by the organization, so even two
  organizations that ended up with the same prefix would draw from one counter and never produce one number
  twice. A new counter starts after the highest serial already issued under its prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ...auth.models import Accreditation, Organization
from ...auth.services.accreditation import current_accreditation, derived_site_code
from ...core.audit import record_audit
from ...core.errors import Conflict, ValidationFailed
from ...extensions import db
from ..models import Certificate, CertificateSettings, SerialCounter

LEVEL_NUMBER_RE = re.compile(r"^[YS][0-9]{21}$")
AWARD_PREFIX_RE = re.compile(r"^[A-Z0-9-]{2,24}$")


@dataclass(frozen=True)
class EffectiveSettings:
    type_letter: str
    org_code: str
    province_code: str
    site_code: str
    registered_name: str
    signatory: str | None = None
    seal_file: str | None = None
    configured: bool = False


def default_settings(org: Organization) -> EffectiveSettings:
    """S, 0000 (registered at province level), the region's province code, the organization's id as site code
    (organization 42 → 000042: ids are unique, so two defaults never coincide), the organization's name."""
    return EffectiveSettings("S", "0000", org.region_code[:2], derived_site_code(org) or "000000", org.name)


def settings_for(org: Organization) -> EffectiveSettings:
    """What the organization's certificates carry. The codes of an open filing (备案) always win over what the
    settings say; the registered name, signatory and seal come from the settings."""
    row = db.session.get(CertificateSettings, org.id)
    filing = current_accreditation(org.id)
    base = default_settings(org) if row is None else EffectiveSettings(
        row.type_letter, row.org_code, row.province_code, row.site_code, row.registered_name, row.signatory,
        row.seal_file, configured=True)
    if filing is None:
        return base
    return EffectiveSettings(filing.letter, filing.org_code, filing.province_code, filing.site_code,
                             base.registered_name, base.signatory, base.seal_file, configured=base.configured)


def filing_mismatches(filing: Accreditation | None, values: dict) -> dict[str, str]:
    """Fields of `values` (type_letter, org_code, province_code, site_code) that contradict the open filing."""
    if filing is None:
        return {}
    expected = {"type_letter": filing.letter, "org_code": filing.org_code, "province_code": filing.province_code,
                "site_code": filing.site_code}
    return {k: f"须与备案一致（{v}）" for k, v in expected.items() if values.get(k) != v}


def settings_row(org: Organization) -> CertificateSettings | None:
    return db.session.get(CertificateSettings, org.id)


def _validate_settings(type_letter, org_code, province_code, site_code, registered_name, signatory) -> dict:
    errors = {}
    if type_letter not in ("Y", "S"):
        errors["type_letter"] = "应为 Y（用人单位）或 S（社会培训评价组织）"
    for field, value, size, label in (("org_code", org_code, 4, "机构代码"),
                                      ("province_code", province_code, 2, "省份代码"),
                                      ("site_code", site_code, 6, "站点代码")):
        if not (isinstance(value, str) and len(value) == size and value.isascii() and value.isdigit()):
            errors[field] = f"{label}应为 {size} 位数字"
    name = (registered_name or "").strip()
    if not name or len(name) > 100:
        errors["registered_name"] = "登记名称不能为空且不超过 100 个字符"
    signatory = (signatory or "").strip() or None
    if signatory and len(signatory) > 50:
        errors["signatory"] = "签发人不能超过 50 个字符"
    if errors:
        raise ValidationFailed("证书设置有误：" + "；".join(errors.values()), errors)
    return {"type_letter": type_letter, "org_code": org_code, "province_code": province_code,
            "site_code": site_code, "registered_name": name, "signatory": signatory}


def update_settings(org: Organization, *, type_letter: str, org_code: str, province_code: str, site_code: str,
                    registered_name: str, signatory: str | None = None, version: int | None = None,
                    seal_file: str | None = None) -> CertificateSettings:
    clean = _validate_settings(type_letter, org_code, province_code, site_code, registered_name, signatory)
    mismatches = filing_mismatches(current_accreditation(org.id), clean)
    if mismatches:
        raise ValidationFailed("类型字母、机构代码、省份代码和站点代码以备案为准，不能改为其他值："
                               + "；".join(mismatches.values()), mismatches)
    row = settings_row(org)
    old = None
    if row is None:
        row = CertificateSettings(organization_id=org.id, **clean)
        db.session.add(row)
    else:
        if version is not None and version != row.version:
            raise Conflict("证书设置已被他人修改，请刷新后重试", {"version": "版本已过期"}, code="stale_version")
        old = {k: getattr(row, k) for k in clean}
        for key, value in clean.items():
            setattr(row, key, value)
    if seal_file is not None:
        row.seal_file = seal_file
    db.session.flush()
    record_audit("certificate_settings.update", "organization", org.id, old=old, new=clean)
    return row


def next_serial(scope: str, start_after: Callable[[], int] | None = None) -> int:
    """Take the next serial of `scope` with one atomic UPDATE ... RETURNING: the row stays locked until the
    transaction ends, so concurrent issuers (PostgreSQL or SQLite) never get the same serial. A new counter
    starts after `start_after()` (asked only when the counter is created)."""
    bump = (update(SerialCounter).where(SerialCounter.scope == scope)
            .values(last_value=SerialCounter.last_value + 1).returning(SerialCounter.last_value))
    value = db.session.execute(bump).scalar()
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(SerialCounter(scope=scope, last_value=start_after() if start_after else 0))
        except IntegrityError:
            pass  # another transaction created the counter first
        value = db.session.execute(bump).scalar_one()
    return value


def highest_serial(prefix: str) -> int:
    """The highest serial already issued under a 16-character number prefix (numbers are fixed-width, so the
    greatest number is the greatest serial)."""
    top = db.session.execute(select(func.max(Certificate.number)).where(
        Certificate.number.like(prefix + "%"), func.length(Certificate.number) == 22)).scalar()
    return int(top[16:]) if top and top[16:].isdigit() else 0


def level_number(settings: EffectiveSettings, year: int, level: int) -> str:
    """The next number of a prefix; the counter is keyed by the prefix itself (see the module docstring)."""
    prefix = (f"{settings.type_letter}{settings.org_code}{settings.province_code}{settings.site_code}"
              f"{year % 100:02d}{level}")
    serial = next_serial(f"level:{prefix}", start_after=lambda: highest_serial(prefix))
    if serial > 999_999:
        raise ValidationFailed("本年度该等级证书流水号已用尽", {"serial": "流水号已用尽"})
    number = f"{prefix}{serial:06d}"
    assert LEVEL_NUMBER_RE.match(number), number
    return number


def award_number(prefix: str) -> str:
    """An award certificate number in the committee's own scheme: prefix (e.g. year + competition code) +
    4-digit serial, e.g. 2026SDLRC-0001."""
    if not AWARD_PREFIX_RE.match(prefix or ""):
        raise ValidationFailed("获奖证书编号前缀应为 2–24 位大写字母、数字或连字符",
                               {"number_prefix": "前缀格式不正确"})
    serial = next_serial(f"award:{prefix}")
    return f"{prefix}{serial:04d}"
