"""Taking the theory exam (学员): the start (a POST, so a prefetched link never starts the clock), the paper with
autosave and a server-synchronised countdown, the focus-loss reports, handing in, and the page after it."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import TRAINEE
from ...core.access import roles_required
from ...core.errors import Conflict, DomainError
from ...core.forms import run_action
from ...core.levels import LEVEL_LABELS
from ...core.metrics import count_autosave
from ...core.request_log import log_quietly
from ...core.timeutil import iso_local, to_local
from ...core.web_forms import ActionForm
from ...db import utcnow
from ...extensions import db
from ..models import QUESTION_KINDS, Attempt
from ..queries import responses_of
from ..services import autosave
from ..services.attempts import (
    close_if_overdue,
    get_attempt_for_candidate,
    paper_for_candidate,
    save_response,
    start_attempt,
    submit,
)
from ..services.candidates import (
    admitted_application,
    attempt_of,
    exam_status,
    objective_points,
    paper_summary,
    visible_session,
)
from ..services.proctoring import check_device, record_focus_loss, record_presence, take_over
from . import bp


def _iso_ms(value: datetime) -> str:
    """ISO 8601 with milliseconds and the local offset, for the exam page's clock."""
    return to_local(value).isoformat(timespec="milliseconds")


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    try:
        return get_attempt_for_candidate(current_user, attempt_id)
    except DomainError:
        abort(404)


def _json_error(exc: DomainError):
    body = {"error": exc.code, "message": exc.message, "fields": exc.fields,
            "server_now": _iso_ms(utcnow())}
    return jsonify(body), exc.status


# -- the theory exam -----------------------------------------------------------

@bp.route("/sessions/<int:session_id>/exam", methods=["GET", "POST"], endpoint="candidate_exam")
@roles_required(TRAINEE)
def exam(session_id: int):
    """GET resumes the attempt already started (or shows the rules and a start button); POST starts it.
    Starting is a POST so that a prefetched or mistyped link never starts the clock."""
    session = visible_session(session_id)
    application = admitted_application(current_user, session.id)
    attempt = attempt_of(application)
    form = ActionForm()
    error = None
    if attempt is None and request.method == "POST":
        if form.validate_on_submit():
            # A refusal is shown in the start page's own box (422), and a 404 stays a 404.
            refused: list[DomainError] = []
            if run_action(form, lambda: start_attempt(current_user, session.id), None, show_error=refused.append):
                return redirect(url_for("exams.candidate_exam", session_id=session.id))
            if refused and refused[0].status == 404:
                abort(404)
            error = refused[0].message if refused else "页面已过期，请重新点击“开始考试”。"
        else:
            error = "页面已过期，请重新点击“开始考试”。"
    if attempt is None:
        now = utcnow()
        return render_template("exams/candidate/start.html", session=session, application=application, form=form,
                               error=error, status=exam_status(application, None, now), levels=LEVEL_LABELS,
                               summary=paper_summary(session)), (422 if error else 200)
    if close_if_overdue(attempt):
        db.session.commit()
    if attempt.status == "submitted":
        return _submitted_page(attempt)
    if request.method == "POST":  # a second start (another tab): just show the paper
        return redirect(url_for("exams.candidate_exam", session_id=session.id))
    user_agent = request.headers.get("User-Agent", "")[:300]
    device = take_over(attempt, user_agent)
    record_presence(attempt, user_agent, request.remote_addr or "")
    db.session.commit()
    paper = paper_for_candidate(attempt)
    saved = responses_of(attempt.id)
    now = utcnow()
    return render_template(
        "exams/candidate/exam.html", session=session, attempt=attempt, paper=paper, saved=saved,
        kinds=QUESTION_KINDS, form=ActionForm(), deadline_iso=_iso_ms(attempt.deadline), now_iso=_iso_ms(now),
        device=device,
        remaining=max(0, int((attempt.deadline - now).total_seconds())), levels=LEVEL_LABELS)


def _submitted_page(attempt: Attempt):
    session = attempt.application.session
    return render_template(
        "exams/candidate/submitted.html", session=session, attempt=attempt, levels=LEVEL_LABELS,
        objective_points=objective_points(attempt),
        has_essays=any(i.kind == "essay" for i in attempt.items),
        may_review=session.state == "published" and session.allow_review)


@bp.route("/attempts/<int:attempt_id>/responses/<int:question_id>", methods=["PUT"], endpoint="candidate_save")
@roles_required(TRAINEE)
def save_answer(attempt_id: int, question_id: int):
    """Save one answer (JSON {"response": ...}; CSRF token in the X-CSRFToken header). 409 after the deadline
    or submission, 404 for another person's attempt or a question not on the paper, 422 for a bad value."""
    body = request.get_json(silent=True)
    device = request.headers.get("X-Exam-Device")
    if isinstance(body, dict) and "response" in body:
        saved_at = autosave.save_answer(current_user.id, attempt_id, question_id, body["response"], device)
        if saved_at is not None:
            db.session.commit()
            count_autosave()
            log_quietly()
            return jsonify({"question_id": question_id, "saved_at": iso_local(saved_at),
                            "server_now": _iso_ms(utcnow())})
    # Refused or malformed: the full path, in the order a candidate should hear about it.
    try:
        attempt = get_attempt_for_candidate(current_user, attempt_id)
    except DomainError as exc:
        return _json_error(exc)
    try:
        check_device(attempt, device)
    except DomainError as exc:
        return _json_error(exc)
    if not isinstance(body, dict) or "response" not in body:
        return jsonify({"error": "bad_request", "message": "请求体应为 JSON 对象 {\"response\": ...}",
                        "fields": {"response": "缺少答案"}, "server_now": _iso_ms(utcnow())}), 400
    try:
        saved_at = save_response(attempt, question_id, body["response"])
    except DomainError as exc:
        db.session.commit()  # keep the auto-submission a late answer triggered
        return _json_error(exc)
    db.session.commit()
    count_autosave()
    log_quietly()
    return jsonify({"question_id": question_id, "saved_at": iso_local(saved_at), "server_now": _iso_ms(utcnow())})


@bp.route("/attempts/<int:attempt_id>/state", endpoint="candidate_state")
@roles_required(TRAINEE)
def attempt_state(attempt_id: int):
    """The attempt's status and the server's clock: the exam page re-synchronises its countdown with it and
    learns when the platform has handed the paper in."""
    try:
        attempt = get_attempt_for_candidate(current_user, attempt_id)
    except DomainError as exc:
        return _json_error(exc)
    try:
        check_device(attempt, request.headers.get("X-Exam-Device"))
    except DomainError as exc:
        return _json_error(exc)
    if close_if_overdue(attempt):
        db.session.commit()
    now = utcnow()
    if attempt.status == "in_progress":
        record_presence(attempt, request.headers.get("User-Agent", "")[:300], request.remote_addr or "", now)
        db.session.commit()
    paused = attempt.status == "in_progress" and attempt.paused_at is not None
    remaining = (attempt.deadline - (attempt.paused_at if paused else now)).total_seconds()
    return jsonify({"status": "paused" if paused else attempt.status, "submitted_by": attempt.submitted_by,
                    "deadline": _iso_ms(attempt.deadline), "server_now": _iso_ms(now),
                    "remaining_seconds": max(0.0, remaining)})


@bp.route("/attempts/<int:attempt_id>/focus-lost", methods=["POST"], endpoint="candidate_focus_lost")
@roles_required(TRAINEE)
def focus_lost(attempt_id: int):
    """The exam page reports that the candidate left its tab or window (CSRF token in the X-CSRFToken header)."""
    try:
        attempt = get_attempt_for_candidate(current_user, attempt_id)
        check_device(attempt, request.headers.get("X-Exam-Device"))
    except DomainError as exc:
        return _json_error(exc)
    recorded = record_focus_loss(attempt)
    db.session.commit()
    return jsonify({"recorded": recorded})


def _already_handed_in(exc: DomainError) -> None:
    """A Conflict on handing in means the answers were handed in already (another tab, the deadline): the candidate
    is told so as information. Any other refusal is the error page's, as everywhere."""
    if not isinstance(exc, Conflict):
        raise exc
    flash("答卷已提交。", "info")


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"], endpoint="candidate_submit")
@roles_required(TRAINEE)
def submit_attempt(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    session_id = attempt.application.session_id
    if not ActionForm().validate_on_submit():
        flash("页面已过期，请刷新后再交卷。", "danger")
        return redirect(url_for("exams.candidate_exam", session_id=session_id))
    if close_if_overdue(attempt):
        db.session.commit()
        flash("考试时间已到，平台已按截止前保存的答案自动交卷。", "warning")
    elif attempt.paused_at is not None:
        flash("考试已暂停，恢复后才能交卷。", "warning")
    else:
        run_action(ActionForm(), lambda: submit(attempt, by="candidate"), "已交卷。", show_error=_already_handed_in)
    return redirect(url_for("exams.candidate_exam", session_id=session_id))
