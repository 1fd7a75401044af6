"""The guideline targets (目标责任考核) a 人社 department sets for the regions below it, and their progress, ranked.
Plain functions: they add/flush and audit, the caller commits."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select

from ...auth.models import Organization
from ...core.audit import record_audit
from ...core.errors import Forbidden, ValidationFailed
from ...core.regions import child_width, region_scope, validate_region_code
from ...extensions import db
from ..models import RegionTarget
from ..schemas.inputs import TargetIn
from .access import coverage_conditions, hrss_access
from .statistics import statistics


def set_target(actor, region_code: str, data: TargetIn) -> RegionTarget:
    """Set a region's target for a year: admins any region; a 人社 department a region below its own (a province
    its cities', a city its counties'); anyone else 403."""
    reason = validate_region_code(region_code)
    if reason:
        raise ValidationFailed(reason, {"region_code": reason})
    access = hrss_access(actor)
    year, coordinators, coverage_share = data.year, data.coordinators, data.coverage_share
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
    access = hrss_access(actor)
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
