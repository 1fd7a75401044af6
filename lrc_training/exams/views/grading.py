"""Examiner pages: blind essay grading (anonymous codes only) and on-site practical / review scores."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, EXAMINER, ORG_STAFF
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.web_forms import ActionForm
from ...extensions import db
from ..models import PARTS
from ..queries import admitted_applications, part_scores_of, unpublished_sessions_of
from ..services.grading import grade, on_site_progress, tasks_for
from ..services.part_scores import (
    ScoresSaved,
    get_session_for_examiner,
    import_scores,
    on_site_parts,
    save_typed_scores,
)
from ..services.sessions import get_session_for_staff
from . import bp
from .forms import GradeForm, ImportForm

NAV = [
    NavItem("阅卷评分", "exams.grading", roles=(EXAMINER,), description="匿名批阅简答题，录入操作技能和综合评审成绩",
            group="等级认定"),
]


@bp.route("/grading")
@roles_required(EXAMINER)
def grading():
    tasks = tasks_for(current_user)
    db.session.commit()  # keep the tasks claimed for this examiner
    return render_template("exams/staff/grading.html", tasks=tasks,
                           sessions=unpublished_sessions_of(current_user.organization_id))


@bp.route("/grading/<int:task_id>", methods=["GET", "POST"])
@roles_required(EXAMINER)
def grading_task(task_id: int):
    task = next((t for t in tasks_for(current_user) if t["id"] == task_id), None)
    if task is None:
        abort(404)
    form = GradeForm()
    if request.method == "GET" and task["score"] is not None:
        form.score.data, form.comment.data = task["score"], task["comment"]
    if run_action(form, lambda data: grade(current_user, task_id, data.score, data.comment),
                  f"已提交考生 {task['anonymous_code']} 的评分。", on_form=True):
        return redirect(url_for("exams.grading"))
    return render_template("exams/staff/grading_task.html", task=task, form=form)


def _saved(done: str, errors_prefix: str = "", shown: int | None = None):
    """The flash after saving several scores: how many, and each refused one (a warning when any was)."""
    def message(result: ScoresSaved) -> tuple[str, str]:
        errors = result.errors[:shown]
        return (done.format(n=result.saved) + (errors_prefix + "；".join(errors) if errors else ""),
                "warning" if errors else "success")
    return message


@bp.route("/sessions/<int:session_id>/scores", methods=["GET", "POST"])
@roles_required(EXAMINER, ORG_STAFF, ADMIN)
def part_scores(session_id: int):
    """One row per candidate (by anonymous code and seat, never a name): type the scores and save.

    Examiners enter these scores; staff who open the page (a bookmark, a colleague's link) are told who does and
    how far they are, instead of a bare "no access"."""
    if not current_user.has_role(EXAMINER):
        try:
            session = get_session_for_staff(current_user, session_id)
        except DomainError:
            abort(404)
        return render_template("exams/staff/part_scores_staff.html", session=session,
                               on_site=on_site_progress(session), parts=PARTS)
    try:
        session = get_session_for_examiner(current_user, session_id)
    except DomainError:
        abort(404)
    applications = admitted_applications(session.id)
    form, import_form = ActionForm(), ImportForm(prefix="import")
    if request.method == "POST" and not import_form.file.data:
        if run_action(form, lambda: save_typed_scores(current_user, session, applications, request.form),
                      _saved("已保存 {n} 项成绩。")):
            return redirect(url_for("exams.part_scores", session_id=session.id))
    elif request.method == "POST":
        run_action(import_form, lambda: import_scores(current_user, session, applications, import_form.file.data.stream),
                   _saved("导入 {n} 项成绩。", "错误：", 20))
        if not import_form.errors:
            return redirect(url_for("exams.part_scores", session_id=session.id))
    return render_template("exams/staff/part_scores.html", session=session, applications=applications,
                           parts=on_site_parts(session), existing=part_scores_of([a.id for a in applications]),
                           form=form, import_form=import_form)
