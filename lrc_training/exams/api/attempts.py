"""The candidate's theory exam over the API: start (or resume), read, autosave one answer, hand in. Two hot paths
answer before the normal one: the start (the stored paper's JSON text goes out as it is) and autosave
(`api_fast_path`: token, role, owner, rules and the upsert in one SQL statement)."""

from __future__ import annotations

import json

from flask import current_app, g, jsonify, request
from pydantic import ValidationError as PydanticValidationError

from ...auth.roles import ADMIN, ORG_STAFF, TRAINEE
from ...core.access import api_fast_path, bearer_token_hash, roles_required
from ...core.api import api_response, json_body
from ...core.errors import NotFound
from ...core.metrics import count_autosave
from ...core.request_log import log_quietly
from ...core.timeutil import iso_local
from ...extensions import db, limiter
from ..models import Attempt
from ..schemas.inputs import ResponseIn
from ..schemas.responses import AttemptOut, SavedOut, SubmittedOut
from ..services.attempts import (
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
from ..services.autosave import save_answer_by_token
from ..services.sessions import get_session_for_staff
from . import api_bp as bp


def attempt_json(attempt, responses: bool = True) -> dict:
    """An Attempt or a StartedAttempt; `responses=False` for one just started (it has none yet)."""
    return AttemptOut(
        id=attempt.id, status=attempt.status, started_at=iso_local(attempt.started_at),
        deadline=iso_local(attempt.deadline), questions=paper_for_candidate(attempt),
        responses={str(k): v for k, v in saved_responses(attempt).items()} if responses else {},
        objective_score=attempt.objective_score).model_dump()


def attempt_response(attempt, status: int, responses: bool = True):
    """attempt_json as a response; the paper's stored JSON text goes in as it is (no parsing and re-encoding
    of every question: many candidates start in the same second)."""
    stored = paper_text(attempt.application_id)
    if stored is None:
        return jsonify(attempt_json(attempt, responses)), status
    return _attempt_body(attempt, stored, status,
                         {str(k): v for k, v in saved_responses(attempt).items()} if responses else {})


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
@api_response(AttemptOut, 201)
def attempts_start(session_id: int):
    """Start the theory exam inside the window, or resume it (same paper, saved answers, true deadline)."""
    attempt = begin_attempt(g.api_identity.user_id, session_id)
    db.session.commit()
    return attempt_response(attempt, 201 if attempt.created else 200, responses=not attempt.created)


@bp.get("/attempts/<int:attempt_id>")
@roles_required(TRAINEE, ORG_STAFF, ADMIN)
@api_response(AttemptOut)
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
    count_autosave()
    log_quietly()
    return jsonify({"saved_at": iso_local(saved_at), "question_id": question_id})


@bp.put("/attempts/<int:attempt_id>/responses/<int:question_id>")
@roles_required(TRAINEE)
@api_fast_path(_responses_put_fast)
@json_body(ResponseIn)
@api_response(SavedOut)
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
    count_autosave()
    log_quietly()  # a successful save, whichever path took it
    return jsonify({"saved_at": iso_local(saved_at), "question_id": question_id})


@bp.post("/attempts/<int:attempt_id>/submit")
@roles_required(TRAINEE)
@api_response(SubmittedOut)
def attempts_submit(attempt_id: int):
    """Hand in the paper; objective questions are graded at once. A second submit is 409."""
    attempt = submit(get_attempt_for_candidate(g.api_user, attempt_id))
    db.session.commit()
    return jsonify(SubmittedOut(status=attempt.status, objective_score=attempt.objective_score,
                                submitted_at=iso_local(attempt.submitted_at)).model_dump())
