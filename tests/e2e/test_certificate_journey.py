"""A certificate's life: organization staff configure the registered name and seal (the number's codes come from
the filing), ask for a certificate for an existing trainee through the manual form, a colleague approves it, they
find it in the list; a visitor verifies it on /verify (and through its QR link); staff
revoke it with a reason and the visitor sees that; a batch download is built by the scheduler's job and the
page's poller shows it finished with its download link."""

from __future__ import annotations

import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from pypdf import PdfReader

from lrc_training.certificates.services.batches import process_pending_batches
from lrc_training.extensions import db
from tests.e2e.conftest import ARTIFACTS
from tests.factories import make_org, make_user

pytestmark = pytest.mark.e2e

ORG_NAME = "山东省劳动关系协调员职业技能等级认定中心"
REGISTERED_NAME = "山东省劳动关系协调员评价中心"


@pytest.fixture
def cert_world():
    org = make_org(ORG_NAME, kind="evaluator", region_code="370000", site_code="150001")  # accredited (备案)
    make_user("org_staff", username="certstaff", name="王建国", org=org)
    make_user("org_staff", username="checker", name="李秀梅", org=org)
    holder = make_user("trainee", username="chenxy", name="陈晓燕")
    db.session.commit()
    return {"org": org, "holder": holder}


def seal_png(tmp_path):
    """A round red seal on a transparent background, like the ones organizations upload."""
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 290, 290), outline=(200, 20, 20, 230), width=14)
    draw.regular_polygon((150, 150, 60), 5, rotation=-90, fill=(200, 20, 20, 230))
    path = tmp_path / "seal.png"
    image.save(path)
    return path


def verify(visitor, number: str, name: str) -> None:
    visitor.goto("/verify")
    visitor.get_by_label("证书编号").fill(number)
    visitor.get_by_label("持证人姓名").fill(name)
    visitor.get_by_role("button", name="查询").click()


def test_staff_issue_and_revoke_a_certificate_a_visitor_verifies_it_and_a_batch_is_built(
        new_page, sign_in, go_to, screenshot, tmp_path, cert_world):
    holder = cert_world["holder"]
    staff = new_page()
    sign_in(staff, "certstaff")

    # Settings: the number's codes come from the filing (read-only); the registered name, signatory and a seal.
    go_to(staff, "证书", "证书管理")
    expect(staff.get_by_role("heading", name="证书管理")).to_be_visible()
    expect(staff.get_by_text("暂无证书")).to_be_visible()
    staff.get_by_role("link", name="证书设置").click()
    expect(staff.get_by_role("heading", name="证书设置")).to_be_visible()
    expect(staff.get_by_label("站点代码（6 位）")).to_have_value("150001")
    expect(staff.get_by_label("站点代码（6 位）")).to_have_attribute("readonly", "")
    staff.get_by_label("登记名称").fill(REGISTERED_NAME)
    staff.get_by_label("签发人").fill("王建国")
    staff.get_by_label("电子印章（PNG，透明背景）").set_input_files(seal_png(tmp_path))
    staff.get_by_role("button", name="保存设置").click()
    expect(staff.get_by_role("alert")).to_contain_text("证书设置已保存")
    expect(staff.locator("main")).to_contain_text("S000037150001")
    expect(staff.get_by_text("已上传印章")).to_be_visible()  # the browser really sent the file
    screenshot(staff, "settings")

    # Ask for a certificate through the manual form for the trainee who already has an account.
    go_to(staff, "证书", "证书管理")
    staff.get_by_role("link", name="手工发证申请").click()
    expect(staff.get_by_role("heading", name="手工发证申请")).to_be_visible()
    staff.get_by_label("姓名").fill("陈晓燕")
    staff.get_by_label("身份证号").fill(holder.id_number)
    staff.get_by_label("等级").select_option(label="三级/高级工")
    staff.get_by_label("原发证日期").fill("2025-06-30")
    staff.get_by_label("证明材料", exact=True).fill("2025 年第二批认定成绩册第 12 页")
    staff.get_by_label("申请理由").fill("平台上线前已通过认定，纸质档案补录")
    staff.get_by_role("button", name="提交复核").click()
    expect(staff.get_by_role("alert")).to_contain_text("须由本机构另一名工作人员复核")
    expect(staff.get_by_role("row").filter(has_text="陈晓燕")).to_contain_text("待其他工作人员复核")
    screenshot(staff, "manual-pending")

    # A colleague checks the evidence and approves: only then is the certificate issued.
    checker = new_page()
    sign_in(checker, "checker")
    go_to(checker, "证书", "发证复核")
    checker.get_by_role("button", name="批准并签发 陈晓燕 的证书").click()
    alert = checker.get_by_role("alert")
    expect(alert).to_contain_text("已批准并签发证书 S000037150001")
    number = re.search(r"S\d{21}", alert.inner_text()).group(0)
    staff.goto(f"/certificates/{number}")
    expect(staff.get_by_role("heading", level=1)).to_contain_text("职业技能等级证书")
    expect(staff.get_by_role("heading", level=1)).to_contain_text("有效")
    details = staff.locator("dl")
    expect(details).to_contain_text("陈晓燕")
    expect(details).to_contain_text("三级/高级工")
    expect(details).to_contain_text(REGISTERED_NAME)
    expect(details).not_to_contain_text(holder.id_number)
    qr_link = staff.locator("dl a[href*='/verify/q/']").get_attribute("href")
    screenshot(staff, "detail")
    pdf = staff.request.get(f"/certificates/{number}.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "certificate-level.pdf").write_bytes(pdf.body())
    assert len(PdfReader(ARTIFACTS / "certificate-level.pdf").pages[0].images) == 2  # the seal and the QR code

    go_to(staff, "证书", "证书管理")
    row = staff.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("陈晓燕")
    expect(row).to_contain_text("三级/高级工")
    expect(row).to_contain_text("有效")
    screenshot(staff, "list")

    # The holder finds it under 我的证书.
    owner = new_page()
    sign_in(owner, "chenxy")
    go_to(owner, "我的证书")
    expect(owner.locator(".card").filter(has_text=number)).to_contain_text("三级/高级工")

    # A visitor verifies it by number and name: valid, the name masked; a wrong name finds nothing.
    visitor = new_page()
    verify(visitor, number, "陈晓燕")
    result = visitor.locator(".verify-result")
    expect(result).to_contain_text("证书有效")
    expect(result).to_contain_text("陈*燕")
    expect(result).not_to_contain_text("陈晓燕")
    expect(result).to_contain_text(REGISTERED_NAME)
    screenshot(visitor, "verify-valid")
    verify(visitor, number, "陈小燕")
    expect(visitor.get_by_text("未找到与该编号和姓名相符的证书")).to_be_visible()
    expect(visitor.locator(".verify-result")).to_have_count(0)
    screenshot(visitor, "verify-not-found")
    visitor.goto(qr_link)  # what scanning the QR code opens
    expect(visitor.locator(".verify-result")).to_contain_text("证书有效")

    # Staff revoke it with a reason, after confirming.
    staff.get_by_role("link", name=number).click()
    staff.get_by_label("撤销原因").fill("申报材料不实，经复核撤销")
    staff.wait_for_load_state()  # app.js, which asks for confirmation, has run
    asked = []
    staff.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    staff.get_by_role("button", name="撤销证书").click()
    expect(staff.get_by_role("alert")).to_contain_text("证书已撤销")
    assert asked and "确定撤销吗" in asked[0]
    expect(staff.get_by_role("heading", level=1)).to_contain_text("已撤销")
    expect(staff.locator("dl")).to_contain_text("申报材料不实，经复核撤销")
    screenshot(staff, "revoked")

    verify(visitor, number, "陈晓燕")
    expect(visitor.locator(".verify-result")).to_contain_text("证书已撤销")
    expect(visitor.locator(".verify-result")).not_to_contain_text("证书有效")
    screenshot(visitor, "verify-revoked")
    visitor.goto(qr_link)
    expect(visitor.locator(".verify-result")).to_contain_text("证书已撤销")

    # Batch download: queued from the page, built by the scheduler's job, the poller shows it done.
    go_to(staff, "证书", "证书管理")
    staff.get_by_role("link", name="批量下载").click()
    expect(staff.get_by_role("heading", name="批量下载证书")).to_be_visible()
    staff.get_by_label("证书来源").select_option(index=0)
    staff.get_by_label("格式").select_option(label="合并为一个 PDF")
    staff.get_by_role("button", name="开始生成").click()
    expect(staff.get_by_role("alert")).to_contain_text("已提交批量生成任务（1 张）")
    job = staff.get_by_role("row").filter(has_text="手工发证")
    expect(job).to_contain_text("排队中")
    download = job.get_by_role("link", name="下载")
    expect(download).to_be_hidden()
    staff.wait_for_load_state()  # batches.js is polling

    assert process_pending_batches() == 1  # what the scheduler process does every few seconds

    expect(job).to_contain_text("已完成（1 张）")
    expect(download).to_be_visible()
    expect(job.locator("progress")).to_have_attribute("value", "1")
    screenshot(staff, "batch-done")
    with staff.expect_download() as info:
        download.click()
    assert info.value.suggested_filename.endswith(".pdf")
    merged = PdfReader(info.value.path())
    assert len(merged.pages) == 1
