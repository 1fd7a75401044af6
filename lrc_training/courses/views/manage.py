"""Pages for instructors and organization staff: their courses, creating and editing one, its status, the
management page (roster, approvals, completion, instructors) and the Excel exports."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, INSTRUCTOR, ORG_STAFF
from ...core.access import roles_required
from ...core.downloads import audit_export, private_download
from ...core.forms import run_action, to_int
from ...core.navigation import NavItem
from ...core.pagination import paginate_page
from ...core.timeutil import to_local
from ...core.web_forms import ActionForm
from ...core.work_areas import active_work_areas
from ...core.xlsx import XLSX_MIMETYPE as XLSX
from ...extensions import db
from ..exports import attendance_workbook, roster_workbook
from ..queries import attended_hours, course_enrollments, managed_courses, waitlist_positions
from ..services.access import get_course_for_manage, get_enrollment_for_manage, sees_full_phones, sees_id_numbers
from ..services.courses import add_instructor, change_status, create_course, update_course
from ..services.enrollment import approve_enrollment, complete_enrollment, reject_enrollment
from ..services.hours import lesson_minutes, required_hours, teaching_plan
from . import bp
from .forms import CourseForm, InstructorForm, MaterialForm, ReasonForm, SessionForm

MANAGERS = (INSTRUCTOR, ORG_STAFF, ADMIN)
NAV = [
    NavItem("课程管理", "courses.manage", roles=MANAGERS,
            description="开设课程、审核报名、排课、考勤、结业；查看满员率与结业率", group="培训"),
]



def _course_form(obj=None) -> CourseForm:
    form = CourseForm(obj=obj)
    form.work_areas.choices = [(area.code, area.name) for area in active_work_areas()]
    return form


def manage_url(course_id: int, anchor: str = "") -> str:
    return url_for("courses.manage_course", course_id=course_id) + anchor


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
    done = run_action(form, lambda data: create_course(current_user, data),
                      "课程已保存为草稿。确认无误后点击“发布”开放报名。", on_form=True)
    if done:
        return redirect(manage_url(done.value.id))
    return render_template("courses/course_form.html", form=form, course=None)


@bp.route("/<int:course_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(course_id: int):
    course = get_course_for_manage(current_user, course_id)
    form = _course_form(obj=course)
    if request.method == "GET":
        form.work_areas.data = [area.code for area in course.work_areas]
        form.version.data = str(course.version)
        form.enrollment_closes_at.data = to_local(course.enrollment_closes_at).replace(tzinfo=None)
    done = run_action(form, lambda data: update_course(current_user, course, data, version=to_int(form.version.data)),
                      "课程信息已保存。", on_form=True)
    if done:
        return redirect(manage_url(course.id))
    return render_template("courses/course_form.html", form=form, course=course)


@bp.route("/<int:course_id>/status/<action>", methods=["POST"])
@roles_required(*MANAGERS)
def set_status(course_id: int, action: str):
    course = get_course_for_manage(current_user, course_id)
    run_action(ActionForm(), lambda: change_status(current_user, course, action),
               lambda c: f"课程状态已更新为“{c.status_label}”。")
    return redirect(manage_url(course.id))


@bp.route("/<int:course_id>/manage")
@roles_required(*MANAGERS)
def manage_course(course_id: int):
    return render_manage(get_course_for_manage(current_user, course_id))


def render_manage(course, session_form: SessionForm | None = None, status: int = 200):
    enrollments = course_enrollments(course.id)
    return render_template(
        "courses/manage_course.html", course=course, enrollments=enrollments,
        show_ids=sees_id_numbers(current_user, course), full_phones=sees_full_phones(current_user, course),
        positions=waitlist_positions(course.id), hours=attended_hours([e.id for e in enrollments]),
        required=required_hours(course), plan=teaching_plan(course), lesson_minutes=lesson_minutes(),
        session_form=session_form or SessionForm(prefix="session"),
        material_form=MaterialForm(prefix="material"), reason_form=ReasonForm(prefix="reject"),
        instructor_form=InstructorForm(prefix="instructor"), action_form=ActionForm()), status


_DECISIONS = {"approve": approve_enrollment, "complete": complete_enrollment}


@bp.route("/enrollments/<int:enrollment_id>/<decision>", methods=["POST"])
@roles_required(*MANAGERS)
def decide(enrollment_id: int, decision: str):
    enrollment = get_enrollment_for_manage(current_user, enrollment_id)
    done = f"{enrollment.user.name}："
    if decision == "reject":
        run_action(ReasonForm(prefix="reject"), lambda data: reject_enrollment(current_user, enrollment, data.reason),
                   lambda e: f"{done}{e.status_label}。", done)
    elif decision in _DECISIONS:
        run_action(ActionForm(), lambda: _DECISIONS[decision](current_user, enrollment),
                   lambda e: f"{done}{e.status_label}。", done)
    else:
        abort(404)
    return redirect(manage_url(enrollment.course_id, "#roster"))


@bp.route("/<int:course_id>/instructors", methods=["POST"])
@roles_required(*MANAGERS)
def add_instructor_view(course_id: int):
    course = get_course_for_manage(current_user, course_id)
    run_action(InstructorForm(prefix="instructor"), lambda data: add_instructor(current_user, course, data.username),
               lambda user: f"已添加授课教师 {user.name}。")
    return redirect(manage_url(course.id))


@bp.route("/<int:course_id>/export/<kind>.xlsx")
@roles_required(*MANAGERS)
def export(course_id: int, kind: str):
    course = get_course_for_manage(current_user, course_id)
    builders = {"roster": (lambda: roster_workbook(course, current_user), "花名册"),
                "attendance": (lambda: attendance_workbook(course), "考勤表")}
    if kind not in builders:
        abort(404)
    build, label = builders[kind]
    export_file = build()
    scope = {"course": course.title, "document": label}
    if kind == "roster":
        scope["phones"] = "完整" if sees_full_phones(current_user, course) else "脱敏"
    audit_export(f"course_{kind}", "course", course.id, rows=export_file.rows, scope=scope)
    db.session.commit()  # the export's audit record: reading personal data is itself recorded
    return private_download(export_file.data, mimetype=XLSX, download_name=f"{course.title}-{label}.xlsx")
