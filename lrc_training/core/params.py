"""Raw request text to values, safely: integers typed as ASCII digits and within what the database holds, dates and
times within a sane range. The API schemas (core.api), the page filters and the forms' date fields all use these,
so one rule decides what a number or a date may be wherever it comes in."""

from __future__ import annotations

from datetime import date, datetime

# Largest integer the databases store (SQLite INTEGER, PostgreSQL BIGINT); Python's ints are unbounded and a larger
# one reaching a query raises OverflowError (a 500) instead of "not found".
MAX_DB_INT = 2**63 - 1

# Times people enter (exam sessions, deadlines) lie in this century; outside it, converting between time zones can
# overflow (9999-12-31T23:59:59-12:00 is year 10000 in UTC) and adding a day to 9999-12-31 raises OverflowError.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
# Plain dates may be older: someone may have started in the occupation, or been honored, before 2000.
EARLIEST_DATE_YEAR = 1950

DATETIME_RANGE_MESSAGE = f"时间应在 {EARLIEST_YEAR} 年至 {LATEST_YEAR} 年之间"
DATE_RANGE_MESSAGE = f"日期应在 {EARLIEST_DATE_YEAR} 年至 {LATEST_YEAR} 年之间"


def ascii_int(raw: object, *, low: int = -MAX_DB_INT, high: int = MAX_DB_INT) -> int | None:
    """`raw` as an integer when it is text of ASCII digits (surrounding spaces and one leading minus allowed) within
    [low, high]; None otherwise. Never use str.isdigit() / int() on input: isdigit() accepts '²' and '①' (which int()
    then refuses with a ValueError), int() accepts '١٢', '1_000' and thousands of digits."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits or not (digits.isascii() and digits.isdigit()):
        return None
    significant = digits.lstrip("0") or "0"
    if len(significant) > 19:  # more than MAX_DB_INT has
        return None
    value = int(significant) * (-1 if text.startswith("-") else 1)
    return value if low <= value <= high else None


def date_range_error(value: object) -> str | None:
    """Why a date or time is outside the range the platform accepts, or None (also for anything else)."""
    if isinstance(value, datetime):
        return None if EARLIEST_YEAR <= value.year <= LATEST_YEAR else DATETIME_RANGE_MESSAGE
    if isinstance(value, date):
        return None if EARLIEST_DATE_YEAR <= value.year <= LATEST_YEAR else DATE_RANGE_MESSAGE
    return None

