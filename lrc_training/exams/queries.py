"""What other areas may read about exams: the registry's pass-rate trends, the competitions' exam-scored theory
items, and (through create_app's wiring) the candidates whose ID photos an organization checks. Nobody else reads
the exams area's tables; this module imports none of theirs."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, func, select

from ..auth.models import Organization
from ..extensions import db
from .models import Application, ExamOutcomeMonth, ExamSession, PartResult


def outcomes_by_month(since_month: str, organizations: ColumnElement[bool]) -> dict[str, tuple[int, int]]:
    """'YYYY-MM' → (candidates, passed) from `since_month` on, for the candidates of the organizations the
    condition on `auth.models.Organization` admits. Counted at publication and kept up to date on regrades, so
    this never scans exam results."""
    rows = db.session.execute(
        select(ExamOutcomeMonth.month, func.sum(ExamOutcomeMonth.candidates), func.sum(ExamOutcomeMonth.passed))
        .join(Organization, Organization.id == ExamOutcomeMonth.organization_id)
        .where(ExamOutcomeMonth.month >= since_month, organizations)
        .group_by(ExamOutcomeMonth.month)).all()
    return {month: (total or 0, passed or 0) for month, total, passed in rows}


def published_session_count(session_ids: Iterable[int]) -> int:
    """How many of these exam sessions have published their results."""
    ids = list(set(session_ids))
    if not ids:
        return 0
    return db.session.execute(select(func.count()).where(
        ExamSession.id.in_(ids), ExamSession.state == "published")).scalar_one()


def theory_scores(session_ids: Iterable[int], user_ids: Iterable[int]) -> list[tuple[int, int, Decimal]]:
    """(session id, user id, published theory score 0–100) of these people in these sessions."""
    return [tuple(row) for row in db.session.execute(
        select(Application.session_id, PartResult.user_id, PartResult.score)
        .join(Application, Application.id == PartResult.application_id)
        .where(Application.session_id.in_(list(session_ids)), PartResult.part == "theory",
               PartResult.user_id.in_(list(user_ids)), PartResult.score.is_not(None))).all()]


def session_owner_and_parts(session_id: int) -> tuple[int, list[str]] | None:
    """(organization id, parts) of an exam session, or None when there is none."""
    session = db.session.get(ExamSession, session_id)
    return None if session is None else (session.organization_id, list(session.parts or []))


def theory_sessions_of(organization_id: int, limit: int = 200) -> list[tuple[int, str]]:
    """(id, title) of the organization's latest exam sessions that have a theory paper."""
    sessions = db.session.execute(select(ExamSession).where(
        ExamSession.organization_id == organization_id).order_by(ExamSession.id.desc()).limit(limit)).scalars()
    return [(s.id, s.title) for s in sessions if "theory" in (s.parts or [])]


def candidate_user_ids(organization_id: int) -> Select:
    """The people who applied (pending or admitted) to a session the organization runs: its staff check their ID
    photos and print them on admission tickets and sign-in sheets."""
    return (select(Application.user_id).join(ExamSession, ExamSession.id == Application.session_id)
            .where(ExamSession.organization_id == organization_id, Application.status != "rejected"))
