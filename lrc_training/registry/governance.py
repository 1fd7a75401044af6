"""What 人社 departments set for the registry: platforms' service areas (the enterprises a 园区/街道/社区 platform
serves — its staff see their coordinators, its coordinators cover them) and the guideline targets of the regions
below them (目标责任考核). Plain functions: they add/flush and audit, the caller commits."""

from __future__ import annotations

from sqlalchemy import case, delete, func, or_, select

from ..auth.models import Organization
from ..core.audit import record_audit
from ..core.errors import Forbidden, NotFound, ValidationFailed
from ..core.regions import child_width, region_scope, validate_region_code
from ..extensions import db
from .models import RegionTarget, ServiceArea
from .services import Access, caller_access, coverage_conditions, statistics

MAX_SERVICE_AREA = 5000


def _hrss(actor) -> Access:
    """Admins, or staff of a 人社 department (registry write access): else 403."""
    access = caller_access(actor)
    if not (access.write and access.region_wide):
        raise Forbidden("只有人力资源社会保障部门可以设置", code="forbidden")
    return access


def _platform(access: Access, platform_id: int) -> Organization:
    org = db.session.get(Organization, platform_id)
    if org is None or not org.region_code.startswith(access.scope):
        raise NotFound("机构不存在或不在您的管辖范围内", {"organization_id": "不存在"})
    if org.kind != "platform":
        raise ValidationFailed("只有园区/街道/社区平台有服务范围", {"organization_id": "不是园区/街道/社区平台"})
    return org


def service_area(platform_id: int) -> list[Organization]:
    return list(db.session.execute(
        select(Organization).join(ServiceArea, ServiceArea.enterprise_id == Organization.id)
        .where(ServiceArea.platform_id == platform_id).order_by(Organization.region_code, Organization.id)).scalars())


def read_service_area(actor, platform_id: int) -> tuple[Organization, list[Organization]]:
    """The platform and its enterprises: for admins, region-wide readers of its region and its own staff."""
    access = caller_access(actor)
    org = db.session.get(Organization, platform_id)
    visible = org is not None and (org.id == access.organization_id if not access.region_wide
                                   else org.region_code.startswith(access.scope))
    if not visible:
        raise NotFound("机构不存在或不在您的管辖范围内", {"organization_id": "不存在"})
    if org.kind != "platform":
        raise ValidationFailed("只有园区/街道/社区平台有服务范围", {"organization_id": "不是园区/街道/社区平台"})
    return org, service_area(org.id)


def set_service_area(actor, platform_id: int, enterprise_ids: list[int]) -> list[Organization]:
    """Replace the platform's service area. Every id must be an enterprise inside the caller's scope (else 422
    naming `enterprise_ids`, nothing changed)."""
    access = _hrss(actor)
    platform = _platform(access, platform_id)
    wanted = sorted(set(enterprise_ids))
    if len(wanted) > MAX_SERVICE_AREA:
        raise ValidationFailed(f"服务范围最多 {MAX_SERVICE_AREA} 家企业", {"enterprise_ids": "企业过多"})
    found = {o.id: o for o in db.session.execute(select(Organization).where(Organization.id.in_(wanted))).scalars()}
    bad = [i for i in wanted if i not in found or found[i].kind != "enterprise"
           or not found[i].region_code.startswith(access.scope)]
    if bad:
        listed = "、".join(str(i) for i in bad[:20]) + ("……" if len(bad) > 20 else "")
        raise ValidationFailed("服务范围只能包含您管辖范围内的企业",
                               {"enterprise_ids": f"不存在、不是企业或不在管辖范围内：{listed}"})
    old = [o.id for o in service_area(platform.id)]
    if old != wanted:
        db.session.execute(delete(ServiceArea).where(ServiceArea.platform_id == platform.id))
        db.session.add_all([ServiceArea(platform_id=platform.id, enterprise_id=i) for i in wanted])
        db.session.flush()
        record_audit("registry.service_area", "organization", platform.id, old={"enterprise_ids": old},
                     new={"enterprise_ids": wanted}, actor_id=actor.id)
    return [found[i] for i in wanted]


def set_target(actor, region_code: str, *, year: int, coordinators: int, coverage_share: float) -> RegionTarget:
    """Set a region's target for a year: admins any region; a 人社 department a region below its own (a province
    its cities', a city its counties'); anyone else 403."""
    reason = validate_region_code(region_code)
    if reason:
        raise ValidationFailed(reason, {"region_code": reason})
    access = _hrss(actor)
    scope = region_scope(region_code)
    if access.scope and (scope == access.scope or not scope.startswith(access.scope)):
        raise Forbidden("只能为下级地区设置目标", {"region_code": "不是您的下级地区"})
    target = db.session.execute(select(RegionTarget).where(RegionTarget.scope == scope,
                                                           RegionTarget.year == year)).scalar()
    old = None
    if target is None:
        target = RegionTarget(scope=scope, year=year)
        db.session.add(target)
    else:
        old = {"coordinators": target.coordinators, "coverage_share": target.coverage_share}
    target.coordinators, target.coverage_share, target.set_by_id = coordinators, coverage_share, actor.id
    db.session.flush()
    record_audit("registry.target", "region", scope, old=old, new={
        "year": year, "coordinators": coordinators, "coverage_share": coverage_share}, actor_id=actor.id)
    return target


def target_progress(actor, year: int) -> list[dict]:
    """The regions one level below the caller's scope with their coordinators, enterprise coverage, the year's
    target and progress against it, ranked (1 = furthest along; regions without a target last, unranked). A fixed
    number of statements however many regions: the statistics, one GROUP BY for coverage, one for the targets."""
    access = _hrss(actor)
    rows = statistics(access)["by_subregion"]
    scopes = {region_scope(row["region_code"]): row for row in rows}
    width = child_width(access.scope) or 0
    part = func.substr(Organization.region_code, 1, width)
    own, platform = coverage_conditions(access)
    covered = or_(own, platform)
    coverage = {code: (int(n), int(c or 0)) for code, n, c in db.session.execute(
        select(part, func.count(), func.sum(case((covered, 1), else_=0)))
        .where(Organization.kind == "enterprise", Organization.active.is_(True),
               Organization.region_code.startswith(access.scope))
        .group_by(part))} if width else {}
    targets = {t.scope: t for t in db.session.execute(select(RegionTarget).where(
        RegionTarget.scope.in_(list(scopes)), RegionTarget.year == year)).scalars()} if scopes else {}
    result = []
    for scope, row in scopes.items():
        enterprises, covered_count = coverage.get(scope.ljust(width, "0")[:width], (0, 0))
        share = covered_count / enterprises if enterprises else 0.0
        target = targets.get(scope)
        progress = None
        if target is not None:
            parts = [actual / wanted for actual, wanted in ((row["total"], target.coordinators),
                                                            (share, target.coverage_share)) if wanted]
            progress = round(sum(parts) / len(parts), 2) if parts else None
        result.append({**row, "enterprises": enterprises, "covered": covered_count, "share": round(share, 4),
                       "target": None if target is None else {"coordinators": target.coordinators,
                                                              "coverage_share": target.coverage_share},
                       "progress": progress})
    ranked = sorted((r for r in result if r["progress"] is not None), key=lambda r: -r["progress"])
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    return ranked + [r for r in result if r["progress"] is None]
