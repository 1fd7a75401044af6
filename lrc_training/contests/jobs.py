"""Timed work of the contests area (run by `flask scheduler`, never in web workers): the end of the notice period
(公示期) makes results final and records the rewards. Idempotent: a competition already final is not published
any more, so a second run finds nothing to do."""

from __future__ import annotations

import logging

from sqlalchemy import select

from ..core.scheduler import scheduled
from ..extensions import db
from .models import Competition
from .services.finalize import blocking_reason, finalize

log = logging.getLogger(__name__)


@scheduled("contests.finalize", seconds=60, description="公示期满后确定竞赛结果并记录奖励")
def finalize_due() -> int:
    """Finalize every competition whose notice period is over and nothing blocks it; each in its own transaction."""
    due = db.session.execute(select(Competition.id).where(Competition.state == "published")).scalars().all()
    done = 0
    for competition_id in due:
        competition = db.session.get(Competition, competition_id)
        if blocking_reason(competition):
            continue
        try:
            finalize(competition)
            db.session.commit()
            done += 1
        except Exception:
            db.session.rollback()
            log.exception("finalizing competition %s failed", competition_id)
    return done
