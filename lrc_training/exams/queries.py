"""Reads of the exams area. What other areas may read about exams: the registry's pass-rate trends, the
competitions' exam-scored theory items, and (through create_app's wiring) the candidates whose ID photos an
organization checks. Nobody else reads the exams area's tables; this module imports none of theirs but auth's
people and organizations. Below them, the reads of the area's own pages (views run no SQL themselves)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload

from ..auth.models import Organization, User, UserRole
from ..auth.roles import EXAMINER
from ..extensions import db
from .models import (
    Application,
    Attempt,
    ExamOutcomeMonth,
    ExamSession,
    PartResult,
    PartScore,
    Question,
    QuestionRevision,
    Response,
)


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


# -- the area's own pages ----------------------------------------------------------------------------------------

def with_application_counts(sessions: Select) -> Select:
    """The sessions of `sessions` (a select of ExamSession), each with its number of applications."""
    counts = select(Application.session_id, func.count().label("n")).group_by(Application.session_id).subquery()
    return (sessions.add_columns(func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.session_id == ExamSession.id))


def session_applications(session_id: int) -> list[Application]:
    """A session's applications with their people, in the order they came."""
    return list(db.session.execute(select(Application).options(joinedload(Application.user)).where(
        Application.session_id == session_id).order_by(Application.id)).scalars())


def attempt_counts(session_id: int) -> dict[str, int]:
    """A session's attempts counted by status."""
    return dict(db.session.execute(select(Attempt.status, func.count()).join(Application).where(
        Application.session_id == session_id).group_by(Attempt.status)).all())


def examiners_of(organization_id: int) -> list[User]:
    """The organization's examiners (考评员), by name."""
    return list(db.session.execute(select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == EXAMINER, User.organization_id == organization_id).order_by(User.name)).scalars())


def admitted_applications(session_id: int) -> list[Application]:
    """A session's approved applications by room and seat."""
    return list(db.session.execute(select(Application).where(
        Application.session_id == session_id, Application.status == "approved")
        .order_by(Application.room, Application.seat, Application.id)).scalars())


def part_scores_of(application_ids: list[int]) -> dict[tuple[int, str], Decimal]:
    """(application id, part) → the on-site score recorded for it."""
    if not application_ids:
        return {}
    return {(p.application_id, p.part): p.score for p in db.session.execute(select(PartScore).where(
        PartScore.application_id.in_(application_ids))).scalars()}


def unpublished_sessions_of(organization_id: int | None) -> list[ExamSession]:
    """The organization's sessions whose results are not published yet, latest first."""
    return list(db.session.execute(select(ExamSession).where(
        ExamSession.organization_id == (organization_id or -1), ExamSession.state != "published")
        .order_by(ExamSession.opens_at.desc())).scalars())


def responses_of(attempt_id: int) -> dict[int, Response]:
    """An attempt's saved answers by question id."""
    return {r.question_id: r for r in db.session.execute(
        select(Response).where(Response.attempt_id == attempt_id)).scalars()}


def questions_by_id(question_ids: Iterable[int]) -> dict[int, Question]:
    """These questions (with their current revision) by id."""
    return {q.id: q for q in db.session.execute(select(Question).options(joinedload(Question.current)).where(
        Question.id.in_(list(question_ids)))).scalars()}


def question_of(organization_id: int, question_id: int) -> Question | None:
    """The organization's question of this id, or None."""
    question = db.session.get(Question, question_id)
    return question if question is not None and question.organization_id == organization_id else None


def revisions_of(question_id: int) -> list[QuestionRevision]:
    """A question's revisions, newest first."""
    return list(db.session.execute(select(QuestionRevision).where(QuestionRevision.question_id == question_id)
                                   .order_by(QuestionRevision.number.desc())).scalars())
