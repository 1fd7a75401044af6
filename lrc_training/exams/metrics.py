"""What exams adds to /metrics (core/metrics.py), registered by create_app."""

from __future__ import annotations

from sqlalchemy import func, select

from ..core.metrics import DatabaseGauge
from ..extensions import db
from .models import Attempt


def open_attempts() -> int:
    return db.session.execute(select(func.count()).select_from(Attempt).where(Attempt.status == "in_progress")
                              ).scalar_one()


OPEN_ATTEMPTS = DatabaseGauge("lrc_exam_attempts_open", "Theory exam attempts in progress.", open_attempts)
