"""课时 arithmetic: how many 课时 a session's times allow, the course's teaching plan, the completion requirement.

One 课时 is LRC_LESSON_MINUTES minutes of teaching (45 by default, as schools count it). A session may not
claim more 课时 than its duration holds; the sessions of a published course may not add up to more than the
course's total. The completion requirement is rounded up to a half 课时, the unit sessions are planned in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_FLOOR, Decimal

from flask import current_app, has_app_context

DEFAULT_LESSON_MINUTES = 45
HALF = Decimal("0.5")


def lesson_minutes() -> int:
    if has_app_context():
        return int(current_app.config.get("LRC_LESSON_MINUTES") or DEFAULT_LESSON_MINUTES)
    return DEFAULT_LESSON_MINUTES


def duration_minutes(starts_at: time, ends_at: time) -> int:
    start = datetime.combine(date.min, starts_at)
    end = datetime.combine(date.min, ends_at)
    return int((end - start).total_seconds() // 60)


def max_session_hours(starts_at: time, ends_at: time) -> Decimal:
    """The most 课时 a session of these times may claim, in half 课时 (09:00–12:00 at 45 minutes: 4)."""
    lessons = Decimal(duration_minutes(starts_at, ends_at)) / Decimal(lesson_minutes())
    return (lessons / HALF).to_integral_value(rounding=ROUND_FLOOR) * HALF


def round_up_to_half(value: Decimal) -> Decimal:
    """9.6 → 10.0, 9.2 → 9.5, 8 → 8.0: what people say when they count 课时."""
    return (Decimal(math.ceil(value / HALF)) * HALF).quantize(Decimal("0.1"))


def hours_text(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


@dataclass(frozen=True)
class PlanRow:
    session_id: int
    held_on: date
    starts_at: time
    ends_at: time
    topic: str
    hours: Decimal


@dataclass(frozen=True)
class TeachingPlan:
    """The sessions with their 课时, their total and the course's total 课时."""

    rows: list[PlanRow]
    total: Decimal
    course_hours: Decimal

    @property
    def over(self) -> bool:
        return self.total > self.course_hours

    @property
    def excess(self) -> Decimal:
        return max(self.total - self.course_hours, Decimal("0"))

    def summary(self) -> str:
        lines = "；".join(f"{row.held_on} {row.starts_at:%H:%M}–{row.ends_at:%H:%M} {hours_text(row.hours)} 课时"
                         for row in self.rows)
        return (f"课次合计 {hours_text(self.total)} 课时，超过课程总课时 {hours_text(self.course_hours)} 课时"
                f"（多 {hours_text(self.excess)} 课时）。课次安排：{lines}")


def teaching_plan(course) -> TeachingPlan:
    rows = [PlanRow(s.id, s.held_on, s.starts_at, s.ends_at, s.topic, s.hours) for s in course.sessions]
    total = sum((row.hours for row in rows), Decimal("0"))
    return TeachingPlan(rows=rows, total=total, course_hours=Decimal(course.hours))


def required_hours(course) -> Decimal:
    """The course's share of its 课时, rounded up to a half 课时 (12 × 80% = 9.6 → 10)."""
    return round_up_to_half(course.hours * course.completion_share)
