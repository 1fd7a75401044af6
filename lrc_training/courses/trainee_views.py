"""Catalog, course page, enrollment and "my courses" for trainees (and the public catalog for visitors)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.roles import TRAINEE
from ..core.access import login_required, public, roles_required
from ..core.errors import DomainError
from ..core.navigation import register_nav
from ..core.pagination import page_filters, paginate_page
from ..core.regions import province_and_city_choices
from ..core.storage import send_stored
from ..core.work_areas import active_work_areas
from ..extensions import db
from . import bp
from .catalog import CatalogFilter, catalog, local_today, seats_taken
from .completion import completion_record_pdf
from .enrollment import (
    attended_hours,
    enroll_trainee,
    get_enrollment_for_owner_or_manager,
    required_hours,
    waitlist_position,
    waitlist_positions,
    withdraw,
)
from .forms import ActionForm, CatalogFilterForm
from .models import CourseMaterial, Enrollment, EnrollmentStatus
from .permissions import can_manage, get_course_for_view
from .schemas import CourseQuery
from .teaching import can_download, material_key

register_nav("课程报名", "courses.catalog", roles=(TRAINEE,), description="按等级、职业功能、地区查找课程并报名",
             group="培训")
register_nav("我的课程", "courses.mine", roles=(TRAINEE,), description="报名状态、候补位次、出勤课时、结业证明",
             group="培训")


@bp.route("/", endpoint="catalog")
@public
def catalog_page():
    form = CatalogFilterForm(request.args)
    form.work_area.choices = [("", "全部职业功能"), *[(a.code, a.name) for a in active_work_areas()]]
    form.region.choices = [("", "全部地区"), *province_and_city_choices()]
    # The form only shows the filters; the values come from the API's own schema (bad ones left out, with a message).
    filters = CatalogFilter(**page_filters(CourseQuery, form).model_dump())
    page = paginate_page(catalog(filters), per_page=20, rows=True)
    mine = {}
    if current_user.is_authenticated:
        ids = [course.id for course, _ in page.items]
        mine = {e.course_id: e for e in db.session.execute(select(Enrollment).where(
            Enrollment.user_id == current_user.id, Enrollment.course_id.in_(ids))).scalars()}
    return render_template("courses/catalog.html", form=form, page=page, mine=mine)


@bp.route("/<int:course_id>")
@public
def detail(course_id: int):
    try:
        course = get_course_for_view(current_user if current_user.is_authenticated else None, course_id)
    except DomainError:
        abort(404)
    enrollment = None
    position = hours = None
    if current_user.is_authenticated:
        enrollment = db.session.execute(select(Enrollment).where(
            Enrollment.course_id == course.id, Enrollment.user_id == current_user.id)).scalar_one_or_none()
        if enrollment is not None:
            position = waitlist_position(enrollment)
            hours = attended_hours([enrollment.id])[enrollment.id]
    may_download = current_user.is_authenticated and (
        can_manage(current_user, course) or (enrollment is not None and enrollment.status in ("enrolled", "completed")))
    return render_template(
        "courses/detail.html", course=course, taken=seats_taken(course.id), enrollment=enrollment,
        position=position, hours=hours, required=required_hours(course), may_download=may_download,
        manager=current_user.is_authenticated and can_manage(current_user, course), action_form=ActionForm())


@bp.route("/<int:course_id>/enroll", methods=["POST"])
@roles_required(TRAINEE)
def enroll(course_id: int):
    form = ActionForm()
    if form.validate_on_submit():
        try:
            enrollment = enroll_trainee(current_user, course_id)
        except DomainError as exc:
            db.session.rollback()
            if exc.status == 404:
                abort(404)
            flash(exc.message, "danger")
        else:
            db.session.commit()
            messages = {"enrolled": ("报名成功！", "success"), "pending": ("已提交报名，请等待培训机构审核。", "info"),
                        "waitlisted": (f"课程已满，您已进入候补名单（第 {waitlist_position(enrollment)} 位）。",
                                       "warning")}
            flash(*messages[enrollment.status])
    return redirect(url_for("courses.detail", course_id=course_id))


@bp.route("/enrollments/<int:enrollment_id>/withdraw", methods=["POST"])
@roles_required(TRAINEE)
def withdraw_view(enrollment_id: int):
    form = ActionForm()
    try:
        enrollment = get_enrollment_for_owner_or_manager(current_user, enrollment_id)
    except DomainError:
        abort(404)
    if form.validate_on_submit():
        try:
            withdraw(current_user, enrollment)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("已退出该课程。", "success")
    return redirect(url_for("courses.detail", course_id=enrollment.course_id))


@bp.route("/mine")
@roles_required(TRAINEE)
def mine():
    enrollments = list(db.session.execute(
        select(Enrollment).where(Enrollment.user_id == current_user.id)
        .options(selectinload(Enrollment.course)).order_by(Enrollment.id.desc())).scalars())
    hours = attended_hours([e.id for e in enrollments])
    positions = {}
    for course_id in {e.course_id for e in enrollments if e.status == EnrollmentStatus.WAITLISTED}:
        positions.update(waitlist_positions(course_id))
    return render_template("courses/mine.html", enrollments=enrollments, hours=hours, positions=positions,
                           required=required_hours, today=local_today())


@bp.route("/materials/<int:material_id>")
@login_required
def download_material(material_id: int):
    material = db.session.get(CourseMaterial, material_id)
    if material is None or not can_download(current_user, material):
        abort(404)
    return send_stored(material_key(material.stored_name), filename=material.filename, mimetype=material.mime_type)


@bp.route("/enrollments/<int:enrollment_id>/completion.pdf")
@login_required
def completion_pdf(enrollment_id: int):
    try:
        enrollment = get_enrollment_for_owner_or_manager(current_user, enrollment_id)
    except DomainError:
        abort(404)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        abort(404)
    pdf = completion_record_pdf(enrollment)
    return send_file(pdf, mimetype="application/pdf", as_attachment=False,
                     download_name=f"培训结业证明-{enrollment.user.name}.pdf")
