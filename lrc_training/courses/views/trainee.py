"""Catalog, course page, enrollment and "my courses" for trainees (and the public catalog for visitors)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...auth.roles import TRAINEE
from ...core.access import login_required, public, roles_required
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.pagination import page_filters, paginate_page
from ...core.regions import province_and_city_choices
from ...core.storage import send_stored
from ...core.timeutil import local_today
from ...core.web_forms import ActionForm
from ...core.work_areas import active_work_areas
from ..exports import completion_record_pdf
from ..models import EnrollmentStatus
from ..queries import (
    attended_hours,
    catalog,
    enrollment_of,
    enrollments_in,
    enrollments_of,
    seats_taken,
    waitlist_position,
    waitlist_positions_of,
)
from ..schemas import CourseQuery
from ..services.access import (
    can_manage,
    get_course_for_view,
    get_enrollment_for_owner_or_manager,
    get_material_for_download,
)
from ..services.enrollment import enroll_trainee, withdraw
from ..services.hours import required_hours
from ..services.teaching import material_key
from . import bp
from .forms import CatalogFilterForm

NAV = [
    NavItem("课程报名", "courses.catalog", roles=(TRAINEE,), description="按等级、职业功能、地区查找课程并报名",
            group="培训"),
    NavItem("我的课程", "courses.mine", roles=(TRAINEE,), description="报名状态、候补位次、出勤课时、结业证明",
            group="培训"),
]

_ENROLLED_MESSAGES = {"enrolled": ("报名成功！", "success"), "pending": ("已提交报名，请等待培训机构审核。", "info"),
                      "waitlisted": ("课程已满，您已进入候补名单（第 {position} 位）。", "warning")}


def _enrolled_message(enrollment) -> tuple[str, str]:
    text, category = _ENROLLED_MESSAGES[enrollment.status]
    return text.format(position=waitlist_position(enrollment)), category


def _viewer():
    return current_user if current_user.is_authenticated else None


@bp.route("/", endpoint="catalog")
@public
def catalog_page():
    form = CatalogFilterForm(request.args)
    form.work_area.choices = [("", "全部职业功能"), *[(a.code, a.name) for a in active_work_areas()]]
    form.region.choices = [("", "全部地区"), *province_and_city_choices()]
    # The form only shows the filters; the values come from the API's own schema (bad ones left out, with a message).
    page = paginate_page(catalog(page_filters(CourseQuery, form)), per_page=20, rows=True)
    mine = enrollments_in(current_user.id, [course.id for course, _ in page.items]) if _viewer() else {}
    return render_template("courses/catalog.html", form=form, page=page, mine=mine)


@bp.route("/<int:course_id>")
@public
def detail(course_id: int):
    course = get_course_for_view(_viewer(), course_id)
    enrollment = enrollment_of(current_user.id, course.id) if _viewer() else None
    position = hours = None
    if enrollment is not None:
        position = waitlist_position(enrollment)
        hours = attended_hours([enrollment.id])[enrollment.id]
    manager = _viewer() is not None and can_manage(current_user, course)
    may_download = manager or (enrollment is not None and enrollment.status in ("enrolled", "completed"))
    return render_template(
        "courses/detail.html", course=course, taken=seats_taken(course.id), enrollment=enrollment,
        position=position, hours=hours, required=required_hours(course), may_download=may_download,
        manager=manager, action_form=ActionForm())


@bp.route("/<int:course_id>/enroll", methods=["POST"])
@roles_required(TRAINEE)
def enroll(course_id: int):
    get_course_for_view(current_user, course_id)  # a draft or archived course is not there (404)
    run_action(ActionForm(), lambda: enroll_trainee(current_user, course_id),
               _enrolled_message)
    return redirect(url_for("courses.detail", course_id=course_id))


@bp.route("/enrollments/<int:enrollment_id>/withdraw", methods=["POST"])
@roles_required(TRAINEE)
def withdraw_view(enrollment_id: int):
    enrollment = get_enrollment_for_owner_or_manager(current_user, enrollment_id)
    run_action(ActionForm(), lambda: withdraw(current_user, enrollment), "已退出该课程。")
    return redirect(url_for("courses.detail", course_id=enrollment.course_id))


@bp.route("/mine")
@roles_required(TRAINEE)
def mine():
    enrollments = enrollments_of(current_user.id)
    return render_template("courses/mine.html", enrollments=enrollments,
                           hours=attended_hours([e.id for e in enrollments]),
                           positions=waitlist_positions_of(enrollments), required=required_hours, today=local_today())


@bp.route("/materials/<int:material_id>")
@login_required
def download_material(material_id: int):
    material = get_material_for_download(current_user, material_id)
    return send_stored(material_key(material.stored_name), filename=material.filename, mimetype=material.mime_type)


@bp.route("/enrollments/<int:enrollment_id>/completion.pdf")
@login_required
def completion_pdf(enrollment_id: int):
    enrollment = get_enrollment_for_owner_or_manager(current_user, enrollment_id)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        abort(404)
    return send_file(completion_record_pdf(enrollment), mimetype="application/pdf", as_attachment=False,
                     download_name=f"培训结业证明-{enrollment.user.name}.pdf")
