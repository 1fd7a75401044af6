"""The judges' pages: their competitions and items with progress, the scoring sheet (draft, check, confirm and
submit; locked afterwards) and the step to the next contestant. Judges see contestant codes or station numbers,
never names."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import JUDGE
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action, to_int
from ...core.navigation import NavItem
from ...core.web_forms import ActionForm
from ...extensions import db
from ..services.judging import editable, form_scores, item_tasks, judge_tasks, problem, sheet_form
from ..services.scoring import get_sheet, points_text, save_scores, sheet_json, submit_sheet, unscored
from . import bp

NAV = [NavItem("竞赛评分", "contests.judging", roles=(JUDGE,), description="按竞赛和项目逐位打分，核对后提交",
               group="技能竞赛")]

@bp.route("/judging")
@roles_required(JUDGE)
def judging():
    """The judge's competitions and items with progress, each with a button to the next contestant to score."""
    groups = judge_tasks(current_user)
    db.session.commit()  # the judge's sheets are laid out on the first visit after the draw
    return render_template("contests/judging.html", groups=groups)


@bp.route("/judging/items/<int:item_id>")
@roles_required(JUDGE)
def judging_item(item_id: int):
    try:
        tasks = item_tasks(current_user, item_id)
    except DomainError:
        abort(404)
    db.session.commit()
    return render_template("contests/judging_item.html", tasks=tasks)


def _own_sheet(sheet_id: int):
    try:
        return get_sheet(current_user, sheet_id)
    except DomainError:
        abort(404)


def _sheet_page(sheet, form=None, status: int = 200, message: tuple[str, str] | None = None):
    """The sheet page: the form (with `form`'s typed values and errors) or, once locked, the saved scores."""
    tasks = item_tasks(current_user, sheet.item_id)
    return render_template("contests/judging_sheet.html", sheet=sheet, tasks=tasks, form=form or sheet_form(sheet),
                           editable=editable(sheet, tasks.competition), action_form=ActionForm(),
                           message=message), status


@bp.route("/judging/sheets/<int:sheet_id>")
@roles_required(JUDGE)
def judging_sheet(sheet_id: int):
    return _sheet_page(_own_sheet(sheet_id))


@bp.route("/judging/sheets/<int:sheet_id>/confirm")
@roles_required(JUDGE)
def judging_confirm(sheet_id: int):
    """The step between 检查 and 提交: the saved scores and total to check before the sheet is locked."""
    sheet = _own_sheet(sheet_id)
    tasks = item_tasks(current_user, sheet.item_id)
    if not editable(sheet, tasks.competition) or unscored(sheet):
        return redirect(url_for("contests.judging_sheet", sheet_id=sheet.id))
    return render_template("contests/judging_confirm.html", sheet=sheet, tasks=tasks, form=sheet_form(sheet),
                           action_form=ActionForm())


def _sheet_error(sheet, typed: dict, exc: DomainError):
    """Back to the sheet with every typed value kept: errors on their fields, or what another device saved."""
    db.session.refresh(sheet)
    form = sheet_form(sheet, typed, exc.fields, conflict=exc.code == "stale_version",
                      require_all="scores" in exc.fields)
    return _sheet_page(sheet, form, exc.status, None if form.errors and not form.conflict else problem(exc))


def _after_submit(sheet):
    """Flash what was submitted and go on to the next contestant of the item still to score."""
    tasks = item_tasks(current_user, sheet.item_id)
    label = next(r.label for r in tasks.rows if r.id == sheet.id)
    following = tasks.after(sheet.id)
    flash(f"已提交 {label}（合计 {points_text(sheet.total)}），评分表已锁定。已评 {tasks.submitted}/{tasks.total}。",
          "success")
    if following is None:
        flash(f"“{tasks.item.name}”的评分表已全部提交。", "info")
        return redirect(url_for("contests.judging_item", item_id=sheet.item_id))
    return redirect(url_for("contests.judging_sheet", sheet_id=following.id))


def _save_sheet(sheet, typed: dict, step: str | None) -> None:
    save_scores(current_user, sheet, typed, to_int(request.form.get("version"), -1))
    if step == "1":
        submit_sheet(current_user, sheet)


@bp.route("/judging/sheets/<int:sheet_id>", methods=["POST"])
@roles_required(JUDGE)
def judging_save(sheet_id: int):
    """The sheet's 保存草稿 (submit_sheet=0), 检查并提交 (review: save, then the confirm step) and 确认提交
    (1: save and lock). JSON for a script's Accept header (version-checked like the page)."""
    sheet = _own_sheet(sheet_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    typed, step = form_scores(request.form), request.form.get("submit_sheet")
    as_json = request.accept_mimetypes.best == "application/json"
    refused: list[DomainError] = []
    if not run_action(form, lambda: _save_sheet(sheet, typed, step), None, show_error=refused.append):
        if not refused:  # the form itself failed (checked above, so only if its token ran out in between)
            abort(400)
        if as_json:
            return jsonify({"message": refused[0].message, "fields": refused[0].fields}), refused[0].status
        return _sheet_error(sheet, {k: v or "" for k, v in typed.items()}, refused[0])
    if as_json:
        return jsonify(sheet_json(sheet))
    if step == "1":
        return _after_submit(sheet)
    if step == "review" and unscored(sheet):
        return _sheet_page(sheet, sheet_form(sheet, require_all=True), 422, (
            "info", "已保存草稿。还有评分标准没有打分，补全后才能提交。"))
    if step == "review":
        return redirect(url_for("contests.judging_confirm", sheet_id=sheet.id))
    flash("已保存草稿。", "success")
    return redirect(url_for("contests.judging_sheet", sheet_id=sheet.id))
