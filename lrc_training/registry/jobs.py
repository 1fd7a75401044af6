"""The registry's timed work (listed in create_app, run by `flask scheduler`; each is idempotent):

registry.coordinators  nightly, re-derive the coordinator read model (services/coordinators.py)
registry.selections    every five minutes, move selections (评选) on: close due nominations, finalize rounds whose
                       public notice is over
"""

from __future__ import annotations

from sqlalchemy import select

from ..core.scheduler import each_in_own_transaction, scheduled
from ..extensions import db
from .selection.models import SelectionRound
from .selection.services.notice import finalize_blocker, finalize_round
from .selection.services.rounds import close_due_nominations
from .services.coordinators import rebuild


@scheduled("registry.coordinators", seconds=24 * 3600, description="重新核对劳动关系协调员统计底表")
def rebuild_job() -> None:
    """Nightly: re-derive the whole read model, catching anything a bulk statement changed behind the flush."""
    rebuild()
    db.session.commit()


@scheduled("registry.selections", seconds=300, description="评选：推荐截止后进入评审，公示期满后确定结果")
def selections_due() -> int:
    """Close due nominations, then finalize every round whose notice is over and nothing blocks it, each in its
    own transaction. Idempotent: a final round is never looked at again."""
    close_due_nominations()
    db.session.commit()
    due = db.session.execute(select(SelectionRound.id).where(SelectionRound.state == "notice")).scalars().all()
    return each_in_own_transaction(due, _finalize, "finalizing selection")


def _finalize(round_id: int) -> bool:
    rnd = db.session.execute(select(SelectionRound).where(SelectionRound.id == round_id).with_for_update()).scalar()
    if rnd is None or finalize_blocker(rnd):
        return False
    finalize_round(rnd)
    return True
