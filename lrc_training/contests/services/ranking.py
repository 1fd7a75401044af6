"""Aggregation, ranking and awards as plain functions over plain values, computed exactly with fractions
(72.1 is 72.1, never 72.09999…). Callable without a request or a database; the results service feeds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor

TWO_PLACES = Decimal("0.01")


def to_fraction(value) -> Fraction:
    """Exact value of a score given as str/Decimal/int (floats are converted through their shortest repr)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        value = repr(value)
    return Fraction(Decimal(str(value)))


def to_decimal(value: Fraction, places: Decimal = TWO_PLACES) -> Decimal:
    """Round half-up (away from zero) to `places`, from the exact value in one step: no intermediate division
    to 28 digits that could turn …4999… into …5."""
    value = to_fraction(value)
    exponent = -places.as_tuple().exponent
    scaled = abs(value) * 10 ** exponent
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return Decimal(-whole if value < 0 else whole).scaleb(-exponent).quantize(places)


def posted(value) -> Fraction:
    """The value as it is posted: rounded half-up to 2 decimal places. Ranking compares these."""
    return Fraction(to_decimal(value))


@dataclass(frozen=True)
class Aggregate:
    score: Fraction
    used: tuple[Fraction, ...]
    dropped: tuple[Fraction, ...]
    method: str


def aggregate(scores: list, method: str = "auto") -> Aggregate:
    """One item's score from its judges' sheet totals. auto: with 5 or more judges drop one highest and one
    lowest and average the rest, else the plain mean. Also: mean, trimmed, median."""
    values = sorted(to_fraction(s) for s in scores)
    if not values:
        raise ValueError("no scores")
    if method == "auto":
        method = "trimmed" if len(values) >= 5 else "mean"
    if method == "trimmed" and len(values) >= 3:
        start, stop = 1, len(values) - 1
    elif method == "median":
        middle = len(values) // 2
        start, stop = (middle - 1, middle + 1) if len(values) % 2 == 0 else (middle, middle + 1)
    else:
        start, stop, method = 0, len(values), "mean"
    used, dropped = values[start:stop], values[:start] + values[stop:]
    return Aggregate(sum(used, Fraction(0)) / len(used), tuple(used), tuple(dropped), method)


@dataclass
class Standing:
    key: object  # the contestant (registration id)
    total: Fraction
    practical: Fraction
    theory: Fraction
    rank: int = 0
    award: str | None = None
    item_scores: dict = field(default_factory=dict)


def rank(standings: list[Standing], tie_break: tuple[str, ...] = ("practical", "theory")) -> list[Standing]:
    """Order by total, then the tie-break fields, each rounded half-up to 2 decimals first (what is posted is
    what was ranked: 85.3267 and 85.33 both post as 85.33 and are equal here); equal on all shares a rank and the
    next rank skips (1, 2, 2, 4)."""
    def sort_key(s: Standing):
        return tuple(-posted(getattr(s, f)) for f in ("total", *tie_break))

    ordered = sorted(standings, key=lambda s: (sort_key(s), str(s.key)))
    previous = None
    for position, standing in enumerate(ordered, start=1):
        current = sort_key(standing)
        standing.rank = previous[1] if previous and previous[0] == current else position
        previous = (current, standing.rank)
    return ordered


def award_counts(n: int, ratios: dict[str, float | str]) -> dict[str, int]:
    """How many places each band has: rounded down, at least one first prize when there are contestants."""
    counts = {band: floor(n * to_fraction(ratios.get(band, 0))) for band in ("first", "second", "third")}
    if n and counts["first"] < 1:
        counts["first"] = 1
    return counts


def assign_awards(ordered: list[Standing], mode: str = "ratio", ratios: dict | None = None) -> None:
    """Awards by rank, so contestants sharing a rank share the award even when a band grows past its share.
    ratio: first/second/third by proportions (default 10/20/30%). national: gold/silver/bronze for ranks 1–3
    and 优胜奖 (excellence) for the rest of the top half."""
    n = len(ordered)
    if mode == "national":
        half = n // 2
        for s in ordered:
            s.award = {1: "gold", 2: "silver", 3: "bronze"}.get(s.rank) or ("excellence" if s.rank <= half else None)
        return
    counts = award_counts(n, ratios or {"first": 0.1, "second": 0.2, "third": 0.3})
    first = counts["first"]
    second = first + counts["second"]
    third = second + counts["third"]
    for s in ordered:
        s.award = ("first" if s.rank <= first else "second" if s.rank <= second else
                   "third" if s.rank <= third else None)


def panel_centre(values) -> Fraction:
    """The panel's median: one far-off judge does not drag the centre (and so flag the others)."""
    ordered = sorted(to_fraction(v) for v in values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def deviations(sheet_totals: dict, threshold: Fraction = Fraction(15, 100), item_max=100) -> list:
    """Judges whose sheet total is further than `threshold` × the item's maximum from the panel's median."""
    if len(sheet_totals) < 3:
        return []
    values = {k: to_fraction(v) for k, v in sheet_totals.items()}
    centre = panel_centre(values.values())
    limit = threshold * to_fraction(item_max)
    return sorted(k for k, v in values.items() if abs(v - centre) > limit)
