"""Drawing papers: a paper per candidate from the session's blueprint and the question bank (difficulty-balanced,
options shuffled), written many at a time; the paper is stored as the candidate will see it."""

from __future__ import annotations

import json
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select

from ...core.errors import ValidationFailed
from ...db import utcnow
from ...extensions import db
from ..models import ExamPaper, ExamSession, PaperItem, Question, QuestionRevision
from .autosave import DISPLAY_KEYS
from .balancing import expected_facilities, pick_balanced, tolerance


@dataclass
class BankSnapshot:
    """What drawing papers for a session needs from the question bank, read once for all its candidates."""

    pools: dict[tuple, list[int]]  # (function_code, kind, difficulty or None) -> question ids, ascending
    revisions: dict[int, int]  # question id -> current revision id
    options: dict[int, dict[str, str]]  # revision id -> options (choice questions)
    stems: dict[int, str]  # revision id -> stem
    expected: dict[int, float]  # question id -> expected facility (balancing.py)


def bank_snapshot(session: ExamSession) -> BankSnapshot:
    """The session's pools in one statement (active questions of its organization and level; a retired question is
    never drawn), and their expected facilities in one more."""
    where = (Question.organization_id == session.organization_id, Question.level == session.level,
             Question.active.is_(True))
    rows = db.session.execute(
        select(Question.id, Question.function_code, Question.kind, Question.difficulty, Question.current_revision_id,
               QuestionRevision.options, QuestionRevision.stem)
        .join(QuestionRevision, QuestionRevision.id == Question.current_revision_id)
        .where(*where).order_by(Question.id)).all()
    pools: dict[tuple, list[int]] = {}
    for row in session.blueprint:
        key = (row["function_code"], row["kind"], row.get("difficulty"))
        pools.setdefault(key, [r.id for r in rows if r.function_code == key[0] and r.kind == key[1]
                               and (key[2] is None or r.difficulty == key[2])])
    expected = expected_facilities([(r.id, r.difficulty) for r in rows], select(Question.id).where(*where))
    return BankSnapshot(pools=pools, revisions={r.id: r.current_revision_id for r in rows},
                        options={r.current_revision_id: r.options for r in rows if r.options},
                        stems={r.current_revision_id: r.stem for r in rows}, expected=expected)


def _pick(session: ExamSession, bank: BankSnapshot, rng: random.Random) -> list[tuple[dict, int]]:
    """(blueprint row, question id) pairs: distinct questions, rows asking for the same pool share it, each row's
    mean expected facility within half the tolerance of its pool's mean (balancing.py)."""
    pools: dict[tuple, list[int]] = {}
    chosen: list[tuple[dict, int]] = []
    used: set[int] = set()
    half_band = tolerance() / 2
    for row in session.blueprint:
        key = (row["function_code"], row["kind"], row.get("difficulty"))
        if key not in pools:
            pool = list(bank.pools.get(key, []))
            rng.shuffle(pool)
            pools[key] = pool
        pool = [q for q in pools[key] if q not in used]
        if len(pool) < row["count"]:
            raise ValidationFailed("题库题量不足，无法组卷，请联系考务人员", {"blueprint": "题库题量不足"})
        target = sum(bank.expected[q] for q in pools[key]) / len(pools[key])
        for question_id in pick_balanced(pool, row["count"], bank.expected, target, half_band, rng):
            used.add(question_id)
            chosen.append((row, question_id))
    return chosen


def draw_paper(application_id: int, session: ExamSession, bank: BankSnapshot,
               seed: int | None = None) -> tuple[list[dict], dict]:
    """This candidate's own paper: different questions and option order from everyone else's, the same
    blueprint. Nothing is written: (rows for exam_paper_items, the row for exam_papers with the paper as shown)."""
    rng = random.Random(seed if seed is not None else secrets.randbits(64))  # noqa: S311 - not security
    picks = _pick(session, bank, rng)
    # Keep the blueprint's order of kinds (e.g. single, then true/false), shuffle inside each group.
    groups: dict[str, list] = defaultdict(list)
    for row, qid in picks:
        groups[row["kind"]].append((row, qid))
    order = [kind for kind in ("single", "multiple", "true_false", "essay") if kind in groups]
    rows, shown = [], []
    for kind in order:
        items = groups[kind]
        rng.shuffle(items)
        for row, qid in items:
            revision = bank.revisions[qid]
            options = bank.options.get(revision)
            option_order = None
            if kind in ("single", "multiple") and options:
                option_order = sorted(options)
                rng.shuffle(option_order)
            points = Decimal(str(row["points_each"]))
            rows.append({"application_id": application_id, "position": len(rows) + 1, "question_id": qid,
                         "revision_id": revision, "kind": kind, "points": points, "option_order": option_order})
            shown.append(shown_question(qid, len(rows), kind, bank.stems[revision], options, option_order, points))
    paper = {"application_id": application_id, "questions": json.dumps(shown, ensure_ascii=False),
             "total_points": sum((r["points"] for r in rows), Decimal("0")), "drawn_at": utcnow()}
    return rows, paper


def shown_question(question_id: int, position: int, kind: str, stem: str, options: dict | None, option_order: list | None,
           points: Decimal) -> dict:
    """A question as the candidate sees it: never the answer key, options relabelled A, B, C ..."""
    relabelled = None
    if option_order:
        relabelled = {DISPLAY_KEYS[i]: options[key] for i, key in enumerate(option_order)}
    return {"id": question_id, "position": position, "kind": kind, "stem": stem, "options": relabelled,
            "points": float(points)}


def write_papers(drawn: list[tuple[list[dict], dict]]) -> None:
    """Insert drawn papers (many candidates' at once)."""
    if drawn:
        db.session.execute(insert(PaperItem), [row for rows, _ in drawn for row in rows])
        db.session.execute(insert(ExamPaper), [paper for _, paper in drawn])


