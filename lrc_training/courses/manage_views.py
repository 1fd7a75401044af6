"""Pages for instructors and organization staff: courses, roster, approvals, sessions, materials,
attendance grid, completion and Excel exports."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.roles import ADMIN, INSTRUCTOR, ORG_STAFF
from ..core.access import roles_required
from ..core.downloads import audit_export, private_download
from ..core.errors import DomainError
from ..core.forms import apply_errors, form_error_text, run_action, to_int
from ..core.navigation import register_nav
from ..core.pagination import paginate_page
from ..core.timeutil import to_local
from ..core.work_areas import active_work_areas
from ..extensions import db
from . import bp
from .catalog import CourseInput, add_instructor, change_status, create_course, managed_courses, update_course
from .enrollment import (
    approve_enrollment,
    attended_hours,
    complete_enrollment,
    get_enrollment_for_manage,
    reject_enrollment,
    required_hours,
    waitlist_positions,
)
from .exports import attendance_workbook, roster_workbook
from .forms import ActionForm, CourseForm, InstructorForm, MaterialForm, ReasonForm, SessionForm
from .hours import lesson_minutes, teaching_plan
from .models import CourseMaterial, CourseSession, Enrollment
from .permissions import can_manage, get_course_for_manage, sees_full_phones, sees_id_numbers
from .teaching import (
    SessionInput,
    add_session,
    attendance_grid,
    delete_material,
    delete_session,
    record_attendance,
    roster,
    upload_material,
)

MANAGERS = (INSTRUCTOR, ORG_STAFF, ADMIN)
register_nav("课程管理", "courses.manage", roles=MANAGERS,
             description="开设课程、审核报名、排课、考勤、结业；查看满员率与结业率", group="培训")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _course(course_id: int):
    try:
        return get_course_for_manage(current_user, course_id)
    except DomainError:
        abort(404)


def _course_input(form: CourseForm) -> CourseInput:
    return CourseInput(
        title=form.title.data, level=form.level.data, hours=form.hours.data, capacity=form.capacity.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data, requires_approval=form.requires_approval.data,
        description=form.description.data, location=form.location.data, online=form.online.data,
        enrollment_closes_at=form.enrollment_closes_at.data, completion_share=form.completion_share.data,
        work_area_codes=form.work_areas.data)


def _course_form(obj=None) -> CourseForm:
    form = CourseForm(obj=obj)
    form.work_areas.choices = [(area.code, area.name) for area in active_work_areas()]
    return form


@bp.route("/manage")
@roles_required(*MANAGERS)
def manage():
    page = paginate_page(managed_courses(current_user), per_page=20, rows=True)
    return render_template("courses/manage_list.html", page=page,
                           can_create=current_user.has_role(INSTRUCTOR, ORG_STAFF) and current_user.organization_id)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(INSTRUCTOR, ORG_STAFF)
def new():
    form = _course_form()
    if request.method == "GET":
        form.completion_share.data = 0.8
    if form.validate_on_submit():
        try:
            course = create_course(current_user, _course_input(form))
        except DomainError as exc:
            db.session.rollback()
            _apply(form, exc)
        else:
            db.session.commit()
            flash("课程已保存为草稿。确认无误后点击“发布”开放报名。", "success")
            return redirect(url_for("courses.manage_course", course_id=course.id))
    return render_template("courses/course_form.html", form=form, course=None)


def _apply(form, exc: DomainError) -> None:
    if "work_area_codes" in exc.fields:
        exc.fields["work_areas"] = exc.fields.pop("work_area_codes")
    apply_errors(form, exc)


@bp.route("/<int:course_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(course_id: int):
    course = _course(course_id)
    form = _course_form(obj=course)
    if request.method == "GET":
        form.work_areas.data = [area.code for area in course.work_areas]
        form.version.data = str(course.version)
        form.enrollment_closes_at.data = to_local(course.enrollment_closes_at).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            update_course(current_user, course, _course_input(form), version=to_int(form.version.data))
        except DomainError as exc:
            db.session.rollback()
            _apply(form, exc)
        else:
            db.session.commit()
            flash("课程信息已保存。", "success")
            return redirect(url_for("courses.manage_course", course_id=course.id))
    return render_template("courses/course_form.html", form=form, course=course)


@bp.route("/<int:course_id>/status/<action>", methods=["POST"])
@roles_required(*MANAGERS)
def set_status(course_id: int, action: str):
    course = _course(course_id)
    run_action(ActionForm(), lambda: change_status(current_user, course, action),
               lambda c: f"课程状态已更新为“{c.status_label}”。")
    return redirect(url_for("courses.manage_course", course_id=course.id))


@bp.route("/<int:course_id>/manage")
@roles_required(*MANAGERS)
def manage_course(course_id: int):
    return _render_manage(_course(course_id))


def _render_manage(course, session_form: SessionForm | None = None, status: int = 200):
    enrollments = list(db.session.execute(
        select(Enrollment).where(Enrollment.course_id == course.id)
        .options(joinedload(Enrollment.user)).order_by(Enrollment.id)).scalars())
    return render_template(
        "courses/manage_course.html", course=course, enrollments=enrollments,
        show_ids=sees_id_numbers(current_user, course), full_phones=sees_full_phones(current_user, course),
        positions=waitlist_positions(course.id), hours=attended_hours([e.id for e in enrollments]),
        required=required_hours(course), plan=teaching_plan(course), lesson_minutes=lesson_minutes(),
        session_form=session_form or SessionForm(prefix="session"),
        material_form=MaterialForm(prefix="material"), reason_form=ReasonForm(prefix="reject"),
        instructor_form=InstructorForm(prefix="instructor"), action_form=ActionForm()), status


@bp.route("/enrollments/<int:enrollment_id>/<decision>", methods=["POST"])
@roles_required(*MANAGERS)
def decide(enrollment_id: int, decision: str):
    try:
        enrollment = get_enrollment_for_manage(current_user, enrollment_id)
    except DomainError:
        abort(404)
    if decision not in ("approve", "reject", "complete"):
        abort(404)
    form = ReasonForm(prefix="reject") if decision == "reject" else ActionForm()
    if form.validate_on_submit():
        try:
            if decision == "approve":
                approve_enrollment(current_user, enrollment)
            elif decision == "reject":
                reject_enrollment(current_user, enrollment, form.reason.data)
            else:
                complete_enrollment(current_user, enrollment)
        except DomainError as exc:
            db.session.rollback()
            flash(f"{enrollment.user.name}：{exc.message}", "danger")
        else:
            db.session.commit()
            flash(f"{enrollment.user.name}：{enrollment.status_label}。", "success")
    else:
        flash("提交无效：" + "；".join(e for errs in form.errors.values() for e in errs), "danger")
    return redirect(url_for("courses.manage_course", course_id=enrollment.course_id) + "#roster")


@bp.route("/<int:course_id>/sessions", methods=["POST"])
@roles_required(*MANAGERS)
def add_session_view(course_id: int):
    """Add a class session; a refused one comes back with the form as typed and the reason at the field."""
    course = _course(course_id)
    form = SessionForm(prefix="session")
    if form.validate_on_submit():
        try:
            add_session(current_user, course, SessionInput(
                held_on=form.held_on.data, starts_at=form.starts_at.data, ends_at=form.ends_at.data,
                topic=form.topic.data, hours=form.hours.data, room=form.room.data))
        except DomainError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            db.session.commit()
            flash("已添加课次。", "success")
            return redirect(url_for("courses.manage_course", course_id=course.id) + "#sessions")
    if form.errors:
        flash("添加课次失败：" + form_error_text(form), "danger")
    return _render_manage(course, session_form=form, status=422)


@bp.route("/sessions/<int:session_id>/delete", methods=["POST"])
@roles_required(*MANAGERS)
def delete_session_view(session_id: int):
    session = db.session.get(CourseSession, session_id)
    if session is None or not can_manage(current_user, session.course):
        abort(404)
    course_id = session.course_id
    if ActionForm().validate_on_submit():
        delete_session(current_user, session)
        db.session.commit()
        flash("已删除课次及其考勤记录。", "success")
    return redirect(url_for("courses.manage_course", course_id=course_id) + "#sessions")


@bp.route("/<int:course_id>/materials", methods=["POST"])
@roles_required(*MANAGERS)
def upload_material_view(course_id: int):
    course = _course(course_id)
    form = MaterialForm(prefix="material")
    run_action(form, lambda: upload_material(current_user, course, form.title.data, form.file.data.filename,
                                             form.file.data.stream),
               "资料已上传，已录取的学员可以下载。", "上传失败：")
    return redirect(url_for("courses.manage_course", course_id=course.id) + "#materials")


@bp.route("/materials/<int:material_id>/delete", methods=["POST"])
@roles_required(*MANAGERS)
def delete_material_view(material_id: int):
    material = db.session.get(CourseMaterial, material_id)
    if material is None or not can_manage(current_user, material.course):
        abort(404)
    course_id = material.course_id
    if ActionForm().validate_on_submit():
        delete_material(current_user, material)
        db.session.commit()
        flash("资料已删除。", "success")
    return redirect(url_for("courses.manage_course", course_id=course_id) + "#materials")


@bp.route("/<int:course_id>/instructors", methods=["POST"])
@roles_required(*MANAGERS)
def add_instructor_view(course_id: int):
    course = _course(course_id)
    form = InstructorForm(prefix="instructor")
    run_action(form, lambda: add_instructor(current_user, course, form.username.data),
               lambda user: f"已添加授课教师 {user.name}。")
    return redirect(url_for("courses.manage_course", course_id=course.id))


@bp.route("/<int:course_id>/attendance")
@roles_required(*MANAGERS)
def attendance(course_id: int):
    course = _course(course_id)
    people = roster(course)
    return render_template("courses/attendance.html", course=course, people=people, grid=attendance_grid(course),
                           hours=attended_hours([e.id for e in people]), required=required_hours(course),
                           action_form=ActionForm())


@bp.route("/sessions/<int:session_id>/attendance/<int:enrollment_id>", methods=["POST"])
@roles_required(*MANAGERS)
def mark_attendance(session_id: int, enrollment_id: int):
    """One click in the grid: set present/absent. Answers JSON to the grid's script, redirects otherwise."""
    session = db.session.get(CourseSession, session_id)
    if session is None or not can_manage(current_user, session.course):
        abort(404)
    present = request.form.get("present") == "1"
    wants_json = request.accept_mimetypes.best == "application/json"
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        record_attendance(current_user, session, enrollment_id, present)
    except DomainError as exc:
        db.session.rollback()
        if wants_json:
            return jsonify({"error": exc.code, "message": exc.message}), exc.status
        flash(exc.message, "danger")
        return redirect(url_for("courses.attendance", course_id=session.course_id))
    db.session.commit()
    if wants_json:
        total = attended_hours([enrollment_id])[enrollment_id]
        return jsonify({"present": present, "hours": f"{total.normalize():f}"})
    return redirect(url_for("courses.attendance", course_id=session.course_id))


@bp.route("/<int:course_id>/export/<kind>.xlsx")
@roles_required(*MANAGERS)
def export(course_id: int, kind: str):
    course = _course(course_id)
    builders = {"roster": (roster_workbook, "花名册"), "attendance": (attendance_workbook, "考勤表")}
    if kind not in builders:
        abort(404)
    build, label = builders[kind]
    export_file = build(course, current_user) if kind == "roster" else build(course)
    scope = {"course": course.title, "document": label}
    if kind == "roster":
        scope["phones"] = "完整" if sees_full_phones(current_user, course) else "脱敏"
    audit_export(f"course_{kind}", "course", course.id, rows=export_file.rows, scope=scope)
    db.session.commit()
    return private_download(export_file.data, mimetype=XLSX, download_name=f"{course.title}-{label}.xlsx")

