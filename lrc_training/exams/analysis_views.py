"""The item-analysis page for the bank's owners: flagged questions first, with the actions that improve the bank
(retire a question, open it to revise — a new revision leaves drawn papers unchanged)."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.roles import ADMIN, ORG_STAFF
from ..core.access import roles_required
from ..core.errors import DomainError
from ..core.forms import run_action
from ..extensions import db
from . import bp
from .bank import set_question_active
from .forms import ActionForm
from .item_analysis import FLAG_LABELS, analyse_session, ensure_analysable
from .models import Question
from .sessions import get_session_for_staff


@bp.route("/sessions/<int:session_id>/item-analysis")
@roles_required(ORG_STAFF, ADMIN)
def item_analysis(session_id: int):
    try:
        session = get_session_for_staff(current_user, session_id)
    except DomainError:
        abort(404)
    try:
        ensure_analysable(session)
    except DomainError as exc:
        return render_template("exams/staff/item_analysis.html", session=session, analysis=None,
                               not_ready=exc.message)
    analysis = analyse_session(session)
    questions = {q.id: q for q in db.session.execute(select(Question).options(joinedload(Question.current)).where(
        Question.id.in_([i.question_id for i in analysis.items]))).scalars()}
    return render_template("exams/staff/item_analysis.html", session=session, analysis=analysis, questions=questions,
                           flag_labels=FLAG_LABELS, action_form=ActionForm(), not_ready=None)


@bp.route("/sessions/<int:session_id>/item-analysis/<int:question_id>/retire", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def item_analysis_retire(session_id: int, question_id: int):
    try:
        session = get_session_for_staff(current_user, session_id)
    except DomainError:
        abort(404)
    question = db.session.get(Question, question_id)
    if question is None or question.organization_id != session.organization_id:
        abort(404)
    run_action(ActionForm(), lambda: set_question_active(current_user, question, False),
               f"第 {question.id} 题已停用：今后组卷不再抽取，已生成的试卷不受影响。")
    return redirect(url_for("exams.item_analysis", session_id=session.id))
