"""Papers drawn ahead of the window, so that pressing 开始考试 is one cheap INSERT however many candidates press
it in the same second.

A scheduler job draws every approved candidate's own paper (different questions and option order, the session's
blueprint) for sessions opening within LRC_PAPER_LEAD_MINUTES, and for candidates approved late while the window
is open. A paper belongs to the application and is shown only through the attempt, which exists from the moment
the candidate starts inside the window: a paper drawn ahead is never visible before. Until the window opens the
job also re-draws papers whose questions were edited or withdrawn since (so the corrected wording is used), and
a change of the session's level, parts or blueprint discards the papers drawn so far. A candidate without a
paper at the start (no scheduler running, approved a moment ago) gets one drawn then (attempts.begin_attempt).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select

from ...db import utcnow
from ...extensions import db
from ..models import Application, Attempt, ExamPaper, ExamSession, PaperItem, Question
from .papers import bank_snapshot, draw_paper, write_papers

BATCH = 500  # candidates per INSERT; the job commits after each session


def _unstarted(session_id: int):
    return (Application.session_id == session_id, Application.status == "approved",
            ~exists().where(Attempt.application_id == Application.id))


def discard_papers(session: ExamSession) -> int:
    """Forget the papers drawn for candidates who have not started (the blueprint, level or parts changed)."""
    ids = select(Application.id).where(*_unstarted(session.id)).scalar_subquery()
    db.session.execute(delete(PaperItem).where(PaperItem.application_id.in_(ids)))
    return db.session.execute(delete(ExamPaper).where(ExamPaper.application_id.in_(ids))).rowcount or 0


def _stale_applications(session: ExamSession) -> list[int]:
    """Unstarted papers using a question withdrawn or edited since they were drawn."""
    return list(db.session.execute(
        select(PaperItem.application_id).distinct()
        .join(Question, Question.id == PaperItem.question_id)
        .join(Application, Application.id == PaperItem.application_id)
        .where(*_unstarted(session.id),
               Question.active.is_(False) | (Question.current_revision_id != PaperItem.revision_id))).scalars())


def prepare_session_papers(session: ExamSession, now: datetime | None = None) -> int:
    """Draw a paper for every approved, unstarted, not theory-exempt candidate of the session without one.
    Before the window opens, papers with withdrawn or edited questions are drawn again. Returns papers drawn."""
    now = now or utcnow()
    if "theory" not in (session.parts or []) or session.state != "open" or now >= session.closes_at:
        return 0
    if now < session.opens_at:
        stale = _stale_applications(session)
        if stale:
            db.session.execute(delete(PaperItem).where(PaperItem.application_id.in_(stale)))
            db.session.execute(delete(ExamPaper).where(ExamPaper.application_id.in_(stale)))
    todo = db.session.execute(
        select(Application.id, Application.exempt_parts)
        .where(*_unstarted(session.id), ~exists().where(ExamPaper.application_id == Application.id))
        .order_by(Application.id).with_for_update(of=Application, skip_locked=True)).all()
    todo = [application_id for application_id, exempt in todo if "theory" not in (exempt or [])]
    if not todo:
        return 0
    bank = bank_snapshot(session)
    for start in range(0, len(todo), BATCH):
        write_papers([draw_paper(application_id, session, bank) for application_id in todo[start:start + BATCH]])
    db.session.flush()
    return len(todo)
