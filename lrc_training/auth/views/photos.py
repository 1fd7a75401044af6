"""ID photo pages: a person's own photo (/account/photo), staff uploading one for a person they deal with, the
staff review queue, and the photo itself — never public, never cached."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...core.access import login_required, roles_required
from ...core.errors import DomainError
from ...core.forms import apply_errors, to_int
from ...core.navigation import NavItem
from ...core.storage import storage
from ...extensions import db
from ..models import User
from ..roles import ORG_STAFF
from ..services.photos import (
    FOLDER,
    Crop,
    pending_for,
    photo_for_view,
    photos_of,
    review_photo,
    staff_may_see,
    upload_photo,
)
from . import bp
from .forms import PhotoReviewForm, PhotoUploadForm

NAV = [
    NavItem("证件照", "auth.photo", description="上传二寸证件照，审核通过后印在证书、准考证和签到表上", group="账号"),
    NavItem("证件照审核", "auth.photo_review", roles=(ORG_STAFF,),
            description="审核本机构人员和本机构认定考生上传的证件照", group="证书"),
]


def _upload_page(person: User, template_args: dict):
    """GET shows the person's photos and the form; POST stores a new photo (pending for one's own)."""
    form = PhotoUploadForm()
    status = 200
    if form.validate_on_submit():
        # Not run_action: a refused photo re-renders the page with status 422 and the crop's reason at the file.
        try:
            data = form.photo.data.read(8 * 1024 * 1024 + 1)
            upload_photo(current_user, person, data,
                         Crop.parse(form.crop_x.data, form.crop_y.data, form.crop_w.data))
        except DomainError as exc:
            db.session.rollback()
            if "crop" in exc.fields:
                exc.fields["photo"] = exc.fields.pop("crop")
            apply_errors(form, exc)
            status = 422
        else:
            db.session.commit()
            own = person.id == current_user.id
            flash("照片已上传，等待工作人员审核；审核通过前仍使用原来的照片。" if own
                  else f"已为{person.name}上传证件照（已审核通过）。", "success")
            return redirect(template_args["back"])
    elif form.is_submitted():
        status = 422
    return render_template("auth/photo.html", form=form, person=person, photos=photos_of(person.id),
                           **template_args), status


@bp.route("/account/photo", methods=["GET", "POST"])
@login_required
def photo():
    return _upload_page(current_user._get_current_object(), {"back": url_for("auth.photo"), "own": True})


@bp.route("/account/photos/people/<int:user_id>", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def photo_for_person(user_id: int):
    person = db.session.get(User, user_id)
    if person is None or person.id == current_user.id or not staff_may_see(current_user, person.id):
        abort(404)
    return _upload_page(person, {"back": url_for("auth.photo_for_person", user_id=person.id), "own": False})


@bp.route("/account/photos/<int:photo_id>.jpg")
@login_required
def photo_file(photo_id: int):
    """The image, to the person and to staff who may see them; 404 to anyone else. Personal data: no-store."""
    try:
        row = photo_for_view(current_user, photo_id)
    except DomainError:
        abort(404)
    response = Response(storage().get(f"{FOLDER}/{row.file}"), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


def _queue(forms: dict | None = None, status: int = 200):
    photos = pending_for(current_user)
    forms = forms or {}
    for p in photos:
        if p.id not in forms:
            forms[p.id] = PhotoReviewForm(prefix=f"p{p.id}", formdata=None, version=str(p.version))
    return render_template("auth/photo_review.html", photos=photos, forms=forms), status


@bp.route("/account/photos/review")
@roles_required(ORG_STAFF)
def photo_review():
    return _queue()


@bp.route("/account/photos/<int:photo_id>/review", methods=["POST"])
@roles_required(ORG_STAFF)
def photo_decide(photo_id: int):
    try:
        row = photo_for_view(current_user, photo_id)
    except DomainError:
        abort(404)
    if row.user_id == current_user.id:
        abort(403)  # nobody checks their own photo
    form = PhotoReviewForm(prefix=f"p{row.id}")
    if not form.validate_on_submit():
        return _queue({row.id: form}, 422)
    # Not run_action: the queue page is answered with the refusal's own status (409 goes back to the fresh queue).
    try:
        review_photo(current_user, row, approve=form.decision.data != "reject", reason=form.reason.data,
                     version=to_int(form.version.data) if form.version.data else None)
    except DomainError as exc:
        db.session.rollback()
        apply_errors(form, exc)
        if exc.status == 409:
            flash(exc.message, "warning")
            return redirect(url_for("auth.photo_review"))
        return _queue({row.id: form}, exc.status)
    db.session.commit()
    flash(f"已审核{row.user.name}的证件照：{row.status_label}。", "success")
    return redirect(url_for("auth.photo_review"))
