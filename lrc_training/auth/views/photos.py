"""ID photo pages: a person's own photo (/account/photo), staff uploading one for a person they deal with, the
staff review queue, and the photo itself — never public, never cached."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...core.access import login_required, roles_required
from ...core.errors import DomainError
from ...core.forms import apply_errors, run_action
from ...core.navigation import NavItem
from ...core.storage import storage
from ..models import User
from ..roles import ORG_STAFF
from ..services.photos import (
    FOLDER,
    MAX_UPLOAD_BYTES,
    Crop,
    pending_for,
    person_for_staff,
    photo_for_view,
    photos_of,
    review_photo,
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
    own = person.id == current_user.id
    # The file's own problems (none chosen, not JPG/PNG) show at the field; the image's and the crop's too.
    done = form.validate_on_submit() and run_action(
        form, lambda: upload_photo(current_user, person, form.photo.data.read(MAX_UPLOAD_BYTES + 1),
                                   Crop.parse(form.crop_x.data, form.crop_y.data, form.crop_w.data)),
        "照片已上传，等待工作人员审核；审核通过前仍使用原来的照片。" if own else f"已为{person.name}上传证件照（已审核通过）。",
        show_error=lambda exc: apply_errors(form, _at_file(exc)))
    if done:
        return redirect(template_args["back"])
    return render_template("auth/photo.html", form=form, person=person, photos=photos_of(person.id),
                           **template_args), 422 if form.is_submitted() else 200


def _at_file(exc: DomainError) -> DomainError:
    """The crop's reason belongs at the file: the crop is chosen on the photo."""
    if "crop" in exc.fields:
        exc.fields["photo"] = exc.fields.pop("crop")
    return exc


@bp.route("/account/photo", methods=["GET", "POST"])
@login_required
def photo():
    return _upload_page(current_user._get_current_object(), {"back": url_for("auth.photo"), "own": True})


@bp.route("/account/photos/people/<int:user_id>", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def photo_for_person(user_id: int):
    try:
        person = person_for_staff(current_user, user_id)
    except DomainError:
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
    refused: list[DomainError] = []
    if run_action(form, lambda data: review_photo(current_user, row, approve=data.decision != "reject",
                                                  reason=data.reason, version=data.version),
                  lambda _: f"已审核{row.user.name}的证件照：{row.status_label}。", on_form=True,
                  show_error=refused.append):
        return redirect(url_for("auth.photo_review"))
    # The queue is answered with the refusal's own status; one already decided (409) sends back to a fresh queue.
    if refused and refused[0].status == 409:
        flash(refused[0].message, "warning")
        return redirect(url_for("auth.photo_review"))
    if refused:
        apply_errors(form, refused[0])
    return _queue({row.id: form}, refused[0].status if refused else 422)
