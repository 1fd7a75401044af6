"""Examiner pages: blind essay grading (anonymous codes only) and on-site practical / review scores."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ...auth.roles import ADMIN, EXAMINER, ORG_STAFF
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.web_forms import ActionForm
from ...core.xlsx import SheetError, iter_sheet_rows
from ...extensions import db
from ..models import PARTS, Application, ExamSession, PartScore
from ..services.grading import grade, on_site_progress, record_part_score, tasks_for
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
    sessions = db.session.execute(select(ExamSession).where(
        ExamSession.organization_id == (current_user.organization_id or -1), ExamSession.state != "published")
        .order_by(ExamSession.opens_at.desc())).scalars().all()
    return render_template("exams/staff/grading.html", tasks=tasks, sessions=sessions)


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


def _session_for_examiner(session_id: int) -> ExamSession:
    session = db.session.get(ExamSession, session_id)
    if session is None or session.organization_id != current_user.organization_id:
        abort(404)
    return session


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
    session = _session_for_examiner(session_id)
    parts = [p for p in session.parts if p != "theory"]
    applications = list(db.session.execute(select(Application).where(
        Application.session_id == session.id, Application.status == "approved")
        .order_by(Application.room, Application.seat, Application.id)).scalars())
    form, import_form = ActionForm(), ImportForm(prefix="import")
    if request.method == "POST" and form.validate_on_submit() and not import_form.file.data:
        saved, errors = 0, []
        for application in applications:
            for part in parts:
                raw = request.form.get(f"score-{application.id}-{part}", "").strip()
                if raw == "":
                    continue
                try:
                    with db.session.begin_nested():
                        record_part_score(current_user, session, application.id, raw, part)
                    saved += 1
                except DomainError as exc:
                    errors.append(f"{application.anonymous_code}：{exc.message}")
        db.session.commit()
        flash(f"已保存 {saved} 项成绩。" + ("；".join(errors) if errors else ""), "warning" if errors else "success")
        return redirect(url_for("exams.part_scores", session_id=session.id))
    if import_form.validate_on_submit():
        _import_scores(session, applications, parts, import_form.file.data.stream)
        return redirect(url_for("exams.part_scores", session_id=session.id))
    existing = {(p.application_id, p.part): p.score for p in db.session.execute(select(PartScore).where(
        PartScore.application_id.in_([a.id for a in applications]))).scalars()} if applications else {}
    return render_template("exams/staff/part_scores.html", session=session, applications=applications,
                           parts=parts, existing=existing, form=form, import_form=import_form)


MAX_SCORE_ROWS = 5000  # more than any session's candidates; the file is refused beyond it


def _import_scores(session, applications, parts, stream) -> None:
    """Columns: 考生编号 (anonymous code), then one column per part (操作技能考核 / 综合评审)."""
    by_code = {a.anonymous_code: a for a in applications}
    try:
        rows = list(iter_sheet_rows(stream, MAX_SCORE_ROWS))
    except SheetError as exc:
        flash(str(exc), "danger")
        return
    header = [str(v or "").strip() for v in (rows[0] if rows else [])]
    columns = {part: header.index(PARTS[part]) for part in parts if PARTS[part] in header}
    if not header or header[0] != "考生编号" or not columns:
        flash("表头应为：考生编号、" + "、".join(PARTS[p] for p in parts), "danger")
        return
    saved, errors = 0, []
    for number, row in enumerate(rows[1:], start=2):
        code = str((row[0] if row else None) or "").strip()
        if not code:
            continue
        application = by_code.get(code)
        if application is None:
            errors.append(f"第 {number} 行：考生编号 {code} 不存在")
            continue
        for part, column in columns.items():
            value = row[column] if column < len(row) else None
            if value in (None, ""):
                continue
            try:
                with db.session.begin_nested():
                    record_part_score(current_user, session, application.id, value, part)
                saved += 1
            except DomainError as exc:
                errors.append(f"第 {number} 行：{exc.message}")
    db.session.commit()
    flash(f"导入 {saved} 项成绩。" + ("错误：" + "；".join(errors[:20]) if errors else ""),
          "warning" if errors else "success")
