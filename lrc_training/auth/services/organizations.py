"""Organization use cases: schools, evaluation organizations, enterprises, unions, platforms."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, ValidationFailed
from ...core.loading import get_allowed
from ...extensions import db
from ..models import Organization, User
from ..roles import ACCREDITABLE_KINDS, ADMIN, ORG_STAFF, PLATFORM_LEVEL_LABELS
from .accreditation import current_accreditation
from .validation import clean_org_kind, clean_org_name, clean_region_code, collect


def audit_view(org: Organization) -> dict:
    return {"name": org.name, "kind": org.kind, "region_code": org.region_code, "active": org.active,
            "employees": org.employees, "platform_level": org.platform_level, "national": org.national}


def _platform_level(kind: str | None, value) -> str | None:
    """Only a platform says whether it serves a park, a township/street or a community; empty means unsaid."""
    if value in (None, ""):
        return None
    if kind != "platform":
        raise ValidationFailed("只有园区/街道/社区平台可以填写平台层级", {"platform_level": "只有平台可以填写"})
    if value not in PLATFORM_LEVEL_LABELS:
        raise ValidationFailed("平台层级应为 park（园区）、township（乡镇/街道）或 community（社区/村）",
                               {"platform_level": "应为 park、township 或 community"})
    return value


def _national(value) -> bool:
    if value in (None, ""):
        return False
    if not isinstance(value, bool):
        raise ValidationFailed("national 应为 true 或 false", {"national": "应为布尔值"})
    return value


def _employees(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
        raise ValidationFailed("职工人数应为 0 到 10000000 的整数", {"employees": "应为 0 到 10000000 的整数"})
    return value


def visible_organizations(actor) -> Select:
    stmt = select(Organization).order_by(Organization.region_code, Organization.name)
    if actor.has_role(ADMIN):
        return stmt
    return stmt.where(Organization.id == actor.organization_id)


def get_organization_for_edit(actor, org_id: int) -> Organization:
    return get_allowed(Organization, org_id, lambda org: actor.has_role(ADMIN) or (
        actor.has_role(ORG_STAFF) and actor.organization_id == org.id), "机构不存在")


def _validate(name: str, kind: str, region_code: str, exclude_id: int | None = None) -> dict:
    clean, errors = collect({
        "name": (clean_org_name, name),
        "kind": (clean_org_kind, kind),
        "region_code": (clean_region_code, region_code),
    })
    if errors:
        raise ValidationFailed("输入有误：" + "；".join(errors.values()), errors)
    other = db.session.execute(select(Organization.id).where(Organization.name == clean["name"])).scalar()
    if other is not None and other != exclude_id:
        raise Conflict("机构名称已存在", {"name": "机构名称已存在"}, code="duplicate")
    return clean


def create_organization(actor, *, name: str, kind: str, region_code: str, employees: int | None = None,
                        platform_level: str | None = None, national: bool | None = False) -> Organization:
    if actor is not None and not actor.has_role(ADMIN):
        raise Forbidden("只有系统管理员可以创建机构")
    clean = _validate(name, kind, region_code)
    org = Organization(**clean, active=True, employees=_employees(employees),
                       platform_level=_platform_level(clean["kind"], platform_level), national=_national(national))
    db.session.add(org)
    db.session.flush()
    record_audit("organization.create", "organization", org.id, new=audit_view(org),
                 actor_id=actor.id if actor is not None else None)
    return org


def update_organization(actor, org: Organization, *, version: int, name: str, kind: str,
                        region_code: str, active: bool, employees: int | None = None,
                        platform_level: str | None = None, national: bool | None = False) -> Organization:
    if not actor.has_role(ADMIN):
        raise Forbidden("只有系统管理员可以修改机构")
    if version != org.version:
        raise Conflict("该机构信息已被他人修改，请刷新后重新编辑", {"version": "版本已过期"}, code="stale_version")
    clean = _validate(name, kind, region_code, exclude_id=org.id)
    level = _platform_level(clean["kind"], platform_level)
    if current_accreditation(org.id) is not None:
        if clean["kind"] not in ACCREDITABLE_KINDS:
            raise ValidationFailed("该机构有有效的评价机构备案，请先终止备案再修改机构类型",
                                   {"kind": "有效备案期间不能改为非评价机构"})
        if clean["region_code"][:2] != org.region_code[:2]:
            raise ValidationFailed("该机构有有效的评价机构备案（证书编号含省份代码），请先终止备案再改到其他省份",
                                   {"region_code": "有效备案期间不能改到其他省份"})
    old = audit_view(org)
    org.name, org.kind, org.region_code, org.active = clean["name"], clean["kind"], clean["region_code"], active
    org.employees, org.platform_level, org.national = _employees(employees), level, _national(national)
    db.session.flush()
    record_audit("organization.update", "organization", org.id, old=old, new=audit_view(org))
    return org


def member_counts(org_ids: list[int]) -> dict[int, int]:
    """People per organization, in one query."""
    if not org_ids:
        return {}
    rows = db.session.execute(
        select(User.organization_id, func.count()).where(User.organization_id.in_(org_ids))
        .group_by(User.organization_id)
    )
    return dict(rows.all())
