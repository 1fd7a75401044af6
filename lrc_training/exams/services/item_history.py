"""One question's history across sessions: its facility and discrimination in each session that drew it, computed
exactly as the session's item analysis does (item_analysis.py), so the numbers on both pages agree — plus the
expected facility papers are balanced with now (balancing.py) and the key corrections made to it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ...db import utcnow
from ...extensions import db
from ..models import OBJECTIVE_KINDS, Application, Attempt, ExamSession, PaperItem, Question, QuestionRevision, Response
from ..review_models import KeyCorrection
from .balancing import STATED_FACILITY, measured_facilities, min_candidates
from .item_analysis import flag_for, pearson


@dataclass
class SessionPoint:
    session_id: int
    title: str
    closes_at: datetime
    candidates: int = 0
    facility: float | None = None
    discrimination: float | None = None
    flag: str | None = None
    revisions: list[int] = field(default_factory=list)  # revision numbers the papers carried
    running: bool = False  # the window is open and papers are still coming in: no numbers yet
    counts_for_balancing: bool = False


@dataclass
class QuestionHistory:
    question: Question
    points: list[SessionPoint]
    measured: tuple[float, int, int] | None  # (facility, candidates, sessions) used when drawing papers
    stated: float  # the facility the stated difficulty stands for
    minimum: int
    corrections: list[KeyCorrection]

    @property
    def session_titles(self) -> dict[int, str]:
        return {p.session_id: p.title for p in self.points}

    @property
    def expected(self) -> float:
        return self.measured[0] if self.measured else self.stated


def _rows(question_id: int):
    """Per attempt that had the question: session, attempt, status, kind, points, score, revision number."""
    return db.session.execute(
        select(Application.session_id, Attempt.id, Attempt.status, PaperItem.kind, PaperItem.points, Response.score,
               QuestionRevision.number)
        .join(Application, Application.id == PaperItem.application_id)
        .join(Attempt, Attempt.application_id == Application.id)
        .join(QuestionRevision, QuestionRevision.id == PaperItem.revision_id)
        .outerjoin(Response, (Response.attempt_id == Attempt.id) & (Response.question_id == PaperItem.question_id))
        .where(PaperItem.question_id == question_id)).all()


def _objective_totals(question_id: int) -> dict[int, float]:
    """Each attempt's objective total (what the item is correlated with), for the attempts that had the question."""
    attempts = (select(Attempt.id).join(PaperItem, PaperItem.application_id == Attempt.application_id)
                .where(PaperItem.question_id == question_id))
    return {a: float(t or 0) for a, t in db.session.execute(
        select(Response.attempt_id, func.sum(Response.score))
        .join(Attempt, Attempt.id == Response.attempt_id)
        .join(PaperItem, (PaperItem.application_id == Attempt.application_id)
              & (PaperItem.question_id == Response.question_id))
        .where(Response.attempt_id.in_(attempts), PaperItem.kind.in_(OBJECTIVE_KINDS))
        .group_by(Response.attempt_id)).all()}


def question_history(question: Question, now: datetime | None = None) -> QuestionHistory:
    """Oldest session first. A fixed number of statements whatever the number of sessions."""
    now = now or utcnow()
    rows = _rows(question.id)
    totals = _objective_totals(question.id)
    sessions = {s.id: s for s in db.session.execute(select(ExamSession).where(
        ExamSession.id.in_({r[0] for r in rows}))).scalars()} if rows else {}
    per_session: dict[int, list] = defaultdict(list)
    revisions: dict[int, set] = defaultdict(set)
    running = {sid for sid, _a, status, *_ in rows if status == "in_progress" and sessions[sid].closes_at > now}
    for session_id, attempt_id, status, kind, points, score, number in rows:
        revisions[session_id].add(number)
        if status != "submitted" or (kind not in OBJECTIVE_KINDS and score is None):
            continue
        earned = float(score or 0)
        per_session[session_id].append((earned / float(points) if points else 0.0, earned,
                                        totals.get(attempt_id, 0.0) - (earned if kind in OBJECTIVE_KINDS else 0.0)))
    minimum = min_candidates()
    points = []
    for session_id in sorted(sessions, key=lambda s: (sessions[s].closes_at, s)):
        session = sessions[session_id]
        point = SessionPoint(session_id=session_id, title=session.title, closes_at=session.closes_at,
                             revisions=sorted(revisions[session_id]), running=session_id in running)
        takers = per_session.get(session_id, [])
        if takers and not point.running:
            point.candidates = len(takers)
            point.facility = round(sum(t[0] for t in takers) / len(takers), 3)
            discrimination = pearson([t[1] for t in takers], [t[2] for t in takers])
            point.discrimination = None if discrimination is None else round(discrimination, 3)
            point.flag = flag_for(point.facility, point.discrimination)
            point.counts_for_balancing = session.closes_at <= now and len(takers) >= minimum
        points.append(point)
    corrections = list(db.session.execute(select(KeyCorrection).where(KeyCorrection.question_id == question.id)
                                          .order_by(KeyCorrection.created_at.desc())).scalars())
    return QuestionHistory(question=question, points=points, measured=measured_facilities([question.id]).get(
        question.id), stated=STATED_FACILITY.get(question.difficulty, STATED_FACILITY[3]), minimum=minimum,
        corrections=corrections)


def chart_points(history: QuestionHistory, width: int = 560, height: int = 160, pad: int = 24) -> dict:
    """Coordinates for the page's small SVG chart, one point per session: facility on 0…1 and discrimination
    mapped from -1…1 onto the same height; guide lines at the flag thresholds (0.9 and 0.2 facility)."""
    shown = [p for p in history.points if p.facility is not None]
    if not shown:
        return {"facility": "", "discrimination": "", "dots": [], "width": width, "height": height, "pad": pad,
                "guides": {}}
    step = (width - 2 * pad) / max(len(shown) - 1, 1)

    def y(value: float) -> float:
        return round(pad + (1 - value) * (height - 2 * pad), 1)

    dots = []
    for index, point in enumerate(shown):
        x = round(pad + index * step, 1)
        d = None if point.discrimination is None else y((point.discrimination + 1) / 2)
        dots.append({"x": x, "f": y(point.facility), "d": d, "label": point.title})
    return {"facility": " ".join(f"{d['x']},{d['f']}" for d in dots),
            "discrimination": " ".join(f"{d['x']},{d['d']}" for d in dots if d["d"] is not None),
            "dots": dots, "width": width, "height": height, "pad": pad,
            "guides": {"0.9": y(0.9), "0.2": y(0.2)}}
