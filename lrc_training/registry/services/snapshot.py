"""What a report freezes: the region's statistics when it is made (coordinators by level, category and
organization kind, enterprise coverage), the work recorded at its enterprises during the period by kind, the risk
reports opened and closed during the period, and the roll-up of the child regions' approved reports."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import case, func, select

from ...auth.models import Organization
from ...core.regions import region_name
from ...core.timeutil import local_zone
from ...extensions import db
from ..models import WORK_KINDS, Report, RiskReport, WorkRecord
from .access import Access
from .periods import Period
from .statistics import statistics


def scope_code(scope: str) -> str:
    """The region code a scope is shown as: 37 → 370000, 3715 → 371500; township and community scopes as they are."""
    return scope.ljust(6, "0") if len(scope) < 6 else scope


def _work_counts(scope: str, period: Period) -> dict[str, int]:
    stmt = (select(WorkRecord.kind, func.count())
            .join(Organization, Organization.id == WorkRecord.enterprise_id)
            .where(Organization.region_code.startswith(scope),
                   WorkRecord.occurred_on.between(period.start, period.end))
            .group_by(WorkRecord.kind))
    counts = dict(db.session.execute(stmt).all())
    return {kind: int(counts.get(kind, 0)) for kind in WORK_KINDS}


def _risk_counts(scope: str, period: Period) -> dict[str, int]:
    """Opened during the period (of them `high`), closed during the period, and still open when frozen."""
    zone = local_zone()  # the period's days are local days; the database keeps UTC
    start = datetime.combine(period.start, time.min, zone).astimezone(UTC)
    end = datetime.combine(period.end + timedelta(days=1), time.min, zone).astimezone(UTC)

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    opened_in = (RiskReport.opened_at >= start) & (RiskReport.opened_at < end)
    row = db.session.execute(select(
        count(opened_in), count(opened_in & (RiskReport.severity == "high")),
        count(RiskReport.closed_at.is_not(None) & (RiskReport.closed_at >= start) & (RiskReport.closed_at < end)),
        count(RiskReport.status == "open"))
        .where(RiskReport.region_code.startswith(scope))).one()
    opened, high, closed, still_open = (int(v or 0) for v in row)
    return {"opened": opened, "high": high, "closed": closed, "open_now": still_open}


def child_figures(snapshot: dict) -> dict:
    """The figures of a child's approved report that the parent's roll-up shows."""
    coverage = snapshot["coverage"]
    return {"total": snapshot["total"], "by_level": snapshot["by_level"],
            "enterprises": coverage["enterprises"], "covered": coverage["covered"],
            "work_records": sum(snapshot["work_records"].values()),
            "risk_opened": snapshot["risk_reports"]["opened"], "risk_high": snapshot["risk_reports"]["high"],
            "risk_closed": snapshot["risk_reports"]["closed"]}


def rollup(children: list[str], period: str) -> list[dict]:
    """One row per child region (in the order given) with its report's status and, when approved, its figures:
    one statement whatever the number of children."""
    reports = {}
    if children:
        reports = {r.scope: r for r in db.session.execute(
            select(Report).where(Report.scope.in_(children), Report.period == period)).scalars()}
    rows = []
    for scope in children:
        report = reports.get(scope)
        approved = report is not None and report.status == "approved"
        rows.append({"region_code": scope_code(scope), "name": region_name(scope_code(scope)),
                     "report_id": report.id if report else None,
                     "status": report.status if report else "missing",
                     "figures": child_figures(report.snapshot) if approved else None})
    return rows


def with_rollup(snapshot: dict, children: list[str], period: str) -> dict:
    """The snapshot with the children's rows and the sums over the approved ones brought up to date."""
    rows = rollup(children, period)
    approved = [r["figures"] for r in rows if r["figures"]]
    totals = {key: sum(f[key] for f in approved) for key in
              ("total", "enterprises", "covered", "work_records", "risk_opened", "risk_high", "risk_closed")}
    return {**snapshot, "children": rows, "children_approved": {"count": len(approved), "of": len(rows), **totals}}


def build_snapshot(scope: str, period: Period, children: list[str]) -> dict:
    """Everything the report shows, as plain JSON values."""
    code = scope_code(scope)
    stats = statistics(Access(scope, code, scope))
    return with_rollup({"region_code": code, "region_name": region_name(code), "period": period.text,
            "period_label": period.label, "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(), "total": stats["total"], "by_level": stats["by_level"],
            "by_category": stats["by_category"], "by_organization_kind": stats["by_organization_kind"],
            "coverage": stats["coverage"], "work_records": _work_counts(scope, period),
            "risk_reports": _risk_counts(scope, period)}, children, period.text)
