"""ID photos (证件照): upload (checked from the header, cropped to the 2-inch 5:7 ratio, re-encoded without EXIF),
staff review, who may see them, and the approved photo that certificates, admission tickets and sign-in sheets print.

Who may see or review a person's photo: the person, and staff (org_staff) of an organization that deals with them —
their own organization, or an organization another area registers as an *audience* (exams: the evaluator of a
session the person applied to). Everyone else gets 404, as if the photo did not exist."""

from __future__ import annotations

import base64
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from PIL import Image, ImageOps
from sqlalchemy import Select, or_, select

from ...core.audit import record_audit
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.images import check_image
from ...core.notifications import notify
from ...core.storage import storage
from ...db import utcnow
from ...extensions import db
from ..models import APPROVED, PENDING, REASON_MAX, REJECTED, SUPERSEDED, PersonPhoto, User
from ..roles import ORG_STAFF

PHOTO_SIZE = (413, 579)  # 2-inch photo (二寸照), 35 × 49 mm at 300 dpi: width : height = 5 : 7
MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # a phone's JPEG; the pixel limits of core/images apply as well
MIN_CROP_WIDTH = 200  # source pixels across the chosen area: less prints visibly blurred at 35 mm
FOLDER = "photos"

# An audience maps an organization id to a query of the user ids whose photos its staff may see and review.
PhotoAudience = Callable[[int], Select]
AUDIENCES_KEY = "lrc_photo_audiences"


def register_photo_audience(app: Flask, name: str, audience: PhotoAudience) -> None:
    """Called from create_app (exams registers the candidates of an evaluator's sessions); per app."""
    app.extensions.setdefault(AUDIENCES_KEY, {})[name] = audience


def _audience_clause(org_id: int):
    audiences = current_app.extensions.get(AUDIENCES_KEY, {})
    return or_(User.organization_id == org_id, *(User.id.in_(rule(org_id)) for rule in audiences.values()))


def staff_may_see(actor: User, person_id: int) -> bool:
    if not (actor.has_role(ORG_STAFF) and actor.organization_id):
        return False
    return db.session.execute(select(User.id).where(
        User.id == person_id, _audience_clause(actor.organization_id))).first() is not None


def person_for_staff(actor: User, person_id: int) -> User:
    """A person whose photo staff may upload for: someone they deal with, never themselves (NotFound otherwise)."""
    person = db.session.get(User, person_id)
    if person is None or person.id == actor.id or not staff_may_see(actor, person.id):
        raise NotFound("用户不存在")
    return person


def may_see(actor: User, person_id: int) -> bool:
    return actor.id == person_id or staff_may_see(actor, person_id)


# -- the image ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Crop:
    """The chosen area as fractions of the (upright) image: left, top and width; the height follows from 5:7.
    None everywhere means the largest centred area."""

    x: float | None = None
    y: float | None = None
    w: float | None = None

    @classmethod
    def parse(cls, x, y, w) -> Crop:
        values = [None if v in (None, "") else v for v in (x, y, w)]
        if all(v is None for v in values):
            return cls()
        try:
            fx, fy, fw = (float(v) for v in values)
        except (TypeError, ValueError):
            raise ValidationFailed("裁剪区域无效，请重新选择", {"crop": "裁剪区域无效，请重新选择"}) from None
        if not (0 <= fx < 1 and 0 <= fy < 1 and 0 < fw <= 1):
            raise ValidationFailed("裁剪区域无效，请重新选择", {"crop": "裁剪区域超出了照片范围"})
        return cls(fx, fy, fw)

    def box(self, width: int, height: int) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in pixels: a 5:7 box inside the image, as close to the choice as fits."""
        ratio = PHOTO_SIZE[0] / PHOTO_SIZE[1]
        full_w = min(width, height * ratio)
        crop_w = full_w if self.w is None else min(full_w, self.w * width)
        crop_h = crop_w / ratio
        left = (width - crop_w) / 2 if self.x is None else self.x * width
        top = (height - crop_h) / 2 if self.y is None else self.y * height
        left = min(max(left, 0), width - crop_w)
        top = min(max(top, 0), height - crop_h)
        return left, top, left + crop_w, top + crop_h


def prepare_photo(data: bytes, crop: Crop) -> bytes:
    """The stored photo: a 413 × 579 JPEG of the chosen area, upright, on white, with no EXIF (location, device)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed("照片不能超过 8 MB", {"photo": "照片不能超过 8 MB"})
    check_image(data, "photo")  # JPEG/PNG, integrity and pixel limits from the header, before decoding
    with Image.open(io.BytesIO(data)) as source:
        upright = ImageOps.exif_transpose(source)  # phones store portrait photos sideways plus an EXIF turn
        box = crop.box(*upright.size)
        if box[2] - box[0] < MIN_CROP_WIDTH:
            reason = f"照片分辨率过低：所选区域宽度不足 {MIN_CROP_WIDTH} 像素，请上传更清晰的照片"
            raise ValidationFailed(reason, {"photo": reason})
        rgba = upright.convert("RGBA")
    canvas = Image.new("RGB", rgba.size, (255, 255, 255))
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    photo = canvas.resize(PHOTO_SIZE, Image.Resampling.LANCZOS, box=box)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=90, optimize=True)  # no exif= argument: nothing of the original's EXIF
    return buffer.getvalue()


# -- uploads and review ------------------------------------------------------------------------------------------

def _view(photo: PersonPhoto) -> dict:
    return {"user_id": photo.user_id, "file": photo.file, "status": photo.status}


def _supersede(person_id: int, status: str, keep: int | None = None) -> None:
    for old in db.session.execute(select(PersonPhoto).where(
            PersonPhoto.user_id == person_id, PersonPhoto.status == status, PersonPhoto.id != (keep or 0))).scalars():
        old.status = SUPERSEDED


def upload_photo(actor: User, person: User, data: bytes, crop: Crop = Crop()) -> PersonPhoto:
    """A new photo of `person`. The person's own upload waits for staff (the approved photo stays in use until
    then); staff who may see the person upload it checked, so it is approved at once."""
    by_staff = actor.id != person.id
    if by_staff and not staff_may_see(actor, person.id):
        raise NotFound("用户不存在")
    jpeg = prepare_photo(data, crop)
    name = f"{secrets.token_hex(16)}.jpg"
    storage().put(f"{FOLDER}/{name}", jpeg, "image/jpeg")
    _supersede(person.id, PENDING)
    photo = PersonPhoto(user_id=person.id, file=name, status=PENDING, width=PHOTO_SIZE[0], height=PHOTO_SIZE[1],
                        uploaded_by_id=actor.id)
    db.session.add(photo)
    db.session.flush()
    record_audit("person_photo.upload", "person_photo", photo.id, new=_view(photo), actor_id=actor.id)
    if by_staff:
        _decide(actor, photo, approve=True, reason=None)
    return photo


def review_photo(actor: User, photo: PersonPhoto, *, approve: bool, reason: str | None = None,
                 version: int | None = None) -> PersonPhoto:
    if not staff_may_see(actor, photo.user_id):
        raise NotFound("照片不存在")
    if version is not None and version != photo.version:
        raise Conflict("该照片已被他人处理，请刷新后重试", {"version": "版本已过期"}, code="stale_version")
    if photo.status != PENDING:
        raise Conflict("该照片已审核", {"status": "已审核"}, code="wrong_state")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationFailed("请填写不通过的原因", {"reason": "请填写不通过的原因，例如：背景不是纯色、面部不清晰"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"原因不能超过 {REASON_MAX} 字", {"reason": f"原因不能超过 {REASON_MAX} 字"})
    _decide(actor, photo, approve=approve, reason=reason or None)
    return photo


def _decide(actor: User, photo: PersonPhoto, *, approve: bool, reason: str | None) -> None:
    old = _view(photo)
    if approve:
        _supersede(photo.user_id, APPROVED, keep=photo.id)
    photo.status = APPROVED if approve else REJECTED
    photo.reject_reason = None if approve else reason
    photo.reviewed_by_id, photo.reviewed_at = actor.id, utcnow()
    db.session.flush()
    record_audit("person_photo.approve" if approve else "person_photo.reject", "person_photo", photo.id,
                 old=old, new=_view(photo), reason=reason, actor_id=actor.id)
    if actor.id != photo.user_id:
        text = "将用于证书、准考证和签到表" if approve else f"原因：{reason}。请重新上传"
        notify(photo.user_id, f"证件照{'审核通过' if approve else '未通过审核'}", text, "/account/photo",
               kind="general")


# -- reading -----------------------------------------------------------------------------------------------------

def photo_for_view(actor: User, photo_id: int) -> PersonPhoto:
    photo = db.session.get(PersonPhoto, photo_id)
    if photo is None or not may_see(actor, photo.user_id):
        raise NotFound("照片不存在")
    return photo


def photos_of(person_id: int) -> dict[str, PersonPhoto | None]:
    """The person's approved photo and their latest upload still in play (pending, or the last rejected one)."""
    rows = db.session.execute(select(PersonPhoto).where(
        PersonPhoto.user_id == person_id, PersonPhoto.status != SUPERSEDED)
        .order_by(PersonPhoto.id.desc())).scalars().all()
    approved = next((p for p in rows if p.status == APPROVED), None)
    latest = next((p for p in rows if p.status in (PENDING, REJECTED)), None)
    if latest is not None and approved is not None and latest.status == REJECTED and latest.id < approved.id:
        latest = None
    return {"approved": approved, "latest": latest}


def pending_for(actor: User, limit: int = 100) -> list[PersonPhoto]:
    """Photos waiting for this staff member's organization, oldest first (one query, users loaded with them)."""
    if not (actor.has_role(ORG_STAFF) and actor.organization_id):
        return []
    from sqlalchemy.orm import contains_eager

    return list(db.session.execute(
        select(PersonPhoto).join(PersonPhoto.user).options(contains_eager(PersonPhoto.user))
        .where(PersonPhoto.status == PENDING, _audience_clause(actor.organization_id))
        .order_by(PersonPhoto.id).limit(limit)).scalars())


def approved_photo_files(user_ids) -> dict[int, str]:
    """{user id: stored file name} of each person's approved photo, in one query."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(PersonPhoto.user_id, PersonPhoto.file).where(
        PersonPhoto.user_id.in_(ids), PersonPhoto.status == APPROVED)).all())


def photo_data_uri(file_name: str) -> str:
    """A stored photo as a data: URI for a PDF. A photo the database names but storage lacks raises FileMissing."""
    data = storage().get(f"{FOLDER}/{file_name}")
    mime = "image/png" if file_name.endswith(".png") else "image/jpeg"
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def approved_photo_uris(user_ids) -> dict[int, str]:
    return {uid: photo_data_uri(name) for uid, name in approved_photo_files(user_ids).items()}
