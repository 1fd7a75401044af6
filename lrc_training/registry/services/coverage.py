"""Enterprise coverage as the guideline means it, region by region: an enterprise is covered by a coordinator of its
own or by a platform (park, township/street, community) whose service area includes it and which has one. The
uncovered ones are listed, largest first, for the 人社 department to act on."""

from __future__ import annotations

from sqlalchemy import Select, and_, case, func, select

from ...auth.models import Organization
from ...core.regions import child_width
from ...extensions import db
from .access import Access, coverage_conditions, visible_organizations
from .statistics import subregion_names

# The size filter on the uncovered list: at least this many workers (职工人数 as registered).
SIZE_CHOICES = {20: "20 人以上", 100: "100 人以上", 300: "300 人以上", 1000: "1000 人以上"}


def _enterprises(access: Access):
    return and_(Organization.kind == "enterprise", Organization.active.is_(True), visible_organizations(access))


def uncovered_enterprises(access: Access, min_employees: int | None = None) -> Select:
    """Enterprises in the caller's view with neither a coordinator of their own nor a serving platform that has one,
    largest first (unknown size last)."""
    own, platform = coverage_conditions(access)
    stmt = (select(Organization)
            .where(_enterprises(access), ~own, ~platform)
            .order_by(Organization.employees.desc().nulls_last(), Organization.region_code, Organization.id))
    if min_employees:
        stmt = stmt.where(Organization.employees >= min_employees)
    return stmt


def coverage_by_subregion(access: Access) -> list[dict]:
    """Per subregion of the caller's scope (cities of a province, counties of a city, streets of a county):
    enterprises, covered by their own coordinator, covered by a platform, uncovered — one GROUP BY."""
    return coverage_with_total(access)[0]


def coverage_with_total(access: Access) -> tuple[list[dict], int | None]:
    """(coverage_by_subregion, how many enterprises in the caller's view are uncovered — every grouped row counted,
    those at the scope's own code too; None below the smallest subregion level)."""
    width = child_width(access.scope)
    if not width:
        return [], None
    own, platform = coverage_conditions(access)
    part = func.substr(Organization.region_code, 1, width).label("part")
    rows = db.session.execute(
        select(part, func.count(), func.sum(case((own, 1), else_=0)),
               func.sum(case((and_(~own, platform), 1), else_=0)))
        .where(_enterprises(access)).group_by(part)).all()
    counts = {code: (total, int(by_own or 0), int(by_platform or 0)) for code, total, by_own, by_platform in rows}
    uncovered = sum(total - by_own - by_platform for total, by_own, by_platform in counts.values())
    names = subregion_names(access.scope, width)
    codes = sorted({c for c in names if c.startswith(access.scope) and c != access.scope.ljust(6, "0")}
                   | {c for c in counts if c and len(c) == width and c.startswith(access.scope)})
    result = []
    for code in codes:
        total, by_own, by_platform = counts.get(code, (0, 0, 0))
        covered = by_own + by_platform
        result.append({"region_code": code.ljust(6, "0"), "name": names.get(code, code.ljust(6, "0")),
                       "enterprises": total, "covered_by_own": by_own, "covered_by_platform": by_platform,
                       "uncovered": total - covered,
                       "share": round(covered / total, 4) if total else None})
    return result, uncovered
