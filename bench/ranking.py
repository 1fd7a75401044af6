"""Ranking benchmark (issue: 2,000 contestants × 3 items × 7 judges × 10 criteria): exact aggregation with
fractions (trimmed mean of 7 judges), weighted totals, ranking with tie-breaks and award bands — the same
plain functions the results service uses — timed on their own.

Usage: .venv/bin/python bench/ranking.py
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lrc_training.contests.services.ranking import Standing, aggregate, assign_awards, rank, to_fraction  # noqa: E402

CONTESTANTS, ITEMS, JUDGES, CRITERIA = 2000, 3, 7, 10
WEIGHTS = [Fraction(30), Fraction(35), Fraction(35)]
KINDS = ["theory", "practical", "practical"]


def main() -> None:
    rng = random.Random(2026)
    # sheets[contestant][item][judge] = 10 criterion scores as strings with up to 1 decimal (as judges enter them)
    sheets = [[[[f"{rng.randint(0, 100) / 10:.1f}" for _ in range(CRITERIA)] for _ in range(JUDGES)]
               for _ in range(ITEMS)] for _ in range(CONTESTANTS)]
    item_max = Fraction(CRITERIA * 10)
    started = time.perf_counter()
    standings = []
    for key, items in enumerate(sheets):
        totals = {"total": Fraction(0), "theory": Fraction(0), "practical": Fraction(0)}
        for index, judges in enumerate(items):
            sheet_totals = [to_fraction(sum((Decimal(v) for v in criteria), Decimal(0))) for criteria in judges]
            weighted = aggregate(sheet_totals).score / item_max * WEIGHTS[index]
            totals["total"] += weighted
            totals[KINDS[index]] += weighted
        standings.append(Standing(key, totals["total"], totals["practical"], totals["theory"]))
    aggregated = time.perf_counter()
    ordered = rank(standings)
    assign_awards(ordered)
    finished = time.perf_counter()
    scores = CONTESTANTS * ITEMS * JUDGES * CRITERIA
    print(f"{CONTESTANTS} contestants × {ITEMS} items × {JUDGES} judges × {CRITERIA} criteria = {scores:,} scores")
    print(f"aggregate (exact fractions, trimmed mean): {aggregated - started:.2f} s")
    print(f"rank + awards: {(finished - aggregated) * 1000:.1f} ms")
    print(f"total: {finished - started:.2f} s; awards: "
          + ", ".join(f"{band} {sum(1 for s in ordered if s.award == band)}" for band in ("first", "second", "third")))


if __name__ == "__main__":
    main()
