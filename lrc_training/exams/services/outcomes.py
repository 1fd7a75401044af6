"""Monthly exam outcome counters for the statistics (pass rates per month and region): one row per month and
candidate organization, updated in the same transaction as publication and post-publication re-grading, and
rebuildable from the published results (`flask --app wsgi exams rebuild-outcomes`). A candidate passes when every
published part of their application passed; the month is the month of publication (UTC)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Integer, cast, delete, func, insert, select

from ...auth.models import User
from ...core.locking import take_write_lock
from ...extensions import db
from ..models import ExamOutcomeMonth, PartResult


def _bump(month: str, organization_id: int, candidates: int, passed: int) -> None:
    # Two publications for the same organization and month must not both insert the first row (unique key):
    # a transaction-scoped lock per counter serialises them (PostgreSQL advisory lock; SQLite's single writer).
    take_write_lock(f"exam_outcome:{month}:{organization_id}")
    row = db.session.execute(select(ExamOutcomeMonth).where(
        ExamOutcomeMonth.month == month, ExamOutcomeMonth.organization_id == organization_id)
        .with_for_update()).scalar()
    if row is None:
        db.session.add(ExamOutcomeMonth(month=month, organization_id=organization_id, candidates=candidates,
                                        passed=passed))
    else:
        row.candidates += candidates
        row.passed += passed
    db.session.flush()


def record_published(outcomes: list[tuple[int, bool]], published_at: datetime) -> None:
    """outcomes: (user id, passed) for every candidate whose results were just published."""
    organization_of = dict(db.session.execute(select(User.id, User.organization_id).where(
        User.id.in_([user_id for user_id, _ in outcomes]))).all()) if outcomes else {}
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for user_id, passed in outcomes:
        organization_id = organization_of.get(user_id)
        if organization_id is not None:
            counts[organization_id][0] += 1
            counts[organization_id][1] += int(bool(passed))
    month = f"{published_at:%Y-%m}"
    for organization_id, (candidates, passed) in sorted(counts.items()):
        _bump(month, organization_id, candidates, passed)


def record_regrade(user_id: int, published_at: datetime, passed_before: bool, passed_after: bool) -> None:
    """A re-grade that turns a pass into a fail (or back) moves one candidate between the counters."""
    if passed_before == passed_after:
        return
    organization_id = db.session.execute(select(User.organization_id).where(User.id == user_id)).scalar()
    if organization_id is not None:
        _bump(f"{published_at:%Y-%m}", organization_id, 0, 1 if passed_after else -1)


def application_passed(application_id: int) -> bool:
    passes = db.session.execute(select(PartResult.passed).where(PartResult.application_id == application_id)).all()
    return bool(passes) and all(p for (p,) in passes)


def rebuild() -> int:
    """Recount everything from the published part results (after an upgrade, or to check the counters)."""
    if db.engine.dialect.name == "postgresql":
        month = func.to_char(func.min(PartResult.published_at), "YYYY-MM")
    else:
        month = func.strftime("%Y-%m", func.min(PartResult.published_at))
    per_application = (select(month.label("month"), User.organization_id.label("organization_id"),
                              func.min(cast(PartResult.passed, Integer)).label("passed"))
                       .join(User, User.id == PartResult.user_id).where(User.organization_id.is_not(None))
                       .group_by(PartResult.application_id, User.organization_id).subquery())
    db.session.execute(delete(ExamOutcomeMonth))
    db.session.execute(insert(ExamOutcomeMonth).from_select(
        ["month", "organization_id", "candidates", "passed"],
        select(per_application.c.month, per_application.c.organization_id, func.count(),
               func.sum(per_application.c.passed)).group_by(per_application.c.month,
                                                              per_application.c.organization_id)))
    db.session.flush()
    return db.session.execute(select(func.count()).select_from(ExamOutcomeMonth)).scalar_one()
