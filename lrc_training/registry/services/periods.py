"""Reporting periods: a year (`2026`), a quarter (`2026-Q4`) or a month (`2026-11`), and when a report for one
is late (迟报): still missing or a draft once the period has ended and the grace days after it have passed."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from ...core.errors import ValidationFailed

PERIOD_RE = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
PERIOD_HELP = "报告期格式：年度 2026、季度 2026-Q4 或月度 2026-11"
KIND_LABELS = {"year": "年报", "quarter": "季报", "month": "月报"}


@dataclass(frozen=True)
class Period:
    text: str
    kind: str  # year, quarter, month
    start: date
    end: date  # the last day of the period

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}年度"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年{self.start.month}月"

    def due(self, grace_days: int | None = None) -> date:
        """The last day a report is on time: the period's end plus the grace days (LRC_REPORT_GRACE_DAYS)."""
        if grace_days is None:
            grace_days = current_app.config["LRC_REPORT_GRACE_DAYS"]
        return self.end + timedelta(days=grace_days)

    def is_late(self, status: str, today: date, grace_days: int | None = None) -> bool:
        return status in ("missing", "draft") and today > self.due(grace_days)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str | None, today: date | None = None) -> Period:
    """The period, or 422 naming `period`: a wrong format, a year outside 2000–2100, or (given `today`) one not
    yet begun."""
    text = (text or "").strip()
    match = PERIOD_RE.match(text)
    if match is None:
        raise ValidationFailed(PERIOD_HELP, {"period": PERIOD_HELP})
    year = int(match.group(1))
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        reason = f"年份应在 {EARLIEST_YEAR}–{LATEST_YEAR} 之间"
        raise ValidationFailed(reason, {"period": reason})
    if match.group(2):
        quarter = int(match.group(2))
        period = Period(text, "quarter", date(year, quarter * 3 - 2, 1), _month_end(year, quarter * 3))
    elif match.group(3):
        month = int(match.group(3))
        period = Period(text, "month", date(year, month, 1), _month_end(year, month))
    else:
        period = Period(text, "year", date(year, 1, 1), date(year, 12, 31))
    if today is not None and period.start > today:
        raise ValidationFailed("报告期尚未开始", {"period": "报告期尚未开始，不能填报"})
    return period


def recent_periods(today: date) -> list[Period]:
    """The choices a page offers, newest first: the last 8 quarters, the last 12 months and the last 3 years."""
    quarter = (today.month - 1) // 3 + 1
    texts = []
    year, q = today.year, quarter
    for _ in range(8):
        texts.append(f"{year}-Q{q}")
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    year, month = today.year, today.month
    for _ in range(12):
        texts.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    texts.extend(str(today.year - i) for i in range(3))
    return [parse_period(t, today) for t in texts]


def default_period(today: date) -> Period:
    """The quarter that ended most recently: the one being reported on."""
    quarter = (today.month - 1) // 3 + 1
    year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return parse_period(f"{year}-Q{quarter}", today)
