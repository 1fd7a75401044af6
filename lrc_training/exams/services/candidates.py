"""The candidate's (学员) view of their applications: what they can do about each theory exam, their part results
and whether they passed, and their own answers reviewed after publication. Reads, except that an attempt found
past its deadline is handed in (the caller commits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...certificates.queries import certificates_of
from ...core.errors import NotFound
from ...db import utcnow
from ...extensions import db
from ..models import PARTS, QUESTION_KINDS, Application, Attempt, ExamSession, PartResult, QuestionRevision, Response
from .attempts import close_if_overdue, get_attempt_for_candidate, paper_for_candidate
from .autosave import DISPLAY_KEYS


def own_application(user, session_id: int) -> Application | None:
    return db.session.execute(select(Application).where(
        Application.session_id == session_id, Application.user_id == user.id)).scalar_one_or_none()


def attempt_of(application: Application) -> Attempt | None:
    return db.session.execute(select(Attempt).where(Attempt.application_id == application.id)).scalar_one_or_none()


def visible_session(session_id: int) -> ExamSession:
    """A session a candidate may see (any but a draft), or NotFound."""
    session = db.session.get(ExamSession, session_id)
    if session is None or session.state == "draft":
        raise NotFound("认定批次不存在")
    return session


def admitted_application(user, session_id: int) -> Application:
    """The candidate's approved application to the session, or NotFound."""
    application = own_application(user, session_id)
    if application is None or application.status != "approved":
        raise NotFound("报名不存在或尚未通过审核")
    return application


def ticket_application(user, application_id: int) -> Application:
    """The candidate's own approved application, whose admission ticket they may print; NotFound otherwise."""
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != user.id or application.status != "approved":
        raise NotFound("准考证不存在")
    return application


def exam_status(application: Application, attempt: Attempt | None, now: datetime) -> str:
    """What the candidate can do about the theory exam of this application: none (not admitted, or no theory
    part), exempt, in_progress / submitted (started), missed, not_yet or ready."""
    session = application.session
    if application.status != "approved" or "theory" not in session.parts:
        return "none"
    if "theory" in (application.exempt_parts or []):
        return "exempt"
    if attempt is not None:
        return attempt.status
    if session.state != "open":
        return "missed"
    if now < session.opens_at:
        return "not_yet"
    if now >= session.closes_at:
        return "missed"
    return "ready"


def paper_summary(session: ExamSession) -> list[tuple[str, int, float]]:
    """(kind label, questions, points) per kind of the session's blueprint, in paper order."""
    totals: dict[str, list] = {}
    for row in session.blueprint:
        entry = totals.setdefault(row["kind"], [0, Decimal("0")])
        entry[0] += row["count"]
        entry[1] += Decimal(str(row["points_each"])) * row["count"]
    return [(QUESTION_KINDS[k], totals[k][0], float(totals[k][1])) for k in QUESTION_KINDS if k in totals]


def objective_points(attempt: Attempt) -> Decimal:
    """The full marks of the paper's objective questions."""
    return sum((i.points for i in attempt.items if i.kind != "essay"), Decimal("0"))


def part_outcomes(application: Application, results: dict[str, PartResult]) -> list[dict]:
    """Each part of a published session: its score, and passed (an exempt part counts as passed)."""
    parts = []
    for part in application.session.parts:
        exempt = part in (application.exempt_parts or [])
        result = results.get(part)
        parts.append({"part": part, "label": PARTS[part], "exempt": exempt,
                      "score": result.score if result else None,
                      "passed": True if exempt else (result.passed if result else None)})
    return parts


def overall_passed(application: Application, parts: list[dict]) -> bool | None:
    """Passed when every part passed; None before publication or for an application not admitted."""
    if application.session.state != "published" or application.status != "approved":
        return None
    return all(p["passed"] for p in parts)


@dataclass
class MyExams:
    """The 我的认定 page: one row per application, the sessions still open for applications."""

    rows: list[dict]
    sessions: list[ExamSession]
    applied: set[int]
    closed_overdue: bool = False  # an attempt past its deadline was handed in: the caller commits
    now: datetime = field(default_factory=utcnow)


def _level_certificates(user_id: int) -> dict[str, list]:
    certificates: dict[str, list] = {}
    for cert in certificates_of(user_id):
        if cert.source_type == "exam_session" and cert.kind == "level":
            certificates.setdefault(cert.source_id, []).append(cert)
    return certificates


def _results_of(ids: list[int]) -> dict[int, dict[str, PartResult]]:
    results: dict[int, dict[str, PartResult]] = {}
    if ids:
        for row in db.session.execute(select(PartResult).where(PartResult.application_id.in_(ids))).scalars():
            results.setdefault(row.application_id, {})[row.part] = row
    return results


def my_exams(user, now: datetime | None = None) -> MyExams:
    """Everything the candidate's 我的认定 page shows, in a fixed number of statements."""
    now = now or utcnow()
    applications = list(db.session.execute(
        select(Application).where(Application.user_id == user.id)
        .options(selectinload(Application.session).selectinload(ExamSession.organization))
        .order_by(Application.id.desc())).scalars())
    ids = [a.id for a in applications]
    attempts = {a.application_id: a for a in db.session.execute(
        select(Attempt).where(Attempt.application_id.in_(ids))).scalars()} if ids else {}
    closed_any = False
    for attempt in attempts.values():
        closed_any |= close_if_overdue(attempt, now)  # an attempt left open past its deadline is handed in
    results, certificates = _results_of(ids), _level_certificates(user.id)
    sessions = list(db.session.execute(
        select(ExamSession).where(ExamSession.state == "open", ExamSession.applications_close_at > now)
        .options(selectinload(ExamSession.organization)).order_by(ExamSession.opens_at)).scalars())
    rows = [_row(application, attempts.get(application.id), results.get(application.id, {}), certificates, now)
            for application in applications]
    return MyExams(rows=rows, sessions=sessions, applied={a.session_id for a in applications},
                   closed_overdue=closed_any, now=now)


def _row(application: Application, attempt: Attempt | None, results: dict[str, PartResult],
         certificates: dict[str, list], now: datetime) -> dict:
    session = application.session
    published = session.state == "published"
    parts = part_outcomes(application, results) if published else []
    return {"application": application, "session": session, "attempt": attempt,
            "exam": exam_status(application, attempt, now), "published": published, "parts": parts,
            "passed": overall_passed(application, parts), "certificates": certificates.get(str(session.id), []),
            "may_review": bool(published and session.allow_review and attempt is not None
                               and attempt.status == "submitted")}


def display_answer(kind: str, option_order: list | None, key):
    """The answer key as the candidate's paper labelled it (A, B, C ... after shuffling)."""
    if kind in ("single", "multiple") and option_order:
        shown = {original: DISPLAY_KEYS[i] for i, original in enumerate(option_order)}
        if kind == "single":
            return shown.get(key)
        return sorted(shown[k] for k in key if k in shown)
    return key


def reviewable_attempt(user, attempt_id: int) -> Attempt:
    """The candidate's own handed-in attempt of a published session that allows review; NotFound otherwise."""
    attempt = get_attempt_for_candidate(user, attempt_id)
    session = attempt.application.session
    if session.state != "published" or not session.allow_review or attempt.status != "submitted":
        raise NotFound("答卷不存在")
    return attempt


def review_items(attempt: Attempt) -> list[dict]:
    """Each question as shown, with the answer given, the key (as the paper labelled it), the explanation and
    the score."""
    revisions = {r.id: r for r in db.session.execute(select(QuestionRevision).where(
        QuestionRevision.id.in_([i.revision_id for i in attempt.items]))).scalars()}
    responses = {r.question_id: r for r in db.session.execute(
        select(Response).where(Response.attempt_id == attempt.id)).scalars()}
    items = []
    for item, shown in zip(attempt.items, paper_for_candidate(attempt), strict=True):
        rev = revisions[item.revision_id]
        response = responses.get(item.question_id)
        given = response.response if response else None
        correct = display_answer(item.kind, item.option_order, rev.answer)
        items.append({**shown, "given": given, "correct": correct, "explanation": rev.explanation,
                      "score": response.score if response else (Decimal("0") if item.kind != "essay" else None),
                      "full": item.points,
                      "right": (given == correct) if item.kind != "essay" and given not in (None, []) else None})
    return items
