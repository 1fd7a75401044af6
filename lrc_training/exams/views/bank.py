"""Question bank pages (organization staff and examiners of an evaluation organization)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...core.access import roles_required
from ...core.downloads import audit_export, private_download
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.pagination import page_filters, paginate_page
from ...core.web_forms import ActionForm
from ...core.work_areas import active_work_areas
from ...core.xlsx import XLSX_MIMETYPE as XLSX
from ...extensions import db
from ..exports import build_bank_template, export_questions
from ..queries import revisions_of
from ..schemas.inputs import QuestionQuery
from ..services.balancing import measured_facilities
from ..services.bank import (
    BANK_ROLES,
    QuestionInput,
    create_question,
    get_question,
    import_questions,
    search_questions,
    set_question_active,
    update_question,
)
from . import bp
from .forms import BankFilterForm, ImportForm, QuestionForm

NAV = [
    NavItem("题库", "exams.bank", roles=BANK_ROLES, description="试题录入、修订、检索，Excel 导入导出", group="等级认定"),
]


def _filters():
    form = BankFilterForm(request.args)
    form.function_code.choices = [("", "全部职业功能"), *[(a.code, a.name) for a in active_work_areas()]]
    active = None if request.args.get("active") == "all" else True
    stmt = search_questions(current_user, **page_filters(QuestionQuery, form).model_dump(), active=active)
    return form, stmt


@bp.route("/bank")
@roles_required(*BANK_ROLES)
def bank():
    form, stmt = _filters()
    page = paginate_page(stmt)
    measured = measured_facilities([q.id for q in page.items]) if page.items else {}
    return render_template("exams/staff/bank.html", form=form, page=page, action_form=ActionForm(), measured=measured)


@bp.route("/bank/export.xlsx")
@roles_required(*BANK_ROLES)
def bank_export():
    form, stmt = _filters()
    export_file = export_questions(current_user, stmt)
    filters = {k: v for k, v in (("q", form.q.data), ("level", form.level.data), ("kind", form.kind.data),
                                 ("function_code", form.function_code.data)) if v}
    audit_export("question_bank", "question_bank", current_user.organization_id, rows=export_file.rows,
                 scope={"filters": filters})
    db.session.commit()
    return private_download(export_file.data, download_name="题库.xlsx", mimetype=XLSX)


@bp.route("/bank/template.xlsx")
@roles_required(*BANK_ROLES)
def bank_template():
    return send_file(build_bank_template(), as_attachment=True, download_name="试题导入模板.xlsx", mimetype=XLSX)


@bp.route("/bank/import", methods=["GET", "POST"])
@roles_required(*BANK_ROLES)
def bank_import():
    form = ImportForm()
    done = run_action(form, lambda: import_questions(current_user, form.file.data.stream), None)
    report = done.value if done else None
    return render_template("exams/staff/bank_import.html", form=form, report=report)


def _question_form(question=None) -> QuestionForm:
    form = QuestionForm()
    form.function_code.choices = [(a.code, f"{a.code} {a.name}") for a in active_work_areas()]
    if question is not None and request.method == "GET":
        rev = question.current
        form.kind.data, form.level.data = question.kind, question.level
        form.function_code.data, form.difficulty.data = question.function_code, question.difficulty
        form.points.data, form.stem.data = rev.points, rev.stem
        for key in "abcdef":
            getattr(form, f"option_{key}").data = (rev.options or {}).get(key.upper(), "")
        if question.kind == "multiple":
            form.answer.data = "".join(rev.answer)
        elif question.kind == "true_false":
            form.answer.data = "对" if rev.answer else "错"
        else:
            form.answer.data = rev.answer
        form.explanation.data, form.rubric.data = rev.explanation, rev.rubric
    return form


@bp.route("/bank/new", methods=["GET", "POST"])
@roles_required(*BANK_ROLES)
def question_new():
    form = _question_form()
    if run_action(form, lambda data: create_question(current_user, QuestionInput(**data.question_fields())),
                  lambda q: f"已添加试题 #{q.id}。", on_form=True):
        return redirect(url_for("exams.bank"))
    return render_template("exams/staff/question_form.html", form=form, question=None, revisions=[])


@bp.route("/bank/<int:question_id>", methods=["GET", "POST"])
@roles_required(*BANK_ROLES)
def question_edit(question_id: int):
    try:
        question = get_question(current_user, question_id)
    except DomainError:
        abort(404)
    form = _question_form(question)
    if run_action(form, lambda data: update_question(current_user, question, QuestionInput(**data.question_fields())),
                  "已保存为新版本；已组卷的试卷仍使用原版本。", on_form=True):
        return redirect(url_for("exams.question_edit", question_id=question.id))
    return render_template("exams/staff/question_form.html", form=form, question=question,
                           revisions=revisions_of(question.id),
                           action_form=ActionForm())


@bp.route("/bank/<int:question_id>/active", methods=["POST"])
@roles_required(*BANK_ROLES)
def question_toggle(question_id: int):
    try:
        question = get_question(current_user, question_id)
    except DomainError:
        abort(404)
    run_action(ActionForm(), lambda: set_question_active(current_user, question, not question.active),
               lambda _: "试题已" + ("启用" if question.active else "停用（不再被抽到）") + "。")
    return redirect(url_for("exams.question_edit", question_id=question.id))
