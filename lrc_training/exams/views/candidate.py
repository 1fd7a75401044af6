"""The candidate's (学员) pages around the exam: 我的认定 (applications, exam status, results and certificates),
applying, the admission ticket and, after publication, reviewing one's own answers. The rules (what the candidate
can do about an exam, whether they passed) live in services/candidates.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import TRAINEE
from ...auth.services.photos import photos_of
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.levels import LEVEL_LABELS
from ...core.navigation import NavItem
from ...db import utcnow
from ...extensions import db
from ..documents import ticket_number
from ..models import PARTS, QUESTION_KINDS
from ..services.applications import Ineligible, apply
from ..services.candidates import (
    my_exams,
    objective_points,
    own_application,
    review_items,
    reviewable_attempt,
    ticket_application,
    visible_session,
)
from ..services.eligibility import EDUCATION_LABELS
from . import bp
from .forms import ApplyForm

NAV = [
    NavItem("我的认定", "exams.mine", roles=(TRAINEE,),
            description="报名等级认定、参加理论考试、查看成绩与证书", group="等级认定"),
]


@bp.route("/mine")
@roles_required(TRAINEE)
def mine():
    overview = my_exams(current_user)
    if overview.closed_overdue:
        db.session.commit()  # an attempt left open past its deadline was handed in
    return render_template("exams/candidate/mine.html", rows=overview.rows, sessions=overview.sessions,
                           applied=overview.applied, levels=LEVEL_LABELS, parts=PARTS, education=EDUCATION_LABELS,
                           now=overview.now)


@bp.route("/sessions/<int:session_id>/apply", methods=["GET", "POST"], endpoint="candidate_apply")
@roles_required(TRAINEE)
def apply_view(session_id: int):
    session = visible_session(session_id)
    existing = own_application(current_user, session.id)
    if existing is not None:
        flash(f"您已报名“{session.title}”，当前状态：{existing.status_label}。", "info")
        return redirect(url_for("exams.mine"))
    form = ApplyForm()
    refused: list[DomainError] = []
    closed = session.state != "open" or utcnow() > session.applications_close_at
    applied = not closed and run_action(
        form, lambda data: apply(current_user, session.id, **data.model_dump()),
        lambda application: f"已提交“{session.title}”的报名，报名依据：{application.eligibility_note}。请等待评价机构审核。",
        on_form=True, show_error=refused.append)
    if applied:
        return redirect(url_for("exams.mine"))
    refusal = _apply_refusal(form, refused[0]) if refused else None
    status = 422 if request.method == "POST" else 200
    return render_template("exams/candidate/apply.html", form=form, session=session, refusal=refusal,
                           closed=closed, levels=LEVEL_LABELS, parts=PARTS), status


def _apply_refusal(form: ApplyForm, exc: DomainError) -> str:
    """What the page's refusal box says: an ineligible candidate sees the reasons there; another refusal also marks
    the fields it names. A session that is not there (any more) stays a 404."""
    if exc.status == 404:
        abort(404)
    if not isinstance(exc, Ineligible):
        for name, message in exc.fields.items():
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message]
    return exc.message


@bp.route("/attempts/<int:attempt_id>/review", endpoint="candidate_review")
@roles_required(TRAINEE)
def review(attempt_id: int):
    """One's own answers with the key and explanations: only after publication and when the session allows it."""
    attempt = reviewable_attempt(current_user, attempt_id)
    return render_template("exams/candidate/review.html", session=attempt.application.session, attempt=attempt,
                           items=review_items(attempt), kinds=QUESTION_KINDS, levels=LEVEL_LABELS,
                           objective_points=objective_points(attempt))


@bp.route("/applications/<int:application_id>/ticket", endpoint="candidate_ticket")
@roles_required(TRAINEE)
def ticket(application_id: int):
    """The admission ticket (准考证) of an approved application, for printing."""
    application = ticket_application(current_user, application_id)
    return render_template("exams/candidate/ticket.html", application=application, session=application.session,
                           levels=LEVEL_LABELS, parts=PARTS, number=ticket_number(application.session, application),
                           photo=photos_of(current_user.id)["approved"])
