"""The registry's statistics for a region scope: coordinators by level, organization kind, subregion and category
(one GROUP BY over the read model), enterprise coverage (one more statement) and the region's target for this year
(a third). People without an organization count under their home region (kind "none")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select

from ...auth.models import Organization
from ...core.region_names import children_names
from ...core.regions import CITIES, COUNTIES, PROVINCES, child_width
from ...db import utcnow
from ...extensions import db
from ..models import CATEGORIES, Coordinator, RegionTarget, RegistryEntry
from .access import Access, coverage_conditions, visible_coordinators, visible_organizations


def statistics(access: Access) -> dict:
    """Counts by level, organization kind, subregion and category, enterprise coverage and this year's target."""
    counts = _coordinator_counts(access)
    coverage = _coverage(access)
    result = {"region_code": access.code, "scope": access.scope, "total": counts.total,
              "by_level": counts.by_level, "by_organization_kind": dict(counts.by_kind),
              "by_subregion": _subregions(access.scope, counts.by_part), "by_category": counts.by_category,
              "coverage": coverage}
    target = _target(access, counts.total, coverage)
    if target is not None:
        result["target"] = target
    return result


def subregion_names(scope: str, width: int) -> dict[str, str]:
    """The subregions one level below `scope` (codes `width` long): the national table's provinces, cities and
    counties, or the loaded township/community names."""
    return (PROVINCES if width == 2 else CITIES if width == 4 else COUNTIES if width == 6
            else children_names(scope, width))


@dataclass
class _Counts:
    total: int = 0
    by_level: dict[str, int] = field(default_factory=lambda: {str(k): 0 for k in (4, 3, 2, 1)})
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_part: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_category: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys((*CATEGORIES, "full_time", "part_time"), 0))


def _coordinator_counts(access: Access) -> _Counts:
    """One GROUP BY over the coordinators the caller may see; the totals are sums of its rows."""
    width = child_width(access.scope)
    part = func.substr(Coordinator.region_code, 1, width or 12).label("part")
    kind, highest = Coordinator.organization_kind, Coordinator.level

    def flag(column):
        return func.sum(case((column.is_(True), 1), else_=0))

    grouped = (select(highest, kind, part, func.count(), flag(RegistryEntry.negotiation_instructor),
                      flag(RegistryEntry.party_member), flag(RegistryEntry.union_cadre),
                      flag(RegistryEntry.full_time))
               .select_from(Coordinator)
               .outerjoin(RegistryEntry, RegistryEntry.user_id == Coordinator.user_id)
               .where(visible_coordinators(access)))
    counts = _Counts()
    for level, org_kind, code, count, *flags in db.session.execute(grouped.group_by(highest, kind, part)):
        counts.total += count
        if level is not None:
            counts.by_level[str(level)] += count
        counts.by_kind[org_kind] += count
        if code:
            counts.by_part[code] += count
        for key, value in zip((*CATEGORIES, "full_time"), flags, strict=True):
            counts.by_category[key] += int(value or 0)
    counts.by_category["part_time"] = counts.total - counts.by_category["full_time"]
    return counts


def _subregions(scope: str, counts: dict[str, int]) -> list[dict]:
    """One row per subregion of the scope, in code order; organizations registered at the scope's own code
    (shorter than the next level) are in no subregion."""
    width = child_width(scope)
    if not width:
        return []
    names = subregion_names(scope, width)
    known = [c for c in names if c.startswith(scope) and c != scope.ljust(6, "0")]
    rows = []
    for code in sorted(set(known) | {c for c in counts if len(c) == width and c.startswith(scope)}):
        full = code.ljust(6, "0")
        rows.append({"region_code": full, "name": names.get(code, full), "total": counts.get(code, 0)})
    return rows


def _coverage(access: Access) -> dict:
    """Active enterprises the caller may see, covered by a coordinator of their own or by a platform: one statement."""
    own, platform = coverage_conditions(access)
    enterprises, by_own, by_platform = db.session.execute(
        select(func.count(), func.sum(case((own, 1), else_=0)),
               func.sum(case((and_(~own, platform), 1), else_=0)))
        .select_from(Organization)
        .where(Organization.kind == "enterprise", Organization.active.is_(True), visible_organizations(access))).one()
    by_own, by_platform = int(by_own or 0), int(by_platform or 0)
    return {"enterprises": enterprises, "covered": by_own + by_platform, "covered_by_own": by_own,
            "covered_by_platform": by_platform, "enterprises_with_coordinator": by_own}


def _ratio(value: float, target: float) -> float | None:
    return round(value / target, 2) if target else None


def _target(access: Access, total: int, coverage: dict) -> dict | None:
    """The region's target for this year with the actual figures and progress (None without one, or nationally)."""
    if not access.code:
        return None
    target = db.session.execute(select(RegionTarget).where(
        RegionTarget.scope == access.scope, RegionTarget.year == utcnow().year)).scalar()
    if target is None:
        return None
    enterprises = coverage["enterprises"]
    share = coverage["covered"] / enterprises if enterprises else 0.0
    return {"year": target.year, "coordinators": target.coordinators, "coverage_share": target.coverage_share,
            "actual": {"coordinators": total, "coverage_share": round(share, 4)},
            "progress": {"coordinators": _ratio(total, target.coordinators),
                         "coverage_share": _ratio(share, target.coverage_share)}}
