"""JSON API for skill-level assessment (docs/api.md "Exams")."""

from __future__ import annotations

import json

from flask import current_app, g, jsonify, request
from pydantic import ValidationError as PydanticValidationError

from ..auth.roles import ADMIN, EXAMINER, ORG_STAFF, TRAINEE
from ..core.access import api_fast_path, bearer_token_hash, login_required, roles_required
from ..core.api import created, json_body, paginate, parse_json, query_args
from ..core.errors import NotFound
from ..core.request_log import log_quietly
from ..core.timeutil import iso_local
from ..extensions import db, limiter
from . import api_bp as bp
from .models import Attempt, ExamSession
from .schemas import (
    ApplicationIn,
    DecisionIn,
    ExtendIn,
    GradeIn,
    PracticalScoreIn,
    QuestionIn,
    QuestionQuery,
    RegradeIn,
    ResponseIn,
    SessionIn,
)
from .services.applications import apply, decide, get_application_for_staff
from .services.attempts import (
    begin_attempt,
    close_if_overdue,
    get_attempt_for_candidate,
    paper_for_candidate,
    paper_text,
    save_response,
    saved_responses,
    start_by_token,
    submit,
)
from .services.autosave import save_answer_by_token
from .services.bank import BANK_ROLES, QuestionInput, create_question, get_question, search_questions
from .services.grading import grade, record_part_score, tasks_for
from .services.item_analysis import analyse_session, ensure_analysable
from .services.proctoring import extend_attempt, get_session_for_proctor, monitor
from .services.results import compute_results, publish, regrade_after_publication
from .services.sessions import SessionInput, create_session, get_session_for_staff, open_sessions


def question_json(question, with_answer: bool = True) -> dict:
    rev = question.current
    data = {"id": question.id, "kind": question.kind, "level": question.level, "function_code": question.function_code,
            "difficulty": question.difficulty, "stem": rev.stem, "options": rev.options, "points": float(rev.points),
            "revision": rev.number, "active": question.active}
    if with_answer:
        data.update(answer=rev.answer, explanation=rev.explanation, rubric=rev.rubric)
    return data


def session_json(session: ExamSession) -> dict:
    return {"id": session.id, "title": session.title, "level": session.level, "parts": session.parts,
            "opens_at": iso_local(session.opens_at), "closes_at": iso_local(session.closes_at),
            "applications_close_at": iso_local(session.applications_close_at),
            "duration_minutes": session.duration_minutes, "pass_mark": float(session.pass_mark),
            "blueprint": session.blueprint, "total_points": float(session.total_points), "state": session.state,
            "organization_id": session.organization_id, "partial_credit": session.partial_credit,
            "examiners_per_paper": session.examiners_per_paper, "version": session.version,
            "part_validity_years": session.part_validity_years, "issues_certificates": session.issues_certificates}


def attempt_json(attempt, responses: bool = True) -> dict:
    """An Attempt or a StartedAttempt; `responses=False` for one just started (it has none yet)."""
    return {"id": attempt.id, "status": attempt.status, "started_at": iso_local(attempt.started_at),
            "deadline": iso_local(attempt.deadline), "questions": paper_for_candidate(attempt),
            "responses": {str(k): v for k, v in saved_responses(attempt).items()} if responses else {},
            "objective_score": float(attempt.objective_score) if attempt.objective_score is not None else None}


def attempt_response(attempt, status: int, responses: bool = True):
    """attempt_json as a response; the paper's stored JSON text goes in as it is (no parsing and re-encoding
    of every question: many candidates start in the same second)."""
    stored = paper_text(attempt.application_id)
    if stored is None:
        return jsonify(attempt_json(attempt, responses)), status
    return _attempt_body(attempt, stored, status,
                         {str(k): v for k, v in saved_responses(attempt).items()} if responses else {})


@bp.post("/questions")
@roles_required(*BANK_ROLES)
@json_body(QuestionIn)
def questions_create(body: QuestionIn):
    """Add a question to the caller's organization's bank."""
    question = create_question(g.api_user, QuestionInput(**body.model_dump()))
    db.session.commit()
    return created(question_json(question))


@bp.get("/questions")
@roles_required(*BANK_ROLES)
@query_args(QuestionQuery, paginated=True)
def questions_list(query: QuestionQuery):
    """The caller's organization's questions (filters: level, kind, function_code, q), paginated."""
    stmt = search_questions(g.api_user, **query.model_dump())
    return jsonify(paginate(stmt, question_json))


@bp.get("/questions/<int:question_id>")
@roles_required(*BANK_ROLES)
def questions_get(question_id: int):
    """One question with its current revision."""
    return jsonify(question_json(get_question(g.api_user, question_id)))


@bp.post("/exam-sessions")
@roles_required(ORG_STAFF)
@json_body(SessionIn)
def sessions_create(body: SessionIn):
    """Create an exam session; 422 when the question bank cannot fill the blueprint."""
    session = create_session(g.api_user, SessionInput(
        title=body.title, level=body.level, opens_at=body.opens_at, closes_at=body.closes_at,
        duration_minutes=body.duration_minutes, blueprint=[row.model_dump(exclude_none=True) for row in body.blueprint],
        pass_mark=body.pass_mark, applications_close_at=body.applications_close_at, parts=body.parts,
        partial_credit=body.partial_credit, examiners_per_paper=body.examiners_per_paper,
        arbitration_share=body.arbitration_share, allow_review=body.allow_review,
        part_validity_years=body.part_validity_years))
    db.session.commit()
    return created(session_json(session))


@bp.get("/exam-sessions")
@login_required
def sessions_list():
    """Sessions open for applications, paginated."""
    return jsonify(paginate(open_sessions(), session_json))


@bp.get("/exam-sessions/<int:session_id>")
@login_required
def sessions_get(session_id: int):
    """One exam session."""
    session = db.session.get(ExamSession, session_id)
    if session is None or session.state == "draft":
        raise NotFound("认定批次不存在")
    return jsonify(session_json(session))


@bp.post("/exam-sessions/<int:session_id>/applications")
@roles_required(TRAINEE)
def applications_create(session_id: int):
    """Apply; 422 {"error":"ineligible"} with the reason (and the years computed) when the level's rules refuse it.
    Optional: work_started_on, education, related_major, prior_certificate_issued_on, prior_certificate_level."""
    body = parse_json(ApplicationIn) if request.get_data(cache=True).strip() else ApplicationIn()
    application = apply(g.api_user, session_id, **body.model_dump())
    db.session.commit()
    return created({"id": application.id, "status": application.status, "session_id": session_id,
                    "eligibility": application.eligibility_note, "exempt_parts": application.exempt_parts,
                    "work_years": float(application.work_years)})


def _decision(application_id: int, approve: bool):
    body = parse_json(DecisionIn) if request.get_data(cache=True).strip() else DecisionIn()
    application = decide(g.api_user, get_application_for_staff(g.api_user, application_id), approve, body.reason,
                         body.override_reason)
    db.session.commit()
    return jsonify({"id": application.id, "status": application.status,
                    "anonymous_code": application.anonymous_code})


@bp.post("/applications/<int:application_id>/approve")
@roles_required(ORG_STAFF)
def applications_approve(application_id: int):
    """Approve an application (with {"override_reason"} for one the rules refused)."""
    return _decision(application_id, True)


@bp.post("/applications/<int:application_id>/reject")
@roles_required(ORG_STAFF)
def applications_reject(application_id: int):
    """Reject an application, optionally with {"reason"}."""
    return _decision(application_id, False)


def _attempts_start_fast(roles: tuple[str, ...], session_id: int):
    """The common start (a paper drawn ahead, inside the window) in one statement; None hands the request to
    the normal path (resuming, drawing a paper now, any refusal, SQLite)."""
    token_hash = bearer_token_hash()
    started = start_by_token(token_hash, roles, session_id) if token_hash else None
    if started is None:
        return None
    return _attempt_body(*started, status=201, responses={})


def _attempt_body(attempt, questions: str, status: int, responses: dict):
    head = {"id": attempt.id, "status": attempt.status, "started_at": iso_local(attempt.started_at),
            "deadline": iso_local(attempt.deadline), "responses": responses,
            "objective_score": float(attempt.objective_score) if attempt.objective_score is not None else None}
    body = json.dumps(head, ensure_ascii=False)[:-1] + ', "questions": ' + questions + "}"
    return current_app.response_class(body, status=status, mimetype="application/json")


@bp.post("/exam-sessions/<int:session_id>/attempts")
@roles_required(TRAINEE)
@api_fast_path(_attempts_start_fast)
def attempts_start(session_id: int):
    """Start the theory exam inside the window, or resume it (same paper, saved answers, true deadline)."""
    attempt = begin_attempt(g.api_identity.user_id, session_id)
    db.session.commit()
    return attempt_response(attempt, 201 if attempt.created else 200, responses=not attempt.created)


@bp.get("/attempts/<int:attempt_id>")
@roles_required(TRAINEE, ORG_STAFF, ADMIN)
def attempts_get(attempt_id: int):
    """Your attempt with its questions and saved answers; staff of the session's organization see it too."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or (attempt.application.user_id != g.api_user.id
                           and not (g.api_user.has_role(ORG_STAFF) or g.api_user.has_role(ADMIN))):
        raise NotFound("答卷不存在")
    if attempt.application.user_id != g.api_user.id:
        get_session_for_staff(g.api_user, attempt.application.session_id)  # 404 outside the organization
    close_if_overdue(attempt)
    db.session.commit()
    return attempt_response(attempt, 200)


@limiter.request_filter
def _autosave_skips_the_limiter() -> bool:
    """Autosave has no rate limit (there are no default limits either): spare the hottest path the limiter's
    per-request bookkeeping."""
    return request.endpoint in ("exams_api.responses_put", "exams.candidate_save")


def _responses_put_fast(roles: tuple[str, ...], attempt_id: int, question_id: int):
    """Autosave's common case in one statement (token, role, owner, rules and the upsert); None hands the request
    to the normal path (a bad token or body, or any refusal: it answers with the error)."""
    token_hash = bearer_token_hash()
    if token_hash is None:
        return None
    try:
        body = ResponseIn.model_validate_json(request.get_data(cache=True))
    except PydanticValidationError:
        return None
    saved_at = save_answer_by_token(token_hash, roles, attempt_id, question_id, body.response)  # committed
    if saved_at is None:
        return None
    log_quietly()
    return jsonify({"saved_at": iso_local(saved_at), "question_id": question_id})


@bp.put("/attempts/<int:attempt_id>/responses/<int:question_id>")
@roles_required(TRAINEE)
@api_fast_path(_responses_put_fast)
@json_body(ResponseIn)
def responses_put(attempt_id: int, question_id: int, body: ResponseIn):
    """Save one answer (409 after the deadline or submission). The fast path above saves in one statement; this
    full path runs when it did not, and says why (or saves, when the state changed in between)."""
    attempt = get_attempt_for_candidate(g.api_user, attempt_id)
    try:
        saved_at = save_response(attempt, question_id, body.response)
    except Exception:
        db.session.commit()  # keep an auto-submission that the late write triggered
        raise
    db.session.commit()
    log_quietly()  # a successful save, whichever path took it
    return jsonify({"saved_at": iso_local(saved_at), "question_id": question_id})


@bp.post("/attempts/<int:attempt_id>/submit")
@roles_required(TRAINEE)
def attempts_submit(attempt_id: int):
    """Hand in the paper; objective questions are graded at once. A second submit is 409."""
    attempt = submit(get_attempt_for_candidate(g.api_user, attempt_id))
    db.session.commit()
    return jsonify({"status": attempt.status, "objective_score": float(attempt.objective_score),
                    "submitted_at": iso_local(attempt.submitted_at)})


@bp.get("/grading/tasks")
@roles_required(EXAMINER)
def grading_tasks():
    """Essay answers to grade, identified by an anonymous code, never a name."""
    tasks = tasks_for(g.api_user)
    db.session.commit()
    return jsonify({"items": tasks, "total": len(tasks)})


@bp.put("/grading/tasks/<int:task_id>")
@roles_required(EXAMINER)
@json_body(GradeIn)
def grading_put(task_id: int, body: GradeIn):
    """Grade an essay answer: 0 ≤ score ≤ the question's points."""
    task = grade(g.api_user, task_id, body.score, body.comment)
    db.session.commit()
    return jsonify({"id": task.id, "score": float(task.score), "comment": task.comment})


@bp.post("/exam-sessions/<int:session_id>/practical-scores")
@roles_required(EXAMINER)
@json_body(PracticalScoreIn)
def practical_scores(session_id: int, body: PracticalScoreIn):
    """Record a candidate's practical score (0–100); a later write replaces it until results are published."""
    session = db.session.get(ExamSession, session_id)
    if session is None or session.organization_id != g.api_user.organization_id:
        raise NotFound("认定批次不存在")
    row = record_part_score(g.api_user, session, body.application_id, body.score, body.part)
    db.session.commit()
    return jsonify({"application_id": row.application_id, "part": row.part, "score": float(row.score)})


@bp.post("/exam-sessions/<int:session_id>/regrades")
@roles_required(EXAMINER)
@json_body(RegradeIn)
def regrade(session_id: int, body: RegradeIn):
    """After publication, the chief examiner re-grades a practical or review score with a recorded reason."""
    session = db.session.get(ExamSession, session_id)
    if session is None or session.organization_id != g.api_user.organization_id:
        raise NotFound("认定批次不存在")
    result = regrade_after_publication(g.api_user, session, body.application_id, body.part, body.score, body.reason)
    db.session.commit()
    return jsonify({"application_id": result.application_id, "part": result.part, "score": float(result.score),
                    "passed": result.passed})


@bp.get("/exam-sessions/<int:session_id>/results")
@roles_required(ORG_STAFF, ADMIN)
def results(session_id: int):
    """Every candidate's part scores and pass/fail."""
    session = get_session_for_staff(g.api_user, session_id)
    return jsonify([row.as_json() for row in compute_results(session)])


@bp.post("/exam-sessions/<int:session_id>/publish")
@roles_required(ORG_STAFF)
def results_publish(session_id: int):
    """Publish the results to candidates; they are frozen afterwards."""
    session = get_session_for_staff(g.api_user, session_id)
    rows = publish(g.api_user, session)
    db.session.commit()
    return jsonify({"state": session.state, "published_at": iso_local(session.published_at),
                    "candidates": len(rows), "passed": sum(1 for r in rows if r.passed)})


@bp.get("/exam-sessions/<int:session_id>/item-analysis")
@roles_required(ORG_STAFF, ADMIN)
def item_analysis(session_id: int):
    """Facility, discrimination, option counts and flags per question; 409 until the window closed or all handed in."""
    session = get_session_for_staff(g.api_user, session_id)
    ensure_analysable(session)
    return jsonify(analyse_session(session).as_json())


def monitor_row_json(row) -> dict:
    return {"application_id": row.application_id, "anonymous_code": row.anonymous_code, "room": row.room,
            "seat": row.seat, "attempt_id": row.attempt_id, "state": row.state, "answered": row.answered,
            "last_saved_at": iso_local(row.last_saved_at) if row.last_saved_at else None,
            "deadline": iso_local(row.deadline) if row.deadline else None,
            "devices": row.devices, "addresses": row.addresses, "focus_losses": row.focus_losses,
            "extensions": row.extensions, "takeovers": row.takeovers, "paused": row.paused, "voided": row.voided}


@bp.get("/exam-sessions/<int:session_id>/monitor")
@roles_required(ORG_STAFF, EXAMINER, ADMIN)
def session_monitor(session_id: int):
    """Each approved candidate's state (not_started / answering / offline / submitted) by anonymous code and seat."""
    session = get_session_for_proctor(g.api_user, session_id)
    return jsonify([monitor_row_json(row) for row in monitor(session)])


@bp.post("/attempts/<int:attempt_id>/extend")
@roles_required(ORG_STAFF, ADMIN)
@json_body(ExtendIn)
def attempt_extend(attempt_id: int, body: ExtendIn):
    """Move one candidate's deadline by `minutes` (audited, with the reason)."""
    attempt = extend_attempt(g.api_user, attempt_id, body.minutes, body.reason)
    db.session.commit()
    return jsonify({"id": attempt.id, "status": attempt.status, "deadline": iso_local(attempt.deadline)})
