"""Difficulty balancing: each candidate's paper is drawn so its mean expected facility per blueprint row stays within
half the tolerance of the bank's mean for that row (so two papers differ by at most the tolerance), measured
facility replaces the stated difficulty once enough candidates had a question, and retired questions are never
drawn."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from lrc_training.exams.models import Question
from lrc_training.exams.services.applications import apply, decide
from lrc_training.exams.services.attempts import save_response, start_attempt, submit
from lrc_training.exams.services.balancing import STATED_FACILITY, measured_facilities, pick_balanced
from lrc_training.exams.services.bank import QuestionInput, create_question, set_question_active
from lrc_training.exams.services.papers import bank_snapshot, draw_paper
from lrc_training.extensions import db
from tests.exams.helpers import make_session, setup_org
from tests.factories import make_user

TOLERANCE = 0.05
BLUEPRINT = [{"function_code": "LC", "kind": "single", "count": 5, "points_each": 10},
             {"function_code": "LC", "kind": "true_false", "count": 5, "points_each": 10}]


def _question(staff, kind: str, difficulty: int, n: int) -> Question:
    options = {"A": "甲", "B": "乙", "C": "丙", "D": "丁"} if kind == "single" else None
    return create_question(staff, QuestionInput(kind=kind, level=4, function_code="LC", stem=f"{kind}{n}",
                                                options=options, answer="B" if options else True,
                                                difficulty=difficulty))


@pytest.fixture
def mixed_bank(client):
    """Singles and true/false questions of every difficulty, four of each (20 per kind)."""
    org, staff = setup_org()
    for kind in ("single", "true_false"):
        for n in range(20):
            _question(staff, kind, n % 5 + 1, n)
    db.session.commit()
    return staff


def _row_means(rows: list[dict], expected: dict[int, float]) -> dict[str, float]:
    by_kind: dict[str, list[float]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(expected[row["question_id"]])
    return {kind: sum(values) / len(values) for kind, values in by_kind.items()}


def test_every_paper_is_as_hard_as_the_bank_and_two_papers_differ_by_at_most_the_tolerance(mixed_bank):
    session = make_session(mixed_bank, blueprint=BLUEPRINT)
    bank = bank_snapshot(session)
    assert {bank.expected[q] for q in bank.pools[("LC", "single", None)]} == set(STATED_FACILITY.values())
    bank_mean = sum(STATED_FACILITY.values()) / 5  # four questions of each difficulty
    papers = []
    for seed in range(60):
        rows, _ = draw_paper(1, session, bank, seed=seed)
        means = _row_means(rows, bank.expected)
        assert all(abs(mean - bank_mean) <= TOLERANCE / 2 + 1e-9 for mean in means.values()), (seed, means)
        papers.append(sum(bank.expected[r["question_id"]] * float(r["points"]) for r in rows)
                      / sum(float(r["points"]) for r in rows))
    assert max(papers) - min(papers) <= TOLERANCE + 1e-9
    # Still random: the 60 papers are not one paper.
    assert len({tuple(sorted(r["question_id"] for r in draw_paper(1, session, bank, seed=s)[0]))
                for s in range(60)}) > 30


def test_retired_questions_are_never_drawn(mixed_bank):
    singles = list(db.session.execute(select(Question).where(Question.kind == "single")
                                      .order_by(Question.id)).scalars())
    retired = {q.id for q in singles[:6]}
    for question in singles[:6]:
        set_question_active(mixed_bank, question, False)
    db.session.commit()
    session = make_session(mixed_bank, blueprint=BLUEPRINT)
    bank = bank_snapshot(session)
    for seed in range(40):
        rows, paper = draw_paper(1, session, bank, seed=seed)
        assert not retired & {r["question_id"] for r in rows}
        assert not any(f'"id": {q},' in paper["questions"] for q in retired)


def test_pick_balanced_reaches_the_band_by_swapping_and_gets_as_close_as_it_can_otherwise():
    expected = {1: 0.9, 2: 0.9, 3: 0.9, 4: 0.3, 5: 0.3, 6: 0.3}
    picked = pick_balanced([1, 2, 3, 4, 5, 6], 3, expected, 0.6, 0.025, random.Random(1))
    assert abs(sum(expected[q] for q in picked) / 3 - 0.6) <= 0.2 + 1e-9  # 0.7 or 0.5: the nearest a trio gets
    assert len(set(picked)) == 3
    balanced = pick_balanced([1, 2, 4, 5], 2, expected, 0.6, 0.025, random.Random(2))
    assert sorted(expected[q] for q in balanced) == [0.3, 0.9]  # the two easy ones drawn first are swapped


def test_measured_facility_replaces_the_stated_difficulty_once_enough_candidates_had_the_question(app, client):
    org, staff = setup_org()
    hard_on_paper = _question(staff, "single", 5, 0)  # stated 0.30, but everyone gets it right
    _question(staff, "single", 3, 1)
    db.session.commit()
    session = make_session(staff, blueprint=[{"function_code": "LC", "kind": "single", "count": 2,
                                              "points_each": 50}])
    for n in range(3):
        person = make_user("trainee", username=f"c{n}")
        decide(staff, apply(person, session.id, work_years=6), True)
        db.session.commit()
        attempt = start_attempt(person, session.id)
        item = next(i for i in attempt.items if i.question_id == hard_on_paper.id)
        save_response(attempt, hard_on_paper.id, "ABCD"[item.option_order.index("B")])
        submit(attempt)
        db.session.commit()
    with time_machine.travel(session.closes_at + timedelta(minutes=1), tick=False):
        app.config["LRC_ITEM_STATS_MIN_CANDIDATES"] = 3
        try:
            assert measured_facilities([hard_on_paper.id])[hard_on_paper.id] == (1.0, 3, 1)
            later = make_session(staff, title="第二批", blueprint=[{"function_code": "LC", "kind": "single",
                                                                   "count": 1, "points_each": 50}])
            assert bank_snapshot(later).expected[hard_on_paper.id] == 1.0
            app.config["LRC_ITEM_STATS_MIN_CANDIDATES"] = 4  # three candidates are too few: the stated 0.30
            assert bank_snapshot(later).expected[hard_on_paper.id] == STATED_FACILITY[5]
        finally:
            app.config["LRC_ITEM_STATS_MIN_CANDIDATES"] = 30
