"""Monthly trends for a region scope — level certificates issued, trainees completing courses, exam pass rates —
and large enterprises with fewer coordinators than the guideline asks for. Every number is aggregated in SQL (GROUP BY,
or a correlated count per large enterprise) in a constant number of queries however many people there are; people
count where their organization is (without one: their home region); the caller sees what registry access allows
(services.Access)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import case, func, select, true

from ...auth.models import Organization, User
from ...certificates.queries import level_certificates_by_month
from ...courses.queries import completions_by_month
from ...db import utcnow
from ...exams.queries import outcomes_by_month
from ...extensions import db
from ..models import Coordinator
from .access import Access, visible_organizations, visible_people


def months_back(count: int, today: date | None = None) -> list[str]:
    """The last `count` months as 'YYYY-MM', oldest first, ending with the current month."""
    today = today or utcnow().date()
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def monthly_trends(access: Access, months: int = 12) -> list[dict]:
    """[{month, certificates, completions, exam_candidates, exam_passed, pass_rate}] for the last `months` months.
    An exam candidate passes when every published part of their application passed (counted at publication)."""
    labels = months_back(months)
    start = date.fromisoformat(labels[0] + "-01")
    start_at = datetime(start.year, start.month, 1, tzinfo=UTC)

    # People counted where they are visible (their organization's region, else their home region): a subquery the
    # certificates and courses areas filter by (None: everyone, for the national view).
    people = None
    if access.prefix or not access.region_wide:
        people = (select(User.id).outerjoin(Organization, Organization.id == User.organization_id)
                  .where(visible_people(access)))
    certificates = level_certificates_by_month(start, people)
    completions = completions_by_month(start_at, people)

    # Pass rates come from the monthly outcome counters kept at publication (exams/services/outcomes.py, read
    # through exams/queries.py), not from a scan of every exam result.
    exams = outcomes_by_month(labels[0], visible_organizations(access))

    rows = []
    for label in labels:
        total, passed = exams.get(label, (0, 0))
        rows.append({"month": label, "certificates": certificates.get(label, 0),
                     "completions": completions.get(label, 0), "exam_candidates": total, "exam_passed": int(passed),
                     "pass_rate": round(100 * int(passed) / total, 1) if total else None})
    return rows


def large_enterprise_gaps(access: Access, limit: int = 200) -> dict:
    """Large enterprises (employees ≥ LRC_LARGE_ENTERPRISE_EMPLOYEES) with fewer coordinators than
    LRC_LARGE_ENTERPRISE_MIN_COORDINATORS: how many there are, and the first `limit` of them (fewest first)."""
    threshold = current_app.config["LRC_LARGE_ENTERPRISE_EMPLOYEES"]
    needed = current_app.config["LRC_LARGE_ENTERPRISE_MIN_COORDINATORS"]
    # Coordinators per organization from the read model, grouped once over the caller's region and joined to the large
    # enterprises (a correlated count per enterprise cost 0.5 s for a province's 28,000 large enterprises).
    counts = (select(Coordinator.organization_id, func.count().label("n"))
              .where(Coordinator.organization_id.is_not(None),
                     Coordinator.region_code.startswith(access.prefix) if access.prefix else true())
              .group_by(Coordinator.organization_id).subquery())
    have = func.coalesce(counts.c.n, 0)
    stmt = (select(Organization.id, Organization.name, Organization.region_code, Organization.employees,
                   have.label("have"))
            .outerjoin(counts, counts.c.organization_id == Organization.id)
            .where(Organization.kind == "enterprise", Organization.active.is_(True),
                   Organization.employees >= threshold, visible_organizations(access)))
    # One statement: window totals (large enterprises, those short of coordinators) on every row, rows fewest first.
    sub = stmt.subquery()
    ranked = select(sub, func.count().over().label("large"),
                    func.sum(case((sub.c.have < needed, 1), else_=0)).over().label("short")).subquery()
    rows = db.session.execute(select(ranked).order_by(ranked.c.have, ranked.c.employees.desc(), ranked.c.id)
                              .limit(max(limit, 1))).all()
    large, short_total = (rows[0].large, int(rows[0].short or 0)) if rows else (0, 0)
    short = [r for r in rows[:limit] if r.have < needed]
    return {"threshold": threshold, "needed": needed, "large": large, "short": short_total,
            "enterprises": [{"id": r.id, "name": r.name, "region_code": r.region_code, "employees": r.employees,
                             "coordinators": r.have} for r in short]}
