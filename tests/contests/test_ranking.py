"""Aggregation, ranking and awards as plain functions (docs/domain.md "Competitions")."""

from fractions import Fraction

import pytest

from lrc_training.contests.services.ranking import Standing, aggregate, assign_awards, award_counts, deviations, rank


def test_five_or_more_judges_drop_highest_and_lowest():
    result = aggregate(["60", "70.1", "72.1", "80", "90"])
    assert result.method == "trimmed" and result.dropped == (Fraction(60), Fraction(90))
    assert result.score == (Fraction("70.1") + Fraction("72.1") + Fraction(80)) / 3


def test_fewer_judges_use_the_plain_mean_exactly():
    assert aggregate(["72.1", "72.1", "72.1"]).score == Fraction("72.1")
    assert aggregate(["0.1", "0.2"]).score == Fraction("0.15")  # no binary-float drift


@pytest.mark.parametrize(("method", "expected"), [("mean", Fraction(5, 2)), ("median", Fraction(5, 2)),
                                                  ("trimmed", Fraction(5, 2))])
def test_configurable_methods(method, expected):
    assert aggregate([1, 2, 3, 4], method).score == expected


def standings(*rows):
    return [Standing(key, Fraction(str(t)), Fraction(str(p)), Fraction(str(th))) for key, t, p, th in rows]


def test_tie_break_practical_then_theory_then_shared_rank():
    ordered = rank(standings(("a", 85, 50, 35), ("b", 85, 55, 30), ("c", 85, 55, 30), ("d", 90, 60, 30),
                             ("e", 80, 40, 40)))
    assert [(s.key, s.rank) for s in ordered] == [("d", 1), ("b", 2), ("c", 2), ("a", 4), ("e", 5)]


def test_72_1_equals_72_1():
    ordered = rank(standings(("a", "72.1", 50, 22.1), ("b", Fraction("70.1") + 2, 50, 22.1)))
    assert ordered[0].rank == ordered[1].rank == 1


def test_award_counts_round_down_with_at_least_one_first():
    assert award_counts(0, {"first": 0.1, "second": 0.2, "third": 0.3}) == {"first": 0, "second": 0, "third": 0}
    assert award_counts(5, {"first": 0.1, "second": 0.2, "third": 0.3}) == {"first": 1, "second": 1, "third": 1}
    assert award_counts(27, {"first": 0.1, "second": 0.2, "third": 0.3}) == {"first": 2, "second": 5, "third": 8}


def test_shared_rank_shares_the_award_even_past_the_share():
    rows = [(f"p{i}", 100 - i, 50, 10) for i in range(10)]
    rows[1] = ("p1", 99, 50, 10)
    rows[2] = ("p2", 99, 50, 10)  # p1 and p2 share rank 2
    ordered = rank(standings(*rows))
    assign_awards(ordered)  # 10 contestants: 1 first, 2 second, 3 third
    awards = {s.key: s.award for s in ordered}
    assert awards["p0"] == "first"
    assert awards["p1"] == awards["p2"] == "second"
    assert [awards[f"p{i}"] for i in range(3, 6)] == ["third"] * 3
    assert awards["p6"] is None


def test_shared_first_place_makes_the_first_band_larger():
    ordered = rank(standings(("a", 90, 50, 40), ("b", 90, 50, 40), *[(f"x{i}", 50 - i, 20, 20) for i in range(8)]))
    assign_awards(ordered)
    assert [s.award for s in ordered[:3]] == ["first", "first", "second"]


def test_national_style_medals_and_excellence_for_the_top_half():
    ordered = rank(standings(*[(f"p{i}", 100 - i, 50, 10) for i in range(8)]))
    assign_awards(ordered, "national")
    assert [s.award for s in ordered] == ["gold", "silver", "bronze", "excellence", None, None, None, None]


def test_outlying_judges_are_flagged():
    assert deviations({"j1": 80, "j2": 82, "j3": 81, "j4": 40}, item_max=100) == ["j4"]
    assert deviations({"j1": 80, "j2": 82}, item_max=100) == []
