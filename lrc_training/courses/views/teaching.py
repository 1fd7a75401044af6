"""Pages for a course's teaching: adding and removing class sessions, uploading and removing materials, and the
attendance grid."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.web_forms import ActionForm
from ..queries import attendance_grid, attended_hours, roster
from ..services.access import get_course_for_manage, get_material_for_manage, get_session_for_manage
from ..services.hours import required_hours
from ..services.teaching import add_session, delete_material, delete_session, record_attendance, upload_material
from . import bp
from .forms import MaterialForm, SessionForm
from .manage import MANAGERS, manage_url, render_manage


@bp.route("/<int:course_id>/sessions", methods=["POST"])
@roles_required(*MANAGERS)
def add_session_view(course_id: int):
    """Add a class session; a refused one comes back with the form as typed and the reason at the field."""
    course = get_course_for_manage(current_user, course_id)
    form = SessionForm(prefix="session")
    if run_action(form, lambda data: add_session(current_user, course, data), "已添加课次。", "添加课次失败：",
                  on_form=True):
        return redirect(manage_url(course.id, "#sessions"))
    return render_manage(course, session_form=form, status=422)


@bp.route("/sessions/<int:session_id>/delete", methods=["POST"])
@roles_required(*MANAGERS)
def delete_session_view(session_id: int):
    session = get_session_for_manage(current_user, session_id)
    course_id = session.course_id
    run_action(ActionForm(), lambda: delete_session(current_user, session), "已删除课次及其考勤记录。")
    return redirect(manage_url(course_id, "#sessions"))


@bp.route("/<int:course_id>/materials", methods=["POST"])
@roles_required(*MANAGERS)
def upload_material_view(course_id: int):
    course = get_course_for_manage(current_user, course_id)
    form = MaterialForm(prefix="material")
    run_action(form, lambda data: upload_material(current_user, course, data, form.file.data.filename,
                                                  form.file.data.stream),
               "资料已上传，已录取的学员可以下载。", "上传失败：")
    return redirect(manage_url(course.id, "#materials"))


@bp.route("/materials/<int:material_id>/delete", methods=["POST"])
@roles_required(*MANAGERS)
def delete_material_view(material_id: int):
    material = get_material_for_manage(current_user, material_id)
    course_id = material.course_id
    run_action(ActionForm(), lambda: delete_material(current_user, material), "资料已删除。")
    return redirect(manage_url(course_id, "#materials"))


@bp.route("/<int:course_id>/attendance")
@roles_required(*MANAGERS)
def attendance(course_id: int):
    course = get_course_for_manage(current_user, course_id)
    people = roster(course)
    return render_template("courses/attendance.html", course=course, people=people, grid=attendance_grid(course),
                           hours=attended_hours([e.id for e in people]), required=required_hours(course),
                           action_form=ActionForm())


@bp.route("/sessions/<int:session_id>/attendance/<int:enrollment_id>", methods=["POST"])
@roles_required(*MANAGERS)
def mark_attendance(session_id: int, enrollment_id: int):
    """One click in the grid: set present/absent. Answers JSON to the grid's script, redirects otherwise."""
    session = get_session_for_manage(current_user, session_id)
    present = request.form.get("present") == "1"
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    mark = lambda: record_attendance(current_user, session, enrollment_id, present)  # noqa: E731
    if request.accept_mimetypes.best == "application/json":
        return _mark_for_script(form, mark, enrollment_id, present)
    run_action(form, mark, None)
    return redirect(url_for("courses.attendance", course_id=session.course_id))


def _mark_for_script(form: ActionForm, mark, enrollment_id: int, present: bool):
    """The grid's script reads {"present", "hours"}, or {"error", "message"} with the error's status (a JSON
    answer: the refusal is handed back, not flashed)."""
    refused: list[DomainError] = []
    if not run_action(form, mark, None, show_error=refused.append):
        if not refused:  # the form itself failed (checked before, so only if its token ran out in between)
            abort(400)
        return jsonify({"error": refused[0].code, "message": refused[0].message}), refused[0].status
    total = attended_hours([enrollment_id])[enrollment_id]
    return jsonify({"present": present, "hours": f"{total.normalize():f}"})
