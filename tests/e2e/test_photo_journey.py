"""A trainee on a phone uploads an ID photo, moves the crop area, and sees it waiting for review; staff on a desktop
approve it and the trainee's page then shows it in use."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from lrc_training.auth.models import PersonPhoto
from lrc_training.extensions import db
from tests.e2e.conftest import ARTIFACTS, PHONE
from tests.factories import make_org, make_user

pytestmark = pytest.mark.e2e


def landscape_jpeg() -> bytes:
    image = Image.new("RGB", (1200, 900), (200, 225, 245))
    image.paste((40, 60, 110), (500, 300, 700, 900))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def test_trainee_uploads_a_photo_on_a_phone_and_staff_approve_it(new_page, sign_in, screenshot):
    org = make_org("聊城高级技工学校", kind="school")
    make_user("trainee", username="phototrainee", name="孙丽娟", org=org)
    make_user("org_staff", username="photostaff", name="王老师", org=org)
    db.session.commit()

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, "phototrainee")
    phone.goto("/account/photo")
    expect(phone.get_by_role("heading", level=1)).to_have_text("我的证件照")
    expect(phone.get_by_text("还没有证件照")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / "photo-upload-source.jpg"
    source.write_bytes(landscape_jpeg())
    phone.get_by_label(re.compile("证件照（JPG 或 PNG")).set_input_files(str(source))
    crop = phone.get_by_role("slider", name=re.compile("裁剪区域"))
    expect(crop).to_be_visible()
    expect(phone.get_by_role("img", name="裁剪后的照片预览")).to_be_visible()
    centred = float(phone.locator("input[name=crop_x]").input_value())
    crop.focus()
    for _ in range(5):
        phone.keyboard.press("ArrowLeft")
    assert float(phone.locator("input[name=crop_x]").input_value()) < centred
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "cropping")
    phone.get_by_role("button", name="上传照片").tap()

    expect(phone.get_by_role("status")).to_contain_text("待审核")
    expect(phone.get_by_role("img", name=re.compile("最新上传的证件照（待审核）"))).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "pending")
    photo = db.session.query(PersonPhoto).one()
    assert photo.status == "pending" and (photo.width, photo.height) == (413, 579)

    desk = new_page()
    sign_in(desk, "photostaff")
    desk.goto("/account/photos/review")
    card = desk.get_by_role("article", name="孙丽娟")
    expect(card.get_by_role("img", name="孙丽娟的证件照")).to_be_visible()
    screenshot(desk, "review")
    card.get_by_role("button", name="提交审核结果").click()
    expect(desk.get_by_text("已审核孙丽娟的证件照：已通过")).to_be_visible()

    phone.reload()
    expect(phone.get_by_role("status")).to_contain_text("已通过")
    expect(phone.get_by_role("img", name="已审核通过的证件照")).to_be_visible()
    screenshot(phone, "approved")
