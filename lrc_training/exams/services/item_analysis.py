"""Item analysis after a session: how each question behaved, so the bank's owners can retire or revise it.

Definitions (classical test theory, per question, over the candidates whose paper had it):
- facility = mean of (item score / item points);
- discrimination = Pearson correlation between the item score and the candidate's objective total minus that
  item (the "rest score"), so an item is not correlated with itself; None under 2 candidates or when either
  side has no variance;
- options = how many candidates chose each option, keyed by the bank's own option keys (each candidate saw them
  shuffled; their answers are mapped back through the paper's option order);
- flag = the first that applies of: too_easy (facility > 0.9), too_hard (< 0.2), negative (discrimination < 0),
  weak (discrimination < 0.2).
Session reliability is Cronbach's alpha (KR-20 for right/wrong items) over the questions every candidate had;
with different papers per candidate it is computed on those common questions only, and None when fewer than 2
questions are common.

Plain functions over plain rows: one query collects the data, the arithmetic runs in Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from ...core.errors import Conflict
from ...db import utcnow
from ...extensions import db
from ..models import OBJECTIVE_KINDS, Application, Attempt, ExamSession, PaperItem, Response
from .autosave import DISPLAY_KEYS

FLAG_LABELS = {"too_easy": "过易", "too_hard": "过难", "negative": "区分度为负", "weak": "区分度弱"}


@dataclass
class ItemStats:
    question_id: int
    kind: str
    candidates: int = 0
    answered: int = 0
    facility: float | None = None
    discrimination: float | None = None
    options: dict[str, int] = field(default_factory=dict)
    flag: str | None = None
    position_hint: int = 0  # first position the item appeared at, for a stable order

    def as_json(self) -> dict:
        return {"question_id": self.question_id, "kind": self.kind, "answered": self.answered,
                "candidates": self.candidates, "facility": self.facility, "discrimination": self.discrimination,
                "options": self.options, "flag": self.flag}


@dataclass
class Analysis:
    candidates: int
    items: list[ItemStats]
    reliability: float | None
    common_items: int

    def as_json(self) -> dict:
        return {"candidates": self.candidates, "items": [i.as_json() for i in self.items],
                "reliability": {"method": "cronbach_alpha", "value": self.reliability,
                                "common_items": self.common_items}}


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def cronbach_alpha(matrix: list[list[float]]) -> float | None:
    """Rows are candidates, columns items. None under 2 items, 2 candidates or zero total variance."""
    if len(matrix) < 2 or not matrix[0] or len(matrix[0]) < 2:
        return None
    k = len(matrix[0])

    def variance(values: list[float]) -> float:
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / (len(values) - 1)

    totals = [sum(row) for row in matrix]
    total_variance = variance(totals)
    if total_variance <= 1e-12:
        return None
    item_variance = sum(variance([row[j] for row in matrix]) for j in range(k))
    return k / (k - 1) * (1 - item_variance / total_variance)


def flag_for(facility: float | None, discrimination: float | None) -> str | None:
    if facility is not None and facility > 0.9:
        return "too_easy"
    if facility is not None and facility < 0.2:
        return "too_hard"
    if discrimination is not None and discrimination < 0:
        return "negative"
    if discrimination is not None and discrimination < 0.2:
        return "weak"
    return None


def _bank_keys(item_kind: str, option_order: list | None, given) -> list[str]:
    """The bank's option keys a candidate chose (answers are saved in the displayed A, B, C …)."""
    if item_kind == "true_false":
        return ["true" if given is True else "false"] if isinstance(given, bool) else []
    mapping = {DISPLAY_KEYS[i]: key for i, key in enumerate(option_order or [])}
    chosen = [given] if isinstance(given, str) else list(given or []) if isinstance(given, list) else []
    return [mapping[k] for k in chosen if k in mapping]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def ensure_analysable(session: ExamSession, now: datetime | None = None) -> None:
    """Only once the window has closed or every attempt is in: earlier numbers would change under the viewer."""
    now = now or utcnow()
    if now >= session.closes_at:
        return
    open_attempts = db.session.execute(select(Attempt.id).join(Application).where(
        Application.session_id == session.id, Attempt.status == "in_progress").limit(1)).first()
    started = db.session.execute(select(Attempt.id).join(Application).where(
        Application.session_id == session.id).limit(1)).first()
    if open_attempts is not None or started is None:
        raise Conflict("考试窗口结束或全部考生交卷后才能进行试题分析", {"session": "考试尚未结束"}, code="not_closed")


def _discriminate(stats: dict[int, ItemStats], shares: dict, earned_points: dict) -> None:
    """Each item's facility (mean share of its points), discrimination (correlation with the rest of the objective
    total) and flag."""
    totals = {a: sum(v for q, v in points.items() if stats[q].kind in OBJECTIVE_KINDS)
              for a, points in earned_points.items()}
    for question_id, item in stats.items():
        takers = [a for a, qs in shares.items() if question_id in qs]
        if not takers:
            continue
        item.facility = _round(sum(shares[a][question_id] for a in takers) / len(takers))
        raw = [earned_points[a][question_id] for a in takers]
        own = raw if item.kind in OBJECTIVE_KINDS else [0.0] * len(raw)  # essays are not in the objective total
        rest = [totals[a] - r for a, r in zip(takers, own, strict=True)]
        item.discrimination = _round(pearson(raw, rest))
        item.flag = flag_for(item.facility, item.discrimination)


def analyse_session(session: ExamSession) -> Analysis:
    rows = db.session.execute(
        select(Attempt.id, PaperItem.question_id, PaperItem.kind, PaperItem.points, PaperItem.option_order,
               PaperItem.position, Response.response, Response.score)
        .join(Application, Application.id == Attempt.application_id)
        .join(PaperItem, PaperItem.application_id == Attempt.application_id)
        .outerjoin(Response, (Response.attempt_id == Attempt.id) & (Response.question_id == PaperItem.question_id))
        .where(Application.session_id == session.id, Attempt.status == "submitted")
        .order_by(Attempt.id, PaperItem.position)).all()

    # Per attempt and question: the share of the item's points earned, and the points themselves. Objective items
    # and graded essays count.
    shares: dict[int, dict[int, float]] = defaultdict(dict)
    earned_points: dict[int, dict[int, float]] = defaultdict(dict)
    stats: dict[int, ItemStats] = {}
    for attempt_id, question_id, kind, points, option_order, position, given, score in rows:
        item = stats.get(question_id)
        if item is None:
            item = stats[question_id] = ItemStats(question_id=question_id, kind=kind, position_hint=position)
            if kind in ("single", "multiple"):
                item.options = {key: 0 for key in sorted(option_order or [])}
            elif kind == "true_false":
                item.options = {"true": 0, "false": 0}
        if kind not in OBJECTIVE_KINDS and score is None:
            continue  # an essay not graded yet says nothing about the item
        item.candidates += 1
        if given not in (None, "", []):
            item.answered += 1
            for key in _bank_keys(kind, option_order, given):
                item.options[key] = item.options.get(key, 0) + 1
        earned = float(score if score is not None else Decimal("0"))
        shares[attempt_id][question_id] = earned / float(points) if points else 0.0
        earned_points[attempt_id][question_id] = earned

    _discriminate(stats, shares, earned_points)

    common = [q for q in stats if all(q in qs for qs in earned_points.values())] if earned_points else []
    matrix = [[earned_points[a][q] for q in common] for a in earned_points]
    items = sorted(stats.values(), key=lambda i: (i.flag is None, i.position_hint, i.question_id))
    return Analysis(candidates=len(shares), items=items, reliability=_round(cronbach_alpha(matrix)),
                    common_items=len(common))
