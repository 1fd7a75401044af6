"""The item-analysis page for the bank's owners: flagged questions first, with the actions that improve the bank
(retire a question, open it to revise — a new revision leaves drawn papers unchanged)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, ORG_STAFF
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action, to_int
from ...core.web_forms import ActionForm
from ..models import OBJECTIVE_KINDS
from ..queries import question_of, questions_by_id
from ..services.bank import BANK_ROLES, get_question, set_question_active
from ..services.item_analysis import FLAG_LABELS, analyse_session, ensure_analysable
from ..services.item_history import chart_points, question_history
from ..services.key_correction import (
    KeyInput,
    answer_text,
    close_review,
    correct_key,
    get_correction_for_staff,
    key_correction_context,
    open_corrections,
)
from ..services.sessions import get_session_for_staff
from . import bp
from .forms import KeyCorrectionForm, KeyCorrectionMultipleForm, ReviewCloseForm


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
    questions = questions_by_id(i.question_id for i in analysis.items)
    return render_template("exams/staff/item_analysis.html", session=session, analysis=analysis, questions=questions,
                           flag_labels=FLAG_LABELS, action_form=ActionForm(), not_ready=None,
                           corrections=open_corrections(session.id), answer_text=answer_text)


@bp.route("/sessions/<int:session_id>/item-analysis/<int:question_id>/retire", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def item_analysis_retire(session_id: int, question_id: int):
    try:
        session = get_session_for_staff(current_user, session_id)
    except DomainError:
        abort(404)
    question = question_of(session.organization_id, question_id)
    if question is None:
        abort(404)
    run_action(ActionForm(), lambda: set_question_active(current_user, question, False),
               f"第 {question.id} 题已停用：今后组卷不再抽取，已生成的试卷不受影响。")
    return redirect(url_for("exams.item_analysis", session_id=session.id))


def _key_form(question, revision):
    """The correction form for this question's kind, its choices from the options the papers showed."""
    if question.kind == "multiple":
        form = KeyCorrectionMultipleForm()
        form.answer.choices = [(k, f"{k}. {v}") for k, v in sorted((revision.options or {}).items())]
    else:
        form = KeyCorrectionForm()
        options = sorted((revision.options or {}).items()) if question.kind == "single" else [("true", "对"),
                                                                                              ("false", "错")]
        form.answer.choices = [("", "请选择"), *[(k, f"{k}. {v}" if question.kind == "single" else v)
                                                 for k, v in options]]
    if request.method == "GET":
        form.revision_id.data = revision.id
    return form


def _answer(kind: str, data):
    if kind == "true_false":
        return {"true": True, "false": False}.get(data, data)
    return list(data or []) if kind == "multiple" else data


@bp.route("/sessions/<int:session_id>/item-analysis/<int:question_id>/key", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def item_key_correction(session_id: int, question_id: int):
    try:
        session, question, revision = key_correction_context(current_user, session_id, question_id)
    except DomainError:
        abort(404)
    form = _key_form(question, revision)

    def correct(data):
        return correct_key(current_user, session.id, question.id, KeyInput(
            revision_id=to_int(form.revision_id.data), answer=_answer(question.kind, data.answer), reason=data.reason))

    def corrected(correction) -> str:
        changed = sum(1 for c in correction.changes if c["old"] != c["new"])
        return (f"第 {question.id} 题的答案已更正，重新评分 {len(correction.changes)} 份答卷，{changed} 名考生的理论成绩有变化"
                + ("；已通知受影响的考生。" if correction.after_publication else "。")
                + (f"{correction.reviews_open} 张证书待复核。" if correction.reviews_open else ""))

    if question.kind in OBJECTIVE_KINDS and form.is_submitted() and run_action(form, correct, corrected, on_form=True):
        return redirect(url_for("exams.item_analysis", session_id=session.id))
    return render_template("exams/staff/key_correction.html", session=session, question=question, revision=revision,
                           form=form, answer_text=answer_text)


@bp.route("/bank/<int:question_id>/history")
@roles_required(*BANK_ROLES)
def question_history_page(question_id: int):
    try:
        question = get_question(current_user, question_id)
    except DomainError:
        abort(404)
    history = question_history(question)
    return render_template("exams/staff/question_history.html", question=question, history=history,
                           chart=chart_points(history), flag_labels=FLAG_LABELS, answer_text=answer_text,
                           review_form=ReviewCloseForm(), is_staff=current_user.has_role(ORG_STAFF, ADMIN))


@bp.route("/key-corrections/<int:correction_id>/review", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def key_correction_review(correction_id: int):
    form = ReviewCloseForm()
    try:
        correction = get_correction_for_staff(current_user, correction_id)
    except DomainError:
        abort(404)
    run_action(form, lambda data: close_review(current_user, correction.id, data.note), "已记录复核结论。",
               failure="不能记录：")
    return redirect(url_for("exams.question_history_page", question_id=correction.question_id))
