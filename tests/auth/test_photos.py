"""ID photos (证件照): upload checks with Chinese errors, the stored 5:7 crop without EXIF, staff review by the
organizations that deal with the person (others get 404), and the photo served only to those people, never cached."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from lrc_training.auth.models import APPROVED, PENDING, REJECTED, SUPERSEDED, PersonPhoto
from lrc_training.auth.services.photos import Crop, approved_photo_files, review_photo, upload_photo
from lrc_training.core.audit import AuditLog
from lrc_training.core.errors import ValidationFailed
from lrc_training.core.storage import storage
from lrc_training.exams.services.applications import apply
from lrc_training.extensions import db
from tests.conftest import csrf_token, login, post_form
from tests.exams.helpers import make_bank, make_session
from tests.factories import make_org, make_user


def picture(width=800, height=1000, fmt="JPEG", color=(30, 120, 200), exif=None) -> bytes:
    image = Image.new("RGB", (width, height), color)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def halves(width=1000, height=700) -> bytes:
    """Left half red, right half blue: which half the stored photo shows tells where it was cropped."""
    image = Image.new("RGB", (width, height), (220, 0, 0))
    image.paste((0, 0, 220), (width // 2, 0, width, height))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def stored(photo: PersonPhoto) -> Image.Image:
    return Image.open(io.BytesIO(storage().get(f"photos/{photo.file}")))


@pytest.fixture
def world():
    org = make_org("聊城高级技工学校", kind="school")
    other = make_org("济南技师学院", kind="school")
    trainee = make_user("trainee", username="trainee", name="陈晓燕", org=org)
    staff = make_user("org_staff", username="staff", name="王老师", org=org)
    stranger = make_user("org_staff", username="stranger", name="外单位", org=other)
    return {"org": org, "trainee": trainee, "staff": staff, "stranger": stranger}


def upload_page(client, data: bytes, filename="photo.jpg", **crop):
    return client.post("/account/photo", data={
        "csrf_token": csrf_token(client, "/account/photo"), "photo": (io.BytesIO(data), filename), **crop},
        content_type="multipart/form-data")


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"not an image at all", "photo.jpg", "文件不是有效的图片"),
    (png_declaring(20000, 20000), "photo.png", "图片尺寸过大"),
    (b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024 + 10), "photo.jpg", "照片不能超过 8 MB"),
    (picture(fmt="GIF"), "photo.gif", "只支持 JPG 或 PNG 图片"),
    (picture(fmt="GIF"), "photo.jpg", "只支持 PNG 或 JPG 图片"),
    (picture(120, 160), "photo.jpg", "照片分辨率过低"),
])
def test_uploads_that_are_not_a_usable_photo_are_refused_in_chinese(client, world, data, filename, message):
    login(client, "trainee")
    stored_before = storage().keys("photos")  # the storage folder outlives each test's tables
    response = upload_page(client, data, filename)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.query(PersonPhoto).count() == 0 and storage().keys("photos") == stored_before


def test_the_stored_photo_is_the_chosen_5_to_7_area_without_exif(client, world):
    login(client, "trainee")
    response = upload_page(client, halves(), "photo.png", crop_x="0", crop_y="0", crop_w="0.3")
    assert response.status_code == 302
    photo = db.session.query(PersonPhoto).one()
    image = stored(photo)
    assert image.format == "JPEG" and image.size == (413, 579) and photo.status == PENDING
    red, _, blue = image.getpixel((206, 290))
    assert red > 180 and blue < 60  # the left (red) part was chosen
    centred = upload_photo(world["trainee"], world["trainee"], halves(1000, 700))
    assert stored(centred).size == (413, 579)  # no choice: the largest centred 5:7 area


def test_exif_is_removed_and_the_picture_turned_upright(world):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: the camera says "turn 90° clockwise"
    exif[0x010F] = "PhoneMaker"
    photo = upload_photo(world["trainee"], world["trainee"], picture(1000, 700, exif=exif))
    image = stored(photo)
    assert image.size == (413, 579) and not image.getexif() and "exif" not in image.info


def test_crop_box_keeps_the_ratio_inside_the_picture():
    left, top, right, bottom = Crop(0.9, 0.9, 0.5).box(1000, 1000)
    assert right <= 1000 and bottom <= 1000 and abs((right - left) / (bottom - top) - 413 / 579) < 1e-9
    with pytest.raises(ValidationFailed) as refused:
        Crop.parse("x", "0", "1")
    assert "crop" in refused.value.fields


def test_own_org_staff_approve_and_a_new_upload_waits_while_the_old_stays_in_use(client, world):
    trainee, staff = world["trainee"], world["staff"]
    first = upload_photo(trainee, trainee, picture())
    db.session.commit()
    login(client, "staff")
    queue = client.get("/account/photos/review").get_data(as_text=True)
    assert "陈晓燕" in queue and f"/account/photos/{first.id}.jpg" in queue
    response = post_form(client, f"/account/photos/{first.id}/review",
                         {f"p{first.id}-decision": "approve", f"p{first.id}-version": str(first.version)},
                         token_from="/account/photos/review")
    assert response.status_code == 302
    assert db.session.get(PersonPhoto, first.id).status == APPROVED
    second = upload_photo(trainee, trainee, picture(color=(0, 200, 0)))
    db.session.commit()
    assert second.status == PENDING and approved_photo_files([trainee.id]) == {trainee.id: first.file}
    review_photo(staff, second, approve=True)
    db.session.commit()
    assert db.session.get(PersonPhoto, first.id).status == SUPERSEDED
    assert approved_photo_files([trainee.id]) == {trainee.id: second.file}
    actions = {a for (a,) in db.session.query(AuditLog.action).filter(AuditLog.object_type == "person_photo")}
    assert actions == {"person_photo.upload", "person_photo.approve"}


def test_rejecting_needs_a_reason_and_the_trainee_sees_it(client, world):
    trainee = world["trainee"]
    photo = upload_photo(trainee, trainee, picture())
    db.session.commit()
    login(client, "staff")
    missing = post_form(client, f"/account/photos/{photo.id}/review", {f"p{photo.id}-decision": "reject"},
                        token_from="/account/photos/review")
    assert missing.status_code == 422 and "请填写不通过的原因" in missing.get_data(as_text=True)
    post_form(client, f"/account/photos/{photo.id}/review",
              {f"p{photo.id}-decision": "reject", f"p{photo.id}-reason": "背景不是纯色"},
              token_from="/account/photos/review")
    assert db.session.get(PersonPhoto, photo.id).status == REJECTED
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/photo")})
    login(client, "trainee")
    page = client.get("/account/photo").get_data(as_text=True)
    assert "未通过" in page and "背景不是纯色" in page


def test_staff_of_another_organization_get_404_for_the_photo_and_its_review(client, world):
    trainee = world["trainee"]
    photo = upload_photo(trainee, trainee, picture())
    db.session.commit()
    login(client, "stranger")
    assert client.get(f"/account/photos/{photo.id}.jpg").status_code == 404
    assert "陈晓燕" not in client.get("/account/photos/review").get_data(as_text=True)
    response = post_form(client, f"/account/photos/{photo.id}/review", {f"p{photo.id}-decision": "approve"},
                         token_from="/account/photos/review")
    assert response.status_code == 404 and "陈晓燕" not in response.get_data(as_text=True)
    assert client.get(f"/account/photos/people/{trainee.id}").status_code == 404
    assert db.session.get(PersonPhoto, photo.id).status == PENDING


def test_the_evaluator_of_a_session_the_person_applied_to_may_check_the_photo(client, world):
    trainee = world["trainee"]
    evaluator = make_org("聊城市职业技能等级认定中心", kind="evaluator")
    examiner_staff = make_user("org_staff", username="evalstaff", org=evaluator)
    photo = upload_photo(trainee, trainee, picture())
    db.session.commit()
    login(client, "evalstaff")
    assert client.get(f"/account/photos/{photo.id}.jpg").status_code == 404  # no application yet
    make_bank(examiner_staff)
    apply(trainee, make_session(examiner_staff).id, work_years=5)
    db.session.commit()
    assert client.get(f"/account/photos/{photo.id}.jpg").status_code == 200
    review_photo(examiner_staff, photo, approve=True)
    db.session.commit()
    assert db.session.get(PersonPhoto, photo.id).status == APPROVED


def test_the_photo_is_served_to_the_person_and_their_staff_only_and_never_cached(client, world):
    trainee = world["trainee"]
    photo = upload_photo(trainee, trainee, picture())
    make_user("trainee", username="classmate", org=world["org"])
    db.session.commit()
    url = f"/account/photos/{photo.id}.jpg"
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    login(client, "trainee")
    own = client.get(url)
    assert own.status_code == 200 and own.mimetype == "image/jpeg" and "no-store" in own.headers["Cache-Control"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/photo")})
    login(client, "classmate")
    assert client.get(url).status_code == 404  # same organization, but not staff
    assert client.get("/account/photos/review").status_code == 403


def test_staff_upload_for_a_person_is_approved_at_once(client, world):
    trainee = world["trainee"]
    login(client, "staff")
    response = client.post(f"/account/photos/people/{trainee.id}", data={
        "csrf_token": csrf_token(client, f"/account/photos/people/{trainee.id}"),
        "photo": (io.BytesIO(picture()), "photo.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    photo = db.session.query(PersonPhoto).one()
    assert photo.status == APPROVED and photo.uploaded_by_id == world["staff"].id


def test_the_review_queue_costs_the_same_queries_for_one_photo_or_many(client, world, count_queries):
    def pending(n):
        for i in range(n):
            person = make_user("trainee", name=f"学员{i}", org=world["org"])
            upload_photo(person, person, picture())
        db.session.commit()

    login(client, "staff")
    pending(1)
    with count_queries() as one:
        assert client.get("/account/photos/review").status_code == 200
    pending(5)
    with count_queries() as six:
        page = client.get("/account/photos/review").get_data(as_text=True)
    assert "待审核 6 张" in page and six.count == one.count
