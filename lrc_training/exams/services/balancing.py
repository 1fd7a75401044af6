"""Difficulty balancing when papers are drawn: every candidate's paper should be as hard as everyone else's.

Each question has an *expected facility* (the share of its points a candidate is expected to earn):
- measured, when item analysis of past sessions has it: the mean share over every candidate who had the question in
  a session whose window has closed and in which at least LRC_ITEM_STATS_MIN_CANDIDATES candidates (default 30) had
  it — smaller sessions say too little and are left out;
- otherwise from the difficulty stated in the bank (1 easiest … 5 hardest): 0.90, 0.75, 0.60, 0.45, 0.30.

The rule (docs/domain.md): for each blueprint row, the mean expected facility of the questions a paper draws lies
within ±LRC_PAPER_FACILITY_TOLERANCE / 2 (default ±0.025) of the mean over every question that row can draw from, so
any two candidates' papers differ by at most the tolerance (0.05) per row — and, the rows being the same on every
paper, on the whole paper. The draw stays random: a random set is drawn first and only then brought into the band by
as few swaps as needed, each chosen at random among those that work. A pool that cannot reach the band (too few
questions, or all far from their mean) gets as close as it can.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right

from flask import current_app
from sqlalchemy import Float, cast, func, or_, select

from ...db import utcnow
from ...extensions import db
from ..models import OBJECTIVE_KINDS, Application, Attempt, ExamSession, PaperItem, Response

STATED_FACILITY = {1: 0.90, 2: 0.75, 3: 0.60, 4: 0.45, 5: 0.30}
EPSILON = 1e-9


def min_candidates() -> int:
    return int(current_app.config.get("LRC_ITEM_STATS_MIN_CANDIDATES", 30))


def tolerance() -> float:
    return float(current_app.config.get("LRC_PAPER_FACILITY_TOLERANCE", 0.05))


def measured_facilities(question_ids, *, minimum: int | None = None) -> dict[int, tuple[float, int, int]]:
    """{question id: (facility, candidates, sessions)} over the closed sessions where at least `minimum` candidates
    had the question. `question_ids`: a list or a select of ids. One statement."""
    minimum = min_candidates() if minimum is None else minimum
    share = cast(func.coalesce(Response.score, 0), Float) / cast(PaperItem.points, Float)
    rows = db.session.execute(
        select(PaperItem.question_id, Application.session_id, func.count(), func.sum(share))
        .join(Application, Application.id == PaperItem.application_id)
        .join(ExamSession, ExamSession.id == Application.session_id)
        .join(Attempt, Attempt.application_id == Application.id)
        .outerjoin(Response, (Response.attempt_id == Attempt.id) & (Response.question_id == PaperItem.question_id))
        .where(PaperItem.question_id.in_(question_ids), Attempt.status == "submitted",
               ExamSession.closes_at <= utcnow(),
               or_(PaperItem.kind.in_(OBJECTIVE_KINDS), Response.score.is_not(None)))  # ungraded essays say nothing
        .group_by(PaperItem.question_id, Application.session_id)).all()
    pooled: dict[int, list] = {}
    for question_id, _session_id, candidates, total in rows:
        if candidates >= minimum:
            entry = pooled.setdefault(question_id, [0.0, 0, 0])
            entry[0] += float(total or 0)
            entry[1] += candidates
            entry[2] += 1
    return {q: (total / n, n, sessions) for q, (total, n, sessions) in pooled.items()}


def expected_facility(difficulty: int, measured: tuple | None) -> float:
    return measured[0] if measured is not None else STATED_FACILITY.get(difficulty, STATED_FACILITY[3])


def expected_facilities(questions: list[tuple[int, int]], question_ids) -> dict[int, float]:
    """{question id: expected facility} for (id, stated difficulty) pairs."""
    measured = measured_facilities(question_ids) if questions else {}
    return {q: expected_facility(difficulty, measured.get(q)) for q, difficulty in questions}


def _distance(total: float, low: float, high: float) -> float:
    return max(low - total, total - high, 0.0)


def _swap(picked: list[int], rest: list[int], expected: dict[int, float], total: float, low: float, high: float,
          rng: random.Random) -> tuple[int, int] | None:
    """(index in picked, index in rest) of a swap landing the sum in [low, high] (random among those), else of the
    swap that brings it closest — None when no swap gets closer than it is."""
    order = sorted(range(len(rest)), key=lambda j: expected[rest[j]])
    values = [expected[rest[j]] for j in order]
    best, best_distance = None, _distance(total, low, high)
    for i, question in enumerate(picked):
        base = total - expected[question]
        start, end = bisect_left(values, low - base - EPSILON), bisect_right(values, high - base + EPSILON)
        if start < end:
            return i, order[rng.randrange(start, end)]
        for k in (start - 1, start):  # the nearest values below and above the wanted range
            if 0 <= k < len(values) and _distance(base + values[k], low, high) < best_distance - EPSILON:
                best, best_distance = (i, order[k]), _distance(base + values[k], low, high)
    return best


def pick_balanced(pool: list[int], count: int, expected: dict[int, float], target: float, half_band: float,
                  rng: random.Random) -> list[int]:
    """`count` questions of `pool` (already shuffled) whose mean expected facility is within `half_band` of
    `target`, or as close as the pool allows."""
    picked, rest = list(pool[:count]), list(pool[count:])
    low, high = count * (target - half_band), count * (target + half_band)
    total = sum(expected[q] for q in picked)
    for _ in range(2 * count + 2):
        if _distance(total, low, high) <= EPSILON or not rest:
            break
        swap = _swap(picked, rest, expected, total, low, high, rng)
        if swap is None:
            break
        i, j = swap
        total += expected[rest[j]] - expected[picked[i]]
        picked[i], rest[j] = rest[j], picked[i]
    return picked


def paper_facility(question_ids: list[int], points: list[float], expected: dict[int, float]) -> float:
    """A paper's expected facility: its questions' expected facilities weighted by their points."""
    weight = sum(points)
    return sum(expected[q] * p for q, p in zip(question_ids, points, strict=True)) / weight if weight else 0.0
