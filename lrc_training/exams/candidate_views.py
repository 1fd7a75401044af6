"""The candidate's (学员) side of skill-level assessment: 我的认定, applying, taking the theory exam with
autosave, handing it in, the admission ticket and, after publication, reviewing one's own answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DecimalField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Length, NumberRange, Optional

from ..auth.photos import photos_of
from ..auth.roles import TRAINEE
from ..certificates.queries import certificates_of
from ..core.access import roles_required
from ..core.errors import Conflict, DomainError
from ..core.form_fields import DateField
from ..core.levels import LEVEL_LABELS
from ..core.navigation import register_nav
from ..core.request_log import log_quietly
from ..core.timeutil import iso_local, to_local
from ..db import utcnow
from ..extensions import db
from . import bp
from .documents import ticket_number
from .models import (
    PARTS,
    QUESTION_KINDS,
    Application,
    Attempt,
    ExamSession,
    PartResult,
    QuestionRevision,
    Response,
)
from .services import autosave
from .services.applications import Ineligible, apply
from .services.attempts import (
    close_if_overdue,
    get_attempt_for_candidate,
    paper_for_candidate,
    save_response,
    start_attempt,
    submit,
)
from .services.autosave import DISPLAY_KEYS
from .services.eligibility import EDUCATION_LABELS
from .services.proctoring import check_device, record_focus_loss, record_presence, take_over

register_nav("我的认定", "exams.mine", roles=(TRAINEE,),
             description="报名等级认定、参加理论考试、查看成绩与证书", group="等级认定")



class ChineseDateField(DateField):
    """A date input whose format error is in Chinese (and, like every page date field, within the sane range)."""

    parse_message = "日期格式应为 年-月-日，如 2019-06-01"


class ApplyForm(FlaskForm):
    work_started_on = ChineseDateField(
        "从事本职业或相关职业的起始日期", validators=[Optional()],
        description="按起始日期计算工作年限（计至报名当日的整年数）；填写后以此为准")
    work_years = DecimalField(
        "或：从事本职业或相关职业的工作年限（年）", places=1,
        validators=[Optional(), NumberRange(min=0, max=60, message="应为 0 到 60 之间的数字")],
        description="没有起始日期时填写，可填一位小数，如 4.5；申报三级及以上时按发证后的年限计，且不超过发证至今的年数",
        render_kw={"step": "0.5", "min": "0", "max": "60", "inputmode": "decimal"})
    education = SelectField("学历", choices=list(EDUCATION_LABELS.items()), default="none")
    related_major = RadioField(
        "所学专业是否为相关专业", choices=[("no", "否"), ("yes", "是")], default="no",
        description="相关专业：劳动与社会保障、劳动经济、人力资源管理、工商管理、法学、社会学")
    prior_certificate_number = StringField(
        "已有职业技能等级证书编号（选填）", validators=[Optional(), Length(max=40, message="不能超过 40 个字符")],
        description="申报三级及以上时填写；本平台签发的证书会自动识别等级和发证日期",
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": "40"})
    prior_certificate_issued_on = ChineseDateField(
        "该证书的发证日期", validators=[Optional()], description="非本平台签发的证书必填")
    prior_certificate_level = SelectField(
        "该证书的等级", choices=[("", "—"), *[(str(k), v) for k, v in LEVEL_LABELS.items()]], default="",
        description="非本平台签发、且编号不是 22 位标准编号时必填")
    submit = SubmitField("提交报名")

    def stated(self) -> dict:
        level = self.prior_certificate_level.data
        return {"work_started_on": self.work_started_on.data, "work_years": self.work_years.data,
                "education": self.education.data, "related_major": self.related_major.data == "yes",
                "prior_certificate_number": self.prior_certificate_number.data,
                "prior_certificate_issued_on": self.prior_certificate_issued_on.data,
                "prior_certificate_level": int(level) if level in ("1", "2", "3", "4") else None}


class ActionForm(FlaskForm):
    """A bare POST button (start, hand in): CSRF only."""

    submit = SubmitField("确认")


# -- helpers -------------------------------------------------------------------

def _iso_ms(value: datetime) -> str:
    """ISO 8601 with milliseconds and the local offset, for the exam page's clock."""
    return to_local(value).isoformat(timespec="milliseconds")


def _own_application(session_id: int) -> Application | None:
    return db.session.execute(select(Application).where(
        Application.session_id == session_id, Application.user_id == current_user.id)).scalar_one_or_none()


def _attempt_of(application: Application) -> Attempt | None:
    return db.session.execute(select(Attempt).where(Attempt.application_id == application.id)).scalar_one_or_none()


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    try:
        return get_attempt_for_candidate(current_user, attempt_id)
    except DomainError:
        abort(404)


def _json_error(exc: DomainError):
    body = {"error": exc.code, "message": exc.message, "fields": exc.fields,
            "server_now": _iso_ms(utcnow())}
    return jsonify(body), exc.status


def _objective_points(attempt: Attempt) -> Decimal:
    return sum((i.points for i in attempt.items if i.kind != "essay"), Decimal("0"))


def _paper_summary(session: ExamSession) -> list[tuple[str, int, float]]:
    """(kind label, questions, points) per kind of the session's blueprint, in paper order."""
    totals: dict[str, list] = {}
    for row in session.blueprint:
        entry = totals.setdefault(row["kind"], [0, Decimal("0")])
        entry[0] += row["count"]
        entry[1] += Decimal(str(row["points_each"])) * row["count"]
    return [(QUESTION_KINDS[k], totals[k][0], float(totals[k][1])) for k in QUESTION_KINDS if k in totals]


def _exam_status(application: Application, attempt: Attempt | None, now: datetime) -> str:
    """What the candidate can do about the theory exam of this application."""
    session = application.session
    if application.status != "approved" or "theory" not in session.parts:
        return "none"
    if "theory" in (application.exempt_parts or []):
        return "exempt"
    if attempt is not None:
        return attempt.status  # in_progress / submitted
    if session.state != "open":
        return "missed"
    if now < session.opens_at:
        return "not_yet"
    if now >= session.closes_at:
        return "missed"
    return "ready"


# -- 我的认定 ------------------------------------------------------------------

@bp.route("/mine")
@roles_required(TRAINEE)
def mine():
    now = utcnow()
    applications = list(db.session.execute(
        select(Application).where(Application.user_id == current_user.id)
        .options(selectinload(Application.session).selectinload(ExamSession.organization))
        .order_by(Application.id.desc())).scalars())
    ids = [a.id for a in applications]
    attempts = {a.application_id: a for a in db.session.execute(
        select(Attempt).where(Attempt.application_id.in_(ids))).scalars()} if ids else {}
    closed_any = False
    for attempt in attempts.values():
        closed_any |= close_if_overdue(attempt, now)  # an attempt left open past its deadline is handed in
    if closed_any:
        db.session.commit()
    results: dict[int, dict[str, PartResult]] = {}
    if ids:
        for row in db.session.execute(select(PartResult).where(PartResult.application_id.in_(ids))).scalars():
            results.setdefault(row.application_id, {})[row.part] = row
    certificates: dict[str, list] = {}
    for cert in certificates_of(current_user.id):
        if cert.source_type == "exam_session" and cert.kind == "level":
            certificates.setdefault(cert.source_id, []).append(cert)
    applied = {a.session_id for a in applications}
    sessions = [s for s in db.session.execute(
        select(ExamSession).where(ExamSession.state == "open", ExamSession.applications_close_at > now)
        .options(selectinload(ExamSession.organization)).order_by(ExamSession.opens_at)).scalars()]
    rows = []
    for application in applications:
        attempt = attempts.get(application.id)
        session = application.session
        published = session.state == "published"
        parts = []
        if published:
            for part in session.parts:
                exempt = part in (application.exempt_parts or [])
                result = results.get(application.id, {}).get(part)
                parts.append({"part": part, "label": PARTS[part], "exempt": exempt,
                              "score": result.score if result else None,
                              "passed": True if exempt else (result.passed if result else None)})
        overall = all(p["passed"] for p in parts) if published and application.status == "approved" else None
        rows.append({
            "application": application, "session": session, "attempt": attempt,
            "exam": _exam_status(application, attempt, now), "published": published, "parts": parts,
            "passed": overall, "certificates": certificates.get(str(session.id), []),
            "may_review": bool(published and session.allow_review and attempt is not None
                               and attempt.status == "submitted"),
        })
    return render_template("exams/candidate/mine.html", rows=rows, sessions=sessions, applied=applied,
                           levels=LEVEL_LABELS, parts=PARTS, education=EDUCATION_LABELS, now=now)


# -- applying ------------------------------------------------------------------

def _open_session_or_404(session_id: int) -> ExamSession:
    session = db.session.get(ExamSession, session_id)
    if session is None or session.state == "draft":
        abort(404)
    return session


@bp.route("/sessions/<int:session_id>/apply", methods=["GET", "POST"], endpoint="candidate_apply")
@roles_required(TRAINEE)
def apply_view(session_id: int):
    session = _open_session_or_404(session_id)
    existing = _own_application(session.id)
    if existing is not None:
        flash(f"您已报名“{session.title}”，当前状态：{existing.status_label}。", "info")
        return redirect(url_for("exams.mine"))
    form = ApplyForm()
    refusal = None
    closed = session.state != "open" or utcnow() > session.applications_close_at
    if not closed and form.validate_on_submit():
        try:
            application = apply(current_user, session.id, **form.stated())
        except Ineligible as exc:
            db.session.rollback()
            refusal = exc.message
        except DomainError as exc:
            db.session.rollback()
            if exc.status == 404:
                abort(404)
            for name, message in exc.fields.items():
                field = getattr(form, name, None)
                if field is not None and hasattr(field, "errors"):
                    field.errors = [*field.errors, message]
            refusal = exc.message
        else:
            db.session.commit()
            flash(f"已提交“{session.title}”的报名，报名依据：{application.eligibility_note}。请等待评价机构审核。",
                  "success")
            return redirect(url_for("exams.mine"))
    status = 422 if request.method == "POST" else 200
    return render_template("exams/candidate/apply.html", form=form, session=session, refusal=refusal,
                           closed=closed, levels=LEVEL_LABELS, parts=PARTS), status


# -- the theory exam -----------------------------------------------------------

@bp.route("/sessions/<int:session_id>/exam", methods=["GET", "POST"], endpoint="candidate_exam")
@roles_required(TRAINEE)
def exam(session_id: int):
    """GET resumes the attempt already started (or shows the rules and a start button); POST starts it.
    Starting is a POST so that a prefetched or mistyped link never starts the clock."""
    session = _open_session_or_404(session_id)
    application = _own_application(session.id)
    if application is None or application.status != "approved":
        abort(404)
    attempt = _attempt_of(application)
    form = ActionForm()
    error = None
    if attempt is None and request.method == "POST":
        if form.validate_on_submit():
            try:
                attempt = start_attempt(current_user, session.id)
            except DomainError as exc:
                db.session.rollback()
                if exc.status == 404:
                    abort(404)
                error = exc.message
            else:
                db.session.commit()
                return redirect(url_for("exams.candidate_exam", session_id=session.id))
        else:
            error = "页面已过期，请重新点击“开始考试”。"
    if attempt is None:
        now = utcnow()
        return render_template("exams/candidate/start.html", session=session, application=application, form=form,
                               error=error, status=_exam_status(application, None, now), levels=LEVEL_LABELS,
                               summary=_paper_summary(session)), (422 if error else 200)
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
    saved = {r.question_id: r for r in db.session.execute(
        select(Response).where(Response.attempt_id == attempt.id)).scalars()}
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
        objective_points=_objective_points(attempt),
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
        try:
            submit(attempt, by="candidate")
        except Conflict:
            db.session.rollback()
            flash("答卷已提交。", "info")
        else:
            db.session.commit()
            flash("已交卷。", "success")
    return redirect(url_for("exams.candidate_exam", session_id=session_id))


# -- after publication -----------------------------------------------------------

def _display_answer(kind: str, option_order: list | None, key):
    """The answer key as the candidate's paper labelled it (A, B, C ... after shuffling)."""
    if kind in ("single", "multiple") and option_order:
        shown = {original: DISPLAY_KEYS[i] for i, original in enumerate(option_order)}
        if kind == "single":
            return shown.get(key)
        return sorted(shown[k] for k in key if k in shown)
    return key


@bp.route("/attempts/<int:attempt_id>/review", endpoint="candidate_review")
@roles_required(TRAINEE)
def review(attempt_id: int):
    """One's own answers with the key and explanations: only after publication and when the session allows it."""
    attempt = _own_attempt_or_404(attempt_id)
    session = attempt.application.session
    if session.state != "published" or not session.allow_review or attempt.status != "submitted":
        abort(404)
    revisions = {r.id: r for r in db.session.execute(select(QuestionRevision).where(
        QuestionRevision.id.in_([i.revision_id for i in attempt.items]))).scalars()}
    responses = {r.question_id: r for r in db.session.execute(
        select(Response).where(Response.attempt_id == attempt.id)).scalars()}
    items = []
    for item, shown in zip(attempt.items, paper_for_candidate(attempt), strict=True):
        rev = revisions[item.revision_id]
        response = responses.get(item.question_id)
        given = response.response if response else None
        correct = _display_answer(item.kind, item.option_order, rev.answer)
        items.append({**shown, "given": given, "correct": correct, "explanation": rev.explanation,
                      "score": response.score if response else (Decimal("0") if item.kind != "essay" else None),
                      "full": item.points,
                      "right": (given == correct) if item.kind != "essay" and given not in (None, []) else None})
    return render_template("exams/candidate/review.html", session=session, attempt=attempt, items=items,
                           kinds=QUESTION_KINDS, levels=LEVEL_LABELS, objective_points=_objective_points(attempt))


@bp.route("/applications/<int:application_id>/ticket", endpoint="candidate_ticket")
@roles_required(TRAINEE)
def ticket(application_id: int):
    """The admission ticket (准考证) of an approved application, for printing."""
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != current_user.id or application.status != "approved":
        abort(404)
    return render_template("exams/candidate/ticket.html", application=application, session=application.session,
                           levels=LEVEL_LABELS, parts=PARTS, number=ticket_number(application.session, application),
                           photo=photos_of(current_user.id)["approved"])
