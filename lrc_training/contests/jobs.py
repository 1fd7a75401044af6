"""Timed work of the contests area (run by `flask scheduler`, never in web workers): the end of the notice period
(公示期) makes results final and records the rewards. Idempotent: a competition already final is not published
any more, so a second run finds nothing to do."""

from __future__ import annotations

from sqlalchemy import select

from ..core.scheduler import each_in_own_transaction, scheduled
from ..extensions import db
from .models import Competition
from .services.finalize import blocking_reason, finalize


@scheduled("contests.finalize", seconds=60, description="公示期满后确定竞赛结果并记录奖励")
def finalize_due() -> int:
    """Finalize every competition whose notice period is over and nothing blocks it; each in its own transaction."""
    due = db.session.execute(select(Competition.id).where(Competition.state == "published")).scalars().all()
    return each_in_own_transaction(due, _finalize, "finalizing competition")


def _finalize(competition_id: int) -> bool:
    competition = db.session.get(Competition, competition_id)
    if blocking_reason(competition):
        return False
    finalize(competition)
    return True
